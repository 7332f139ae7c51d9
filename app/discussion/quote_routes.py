"""URLs: the contributions that quote one passage of a key message."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
