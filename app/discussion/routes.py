"""URLs of the discussion pages."""

from starlette.routing import Route

from app.discussion import (
    attachment_routes,
    edit_routes,
    endorsement_routes,
    live_routes,
    quote_routes,
    topic_routes,
    views,
    write_views,
)

routes = [
    Route("/", views.home, name="home"),
    Route("/consultations/{slug}", views.consultation_page, name="consultation"),
    Route("/consultations/{slug}/roundtables/{ref}", views.roundtable_page, name="roundtable"),
    Route("/consultations/{slug}/messages/{ref}", views.key_message_page, name="key_message"),
    Route(
        "/consultations/{slug}/messages/{ref}/contributions",
        write_views.post_contribution,
        methods=["POST"],
        name="post_contribution",
    ),
    Route("/contributions/{contribution_id:id}", views.thread_page, name="thread"),
    Route("/contributions/{contribution_id:id}/reply", write_views.reply_form, name="reply_form"),
    Route("/contributions/{contribution_id:id}/replies", write_views.post_reply, methods=["POST"], name="post_reply"),
    *endorsement_routes.routes,
    *topic_routes.routes,
    *edit_routes.routes,
    *attachment_routes.routes,
    *live_routes.routes,
    *quote_routes.routes,
]
