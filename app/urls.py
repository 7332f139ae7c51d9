"""Site paths from route names: the one way to write an address, so a path changes in one
place (its route). Templates call `url(name, **params)`; Python calls `path_for`. app.main
installs the route table at start-up (the same table in every worker: configuration, not
shared state); this shared layer imports no domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from starlette.routing import BaseRoute, Mount, NoMatchFound, Router

_router = Router()
#: Routes by name: a page calls url() for every item it lists, and Starlette's own lookup
#: tries each route in turn (tens of microseconds a call; this takes a few).
_by_name: dict[str, list[BaseRoute]] = {}
#: Mounted file apps that choose their files' public names (app.web.static: content hashes).
_namers: dict[str, FileNamer] = {}


@runtime_checkable
class FileNamer(Protocol):
    """A mounted app whose files are linked under another name than their own (a hash of
    their content): `url('static', path='css/site.css')` asks it for the name."""

    def public_path(self, path: str) -> str: ...


def install_routes(routes: Sequence[BaseRoute]) -> None:
    _router.routes = list(routes)
    _by_name.clear()
    _namers.clear()
    for route in routes:
        name = getattr(route, "name", None)
        if isinstance(name, str):
            _by_name.setdefault(name, []).append(route)
            if isinstance(route, Mount) and isinstance(route.app, FileNamer):
                _namers[name] = route.app


def path_for(name: str, /, **params: object) -> str:
    """The path of the named route, e.g. path_for("thread", contribution_id=7)."""
    if not _router.routes:
        raise RuntimeError("path_for() before install_routes(): app.main installs the routes at start-up")
    as_text = {key: str(value) for key, value in params.items()}
    if name in _namers and "path" in as_text:
        as_text["path"] = _namers[name].public_path(as_text["path"])
    for route in _by_name.get(name, ()):
        try:
            return str(route.url_path_for(name, **as_text))
        except NoMatchFound:
            continue  # a route of the same name for other methods or parameters
    return str(_router.url_path_for(name, **as_text))
