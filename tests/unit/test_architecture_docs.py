"""The README's picture of the code is the contracts' picture: every package of app/ has its
row, and the order of the domain cores is the one import-linter checks (pyproject.toml)."""

from __future__ import annotations

import re
import tomllib

from app.settings import PROJECT_ROOT


def _section() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    return readme.split("## How the code is organised", 1)[1].split("\n## ", 1)[0]


def _contract(contract_id: str) -> dict[str, object]:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(contract for contract in contracts if contract["id"] == contract_id)


def test_every_package_has_its_row() -> None:
    packages = {path.parent.name for path in (PROJECT_ROOT / "app").glob("*/__init__.py")} - {"locale"}
    rows = set(re.findall(r"^\| `([a-z_]+)/", _section(), flags=re.M)) | set(re.findall(r"`([a-z_]+)/`", _section()))
    assert packages - rows == set()


def test_the_order_of_the_cores_is_the_contracts_order() -> None:
    layers = _contract("cores")["layers"]
    assert isinstance(layers, list)
    foundations_start = layers.index("web")
    cores = [name for layer in layers[:foundations_start] for name in re.split(r"\s*[:|]\s*", layer)]
    picture = _section().split("domain cores", 1)[1].split("foundations", 1)[0]
    assert re.findall(r"[a-z]+", picture) == cores
