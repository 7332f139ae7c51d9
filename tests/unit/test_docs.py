"""Every setting read from the environment is documented in the README."""

from __future__ import annotations

import re

from app.settings import PROJECT_ROOT


def setting_names(source: str) -> set[str]:
    """Fixed names (`config("PAGE_SIZE"`), and per-provider patterns written as f-strings
    (`config(f"OIDC_{key}_ISSUER"` is documented as `OIDC_<NAME>_ISSUER`)."""
    fixed = set(re.findall(r'config\(\s*"([A-Z_]+)"', source))
    patterns = {
        f"{prefix}<NAME>{suffix}" for prefix, suffix in re.findall(r'config\(\s*f"([A-Z_]*)\{\w+\}([A-Z_]*)"', source)
    }
    return fixed | patterns


def test_every_setting_is_documented():
    names = setting_names((PROJECT_ROOT / "app" / "settings.py").read_text())
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert names, "no settings found; did the settings module change shape?"
    assert {name for name in names if f"`{name}`" not in readme} == set()


def test_per_provider_settings_are_found():
    source = 'config("OIDC_PROVIDERS", default="")\nconfig(f"OIDC_{key}_CLIENT_ID", default="")'
    assert setting_names(source) == {"OIDC_PROVIDERS", "OIDC_<NAME>_CLIENT_ID"}
