"""URLs of sign-in through OpenID Connect providers."""

from starlette.routing import Route

routes: list[Route] = []
