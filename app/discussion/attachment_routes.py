"""URLs: Attached position papers: download under the contribution's publication rules."""

from starlette.routing import BaseRoute, Route

from app.discussion import attachment_views

routes: list[BaseRoute] = [
    Route("/attachments/{attachment_id:id}", attachment_views.download, name="attachment"),
]
