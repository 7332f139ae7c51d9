"""Typed settings read once from the environment; every setting is documented in the README."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    environment: str
    database_url: str
    secret_key: Secret
    var_dir: Path
    base_url: str
    session_max_age_seconds: int = 14 * 24 * 3600
    contribution_max_chars: int = 10_000
    page_size: int = 20
    sign_in_max_failures: int = 5
    sign_in_window_seconds: int = 15 * 60
    seeds_dir: Path = field(default=PROJECT_ROOT / "seeds")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def _default_database_url(var_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{var_dir / 'roundtable.db'}"


def _development_secret(var_dir: Path) -> str:
    """Generate the key once and keep it, so sessions survive a restart in development."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
        logger.warning("SECRET_KEY is not set; generated one in %s (development only)", path)
    return path.read_text().strip()


def load_settings(environ: os._Environ[str] | dict[str, str] | None = None) -> Settings:
    config = Config(environ=environ if environ is not None else os.environ)
    environment = config("ROUNDTABLE_ENV", default="development")
    if environment not in {"development", "production", "test"}:
        raise SettingsError(f"ROUNDTABLE_ENV must be development, production or test, not {environment!r}")
    var_dir = Path(config("ROUNDTABLE_VAR_DIR", default=str(PROJECT_ROOT / "var")))
    secret = config("SECRET_KEY", cast=Secret, default=None)
    if secret is None:
        if environment == "production":
            raise SettingsError("SECRET_KEY is required when ROUNDTABLE_ENV=production")
        secret = Secret(_development_secret(var_dir))
    return Settings(
        environment=environment,
        database_url=config("DATABASE_URL", default=_default_database_url(var_dir)),
        secret_key=secret,
        var_dir=var_dir,
        base_url=config("BASE_URL", default="http://127.0.0.1:8000").rstrip("/"),
        session_max_age_seconds=config("SESSION_MAX_AGE_SECONDS", cast=int, default=14 * 24 * 3600),
        contribution_max_chars=config("CONTRIBUTION_MAX_CHARS", cast=int, default=10_000),
        page_size=config("PAGE_SIZE", cast=int, default=20),
    )
