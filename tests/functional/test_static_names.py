"""Static files are linked under names that carry a hash of their content and kept a year
(issue 13, slow links); a name without the current hash, as an old page may still hold,
gets the current file with a short lifetime."""

from __future__ import annotations

import re
from pathlib import Path

from app.settings import PROJECT_ROOT
from app.urls import path_for
from app.web.static import IMMUTABLE, SHORT, HashedStaticFiles, content_digests, hashed_name
from tests.support import soup

KM = "/consultations/com-2013-292/messages/RT2-KM3"
HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
TEMPLATES = PROJECT_ROOT / "templates"
#: url('static', path='css/site.css'), with either quotes.
STATIC_CALL = re.compile(r"""url\(\s*['"]static['"]\s*,\s*path\s*=\s*['"]([^'"]+)['"]\s*\)""")


def test_the_name_changes_when_the_content_does(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "site.css"
    sheet.write_text("body { color: black }")
    before = HashedStaticFiles(tmp_path).public_path("css/site.css")
    same = HashedStaticFiles(tmp_path).public_path("css/site.css")

    sheet.write_text("body { color: navy }")
    after = HashedStaticFiles(tmp_path).public_path("css/site.css")

    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", before)
    assert before == same != after


def test_names_keep_their_folder_and_suffix() -> None:
    assert hashed_name("js/htmx-2.0.11.min.js", "0123456789ab") == "js/htmx-2.0.11.min.0123456789ab.js"
    assert hashed_name("favicon.svg", "0123456789ab") == "favicon.0123456789ab.svg"
    assert hashed_name("LICENSE", "0123456789ab") == "LICENSE.0123456789ab"


def test_every_static_file_a_template_names_exists_and_is_linked_hashed() -> None:
    """A template that named a missing file would get an unhashed link, kept only briefly."""
    named = {path for template in TEMPLATES.rglob("*.html") for path in STATIC_CALL.findall(template.read_text())}
    digests = content_digests(PROJECT_ROOT / "static")

    assert {"css/site.css", "js/htmx-2.0.11.min.js"} <= named
    assert named <= set(digests), named - set(digests)
    assert all(HASHED.match(path_for("static", path=path)) for path in named)


def test_no_template_writes_a_static_path_by_hand() -> None:
    by_hand = [
        template.relative_to(TEMPLATES).as_posix()
        for template in TEMPLATES.rglob("*.html")
        if re.search(r"""(href|src)\s*=\s*["']/static/""", template.read_text())
    ]
    assert by_hand == []


async def test_a_page_links_hashed_names_kept_a_year(client) -> None:
    page = soup(await client.get(KM))
    links = [tag.get("href") or tag.get("src") for tag in page.select("link[href], script[src]")]
    static = [str(link) for link in links if str(link).startswith("/static/")]
    assert len(static) >= 3  # the style sheet, the icon, htmx

    for link in static:
        assert HASHED.match(link), link
        response = await client.get(link)
        assert response.status_code == 200
        assert response.headers["cache-control"] == IMMUTABLE


async def test_an_unhashed_or_earlier_name_still_gets_the_current_file_briefly(client) -> None:
    current = await client.get(path_for("static", path="css/site.css"))
    for old in ("/static/css/site.css", "/static/css/site.0123456789ab.css"):
        response = await client.get(old)

        assert response.status_code == 200
        assert response.content == current.content
        assert response.headers["cache-control"] == SHORT


async def test_a_missing_file_is_not_found_in_any_name(client) -> None:
    for missing in ("/static/css/gone.css", "/static/css/gone.0123456789ab.css", "/static/../app/settings.py"):
        assert (await client.get(missing)).status_code == 404
