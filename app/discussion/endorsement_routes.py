"""URLs: Endorsing contributions on behalf of an organisation, and withdrawing an endorsement."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
