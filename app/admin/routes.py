"""URLs of the administration pages."""

from starlette.routing import Route

routes: list[Route] = []
