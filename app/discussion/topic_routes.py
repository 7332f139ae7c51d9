"""URLs: Topics: contributions on one topic across a consultation, and moderators correcting tags."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
