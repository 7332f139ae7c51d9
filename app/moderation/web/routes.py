"""URLs of the moderation domain."""

from starlette.routing import Route

from app.moderation.web import (
    appeal_views,
    campaign_views,
    curation_views,
    public_log_views,
    queue_views,
    report_views,
    views,
)

LOG = "/consultations/{slug}/moderation-log"

routes = [
    Route("/contributions/{contribution_id:id}/moderate", views.moderate, methods=["GET", "POST"], name="moderate"),
    Route("/contributions/{contribution_id:id}/topics", views.retag_contribution, methods=["POST"], name="retag"),
    Route("/contributions/{contribution_id:id}/lock", views.lock_thread, methods=["POST"], name="lock_thread"),
    Route("/contributions/{contribution_id:id}/report", report_views.report, methods=["GET", "POST"], name="report"),
    Route("/contributions/{contribution_id:id}/appeal", appeal_views.appeal, methods=["GET", "POST"], name="appeal"),
    Route("/held/{held_id:id}/appeal", appeal_views.held_appeal, methods=["GET", "POST"], name="held_appeal"),
    Route(
        "/contributions/{contribution_id:id}/highlight",
        curation_views.highlight,
        methods=["GET", "POST"],
        name="highlight",
    ),
    Route(
        "/contributions/{contribution_id:id}/highlight/unpin",
        curation_views.unpin_highlight,
        methods=["POST"],
        name="unpin_highlight",
    ),
    Route(
        "/contributions/{contribution_id:id}/summary",
        curation_views.edit_summary,
        methods=["GET", "POST"],
        name="edit_summary",
    ),
    Route(
        "/contributions/{contribution_id:id}/summary/history", curation_views.summary_history, name="summary_history"
    ),
    Route(
        "/contributions/{contribution_id:id}/merge", curation_views.merge, methods=["GET", "POST"], name="merge_thread"
    ),
    Route("/moderation", queue_views.queue, methods=["GET"], name="moderation_queue"),
    Route("/moderation/items/{item_id:id}/decision", queue_views.decide_item, methods=["POST"], name="decide_item"),
    Route("/moderation/decisions", queue_views.decide_items, methods=["POST"], name="decide_items"),
    Route(LOG, public_log_views.moderation_log, name="moderation_log"),
    Route(f"{LOG}/figures", public_log_views.moderation_figures, name="moderation_figures"),
    Route("/consultations/{slug}/campaigns", campaign_views.campaigns, methods=["GET"], name="campaigns"),
    Route(
        "/consultations/{slug}/campaigns/status",
        campaign_views.campaigns_status,
        methods=["GET"],
        name="campaigns_status",
    ),
    Route(
        "/consultations/{slug}/campaigns/recompute",
        campaign_views.recompute,
        methods=["POST"],
        name="recompute_campaigns",
    ),
    Route("/moderation/campaigns/{campaign_id:id}", campaign_views.campaign, methods=["GET"], name="campaign"),
]
