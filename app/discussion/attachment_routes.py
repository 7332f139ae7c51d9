"""URLs: Attached position papers: download under the contribution's publication rules."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
