"""URLs: Live updates: new contributions for readers with JavaScript, through the database."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
