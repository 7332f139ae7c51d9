"""Every setting read from the environment is documented in the README."""

from __future__ import annotations

import re

from app.settings import PROJECT_ROOT


def test_every_setting_is_documented():
    source = (PROJECT_ROOT / "app" / "settings.py").read_text()
    names = set(re.findall(r'config\(\s*"([A-Z_]+)"', source))
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert names, "no settings found; did the settings module change shape?"
    assert {name for name in names if f"`{name}`" not in readme} == set()
