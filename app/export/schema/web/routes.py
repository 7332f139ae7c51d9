"""URL of the JSON export's schema."""

from starlette.routing import Route

from app.export.schema.web import views

routes = [Route("/schema/consolidated-input.json", views.schema, name="export_schema")]
