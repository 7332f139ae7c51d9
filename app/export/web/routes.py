"""URLs of the export domain."""

from starlette.routing import Route

from app.export.web import schema_views, views

routes = [
    Route("/consultations/{slug}/export", views.export_page, methods=["GET"], name="export"),
    Route("/consultations/{slug}/exports", views.ask_for_export, methods=["POST"], name="export_request"),
    Route("/consultations/{slug}/exports/{job_id:id}", views.export_job_page, methods=["GET"], name="export_job"),
    # POST, because every download is audited (who downloaded what): GET never changes state.
    Route("/consultations/{slug}/exports/{job_id:id}/file", views.download_file, methods=["POST"], name="export_file"),
    Route(
        "/consultations/{slug}/exports/{job_id:id}/manifest.json",
        views.download_manifest,
        methods=["POST"],
        name="export_manifest",
    ),
    # The JSON export's schema: public and cacheable, readers validate their files against it.
    Route("/schema/consolidated-input.json", schema_views.schema, name="export_schema"),
]
