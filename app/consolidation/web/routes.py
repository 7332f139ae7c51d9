"""URLs of the consolidation domain."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
