"""URLs of two-factor authentication: set-up, the second sign-in step, recovery codes."""

from starlette.routing import Route

routes: list[Route] = []
