"""URLs: Authors editing and withdrawing their contributions; the history of edits."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
