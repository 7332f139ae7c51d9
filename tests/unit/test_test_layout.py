"""Test modules outside a package are imported by their file name alone (pytest's default
import mode), so two with the same name in different folders stop the suite at collection."""

from __future__ import annotations

from collections import defaultdict

from app.settings import PROJECT_ROOT

TESTS = PROJECT_ROOT / "tests"


def test_test_modules_outside_packages_have_unique_names() -> None:
    where: defaultdict[str, list[str]] = defaultdict(list)
    for module in TESTS.rglob("test_*.py"):
        if not (module.parent / "__init__.py").exists():
            where[module.name].append(str(module.relative_to(TESTS)))
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}
