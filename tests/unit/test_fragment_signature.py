"""Stored fragments are signed by the code that renders them: every module the discussion
pages' fragments import, wherever it lives, and every template, is in the signature."""

from __future__ import annotations

import grimp

from app.fragments import signed_files
from app.settings import PROJECT_ROOT


def test_every_module_the_fragments_import_is_signed() -> None:
    graph = grimp.build_graph("app")
    reached = graph.find_upstream_modules("app.discussion.web.page_fragments") | {"app.discussion.web.page_fragments"}
    signed = {path.relative_to(PROJECT_ROOT) for path in signed_files()}
    for module in reached:
        as_file = module.replace(".", "/")
        assert any(str(path) in (f"{as_file}.py", f"{as_file}/__init__.py") for path in signed), module


def test_every_template_is_signed() -> None:
    signed = set(signed_files())
    assert all(template in signed for template in (PROJECT_ROOT / "templates").rglob("*.html"))
