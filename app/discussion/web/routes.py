"""URLs of the discussion: a key message and its threads, writing, editing and withdrawing,
endorsing, topics, passages, position papers and live updates. (Moderators correct topics
from the moderation page: app/moderation/web/routes.py.)"""

from starlette.routing import Route

from app.discussion.web import (
    attachment_views,
    edit_views,
    endorsement_views,
    live_views,
    quote_views,
    topic_views,
    views,
    write_views,
)

CONTRIBUTION = "/contributions/{contribution_id:id}"
KEY_MESSAGE = "/consultations/{slug}/messages/{ref}"

routes: list[Route] = [
    Route(KEY_MESSAGE, views.key_message_page, name="key_message"),
    Route(f"{KEY_MESSAGE}/contributions", write_views.post_contribution, methods=["POST"], name="post_contribution"),
    Route(f"{KEY_MESSAGE}/amendments", endorsement_views.all_amendments, name="amendments"),
    Route(f"{KEY_MESSAGE}/live", live_views.live_news, name="live_news"),
    Route(f"{KEY_MESSAGE}/passages/{{start:int}}-{{end:int}}", quote_views.passage_page, name="passage"),
    Route(CONTRIBUTION, views.thread_page, name="thread"),
    Route(f"{CONTRIBUTION}/reply", write_views.reply_form, name="reply_form"),
    Route(f"{CONTRIBUTION}/replies", write_views.post_reply, methods=["POST"], name="post_reply"),
    Route(f"{CONTRIBUTION}/edit", edit_views.edit_form, methods=["GET"], name="edit_contribution"),
    Route(f"{CONTRIBUTION}/edit", edit_views.save_edit, methods=["POST"], name="edit_contribution"),
    Route(f"{CONTRIBUTION}/history", edit_views.history, name="contribution_history"),
    Route(f"{CONTRIBUTION}/withdraw", edit_views.withdraw_form, methods=["GET"], name="withdraw_contribution"),
    Route(f"{CONTRIBUTION}/withdraw", edit_views.withdraw, methods=["POST"], name="withdraw_contribution"),
    Route(f"{CONTRIBUTION}/endorse", endorsement_views.endorse_form, name="endorse_form"),
    Route(f"{CONTRIBUTION}/endorse", endorsement_views.post_endorsement, methods=["POST"], name="endorse"),
    Route(
        f"{CONTRIBUTION}/endorsements/{{organisation_id:id}}/withdraw",
        endorsement_views.post_withdrawal,
        methods=["POST"],
        name="withdraw_endorsement",
    ),
    Route("/consultations/{slug}/topics", topic_views.topics_index, name="topics"),
    Route("/consultations/{slug}/topics/{topic_slug}", topic_views.topic_page, name="topic"),
    Route("/attachments/{attachment_id:id}", attachment_views.download, name="attachment"),
    Route(
        "/held/{held_id:id}/withdraw", write_views.withdraw_held_contribution, methods=["POST"], name="withdraw_held"
    ),
]
