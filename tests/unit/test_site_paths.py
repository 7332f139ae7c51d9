"""Python builds site addresses from route names (app.urls.path_for), never by typing them:
a path is written once, in its domain's route table (app/<domain>/web/routes.py).

The check is deliberately simple: a string literal in app/ (an f-string's literal parts too)
that starts with the first segment of a site path, like "/account" or f"/contributions/{id}",
is a typed path. Literals that are not links are allowed one by one below, with the reason."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from starlette.routing import Mount, Route

from app.main import site_routes
from app.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "app"

#: (file, literal) pairs that look like site paths but are not links.
NOT_LINKS = {
    # Middleware skips requests for static files before doing any work: a prefix test on the
    # incoming path, not an address given to anyone.
    ("app/accounts/web/middleware.py", "/static/"),
    ("app/web/flash.py", "/static/"),
    # The cookie path of the OpenID Connect dance (SessionMiddleware(path=...)): the browser
    # sends that cookie only under this prefix; the addresses themselves come from routes.
    ("app/accounts/oidc.py", "/auth/oidc"),
}


def first_segments() -> set[str]:
    """The first segment of every route's path: "account", "consultations", "static", ..."""
    paths = [route.path for route in site_routes() if isinstance(route, Route | Mount)]
    return {segment for path in paths if (segment := path.strip("/").split("/")[0])}


def typed_path_pattern(segments: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, segments), key=len, reverse=True))
    return re.compile(rf"^/(?:{alternatives})(?=[/?#.{{]|$)")


def checked_modules() -> list[Path]:
    """Every module but the route tables and app.main, where paths are defined."""
    return sorted(
        path
        for path in APP.rglob("*.py")
        if path != APP / "main.py" and not (path.name == "routes.py" and path.parent.name == "web")
    )


def typed_paths(source: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.match(node.value):
            yield node.lineno, node.value


def test_app_code_types_no_site_path():
    pattern = typed_path_pattern(first_segments())
    offenders = []
    for path in checked_modules():
        name = str(path.relative_to(PROJECT_ROOT))
        for line, value in sorted(typed_paths(path.read_text(encoding="utf-8"), pattern)):
            if (name, value) not in NOT_LINKS:
                offenders.append(f"{name}:{line}: {value!r}")
    assert offenders == [], "build site paths with app.urls.path_for(route_name, ...):\n" + "\n".join(offenders)


def test_every_allowed_literal_is_still_there():
    """An allowance whose literal is gone is removed too, so the list stays short and true."""
    pattern = typed_path_pattern(first_segments())
    found = {
        (str(path.relative_to(PROJECT_ROOT)), value)
        for path in checked_modules()
        for _, value in typed_paths(path.read_text(encoding="utf-8"), pattern)
    }
    assert NOT_LINKS - found == set()


def test_the_segments_come_from_the_routes():
    assert {"account", "consultations", "contributions", "organisations", "admin", "sign-in", "static"} <= (
        first_segments()
    )


def test_typed_paths_finds_literals_and_f_string_parts():
    pattern = typed_path_pattern({"account", "contributions", "sign-in"})
    source = (
        'see_other("/account")\n'
        'f"/contributions/{contribution.id}/moderate"\n'
        'f"{base_url}/sign-in"\n'
        '"/accounting"\n'
        '"/static/"\n'
        '"a/account"\n'
    )
    assert [line for line, _ in typed_paths(source, pattern)] == [1, 2, 3]
