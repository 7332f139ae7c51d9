"""URLs of a person's own account: email verification, password reset, change of email,
signing out everywhere."""

from starlette.routing import Route

routes: list[Route] = []
