"""Typed settings read once from the environment; every setting is documented in the README."""

from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """A required setting is missing or malformed."""


OIDC_PROVIDER_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class OidcProvider:
    """An OpenID Connect provider people may sign in with (OIDC_PROVIDERS)."""

    #: Appears in URLs (/auth/oidc/<name>/...) and in user_identities.provider; never change it.
    name: str
    issuer: str
    client_id: str
    client_secret: Secret
    #: What the sign-in button says: "Sign in with <label>".
    label: str

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


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
    #: Minutes after publishing during which the author may still edit a contribution.
    edit_window_minutes: int = 30
    #: Reply levels shown under a contribution before "Continue this thread".
    thread_depth: int = 3
    #: Seconds between checks for new contributions on an open page (JavaScript only).
    live_poll_seconds: int = 15
    #: Largest attachment accepted (a PDF position paper).
    attachment_max_bytes: int = 10 * 1024 * 1024
    #: Contributions one person may publish per minute (positions and replies); 0: no limit.
    posting_limit_per_minute: int = 10
    #: Minutes during which a person may not publish the same text again; 0: allowed.
    duplicate_text_window_minutes: int = 10
    #: Seconds a sign-up, position or reply form must be open before it is accepted (bots
    #: post at once); 0: no minimum. Forms carry a signed stamp of when they were rendered.
    form_min_fill_seconds: int = 3
    #: Hours a rendered form's stamp stays valid; an older form is shown again to be re-sent.
    form_max_age_hours: int = 24
    #: How long a write on SQLite waits for another to finish before the request fails.
    sqlite_busy_timeout_seconds: float = 30.0
    sign_in_max_failures: int = 5
    sign_in_window_seconds: int = 15 * 60
    seeds_dir: Path = field(default=PROJECT_ROOT / "seeds")
    #: Empty: mail goes to the log and <var_dir>/outbox/*.eml instead (development).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: Secret = field(default=Secret(""))
    #: none, starttls or tls (implicit TLS, usually port 465).
    smtp_tls: str = "starttls"
    mail_from: str = "Roundtable <roundtable@localhost>"
    #: Where people report what they cannot use (the accessibility statement shows it).
    accessibility_contact: str = "roundtable@localhost"
    oidc_providers: tuple[OidcProvider, ...] = ()
    #: The bearer token a Prometheus scraper sends for /metrics; empty: no /metrics (404).
    metrics_token: Secret = field(default=Secret(""))

    @property
    def attachments_dir(self) -> Path:
        """Where position papers were kept as files before they moved into the database. Read
        only by the migration that moves them in (and its downgrade, which writes them back)
        and by the restore of a backup made before (app.backup); the site never uses it."""
        return self.var_dir / "attachments"

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
    settings = Settings(
        environment=environment,
        database_url=config("DATABASE_URL", default=_default_database_url(var_dir)),
        secret_key=secret,
        var_dir=var_dir,
        base_url=config("BASE_URL", default="http://127.0.0.1:8000").rstrip("/"),
        session_max_age_seconds=config("SESSION_MAX_AGE_SECONDS", cast=int, default=14 * 24 * 3600),
        contribution_max_chars=config("CONTRIBUTION_MAX_CHARS", cast=int, default=10_000),
        page_size=config("PAGE_SIZE", cast=int, default=20),
        edit_window_minutes=config("EDIT_WINDOW_MINUTES", cast=int, default=30),
        thread_depth=config("THREAD_DEPTH", cast=int, default=3),
        live_poll_seconds=config("LIVE_POLL_SECONDS", cast=int, default=15),
        attachment_max_bytes=config("ATTACHMENT_MAX_BYTES", cast=int, default=10 * 1024 * 1024),
        posting_limit_per_minute=config("POSTING_LIMIT_PER_MINUTE", cast=int, default=10),
        duplicate_text_window_minutes=config("DUPLICATE_TEXT_WINDOW_MINUTES", cast=int, default=10),
        form_min_fill_seconds=_form_min_fill_seconds(config),
        form_max_age_hours=_form_max_age_hours(config),
        sqlite_busy_timeout_seconds=config("SQLITE_BUSY_TIMEOUT_SECONDS", cast=float, default=30.0),
        smtp_host=config("SMTP_HOST", default=""),
        smtp_port=config("SMTP_PORT", cast=int, default=587),
        smtp_username=config("SMTP_USERNAME", default=""),
        smtp_password=Secret(config("SMTP_PASSWORD", default="")),
        smtp_tls=config("SMTP_TLS", default="starttls"),
        mail_from=config("MAIL_FROM", default="Roundtable <roundtable@localhost>"),
        accessibility_contact=_accessibility_contact(config),
        oidc_providers=_oidc_providers(config, production=environment == "production"),
        metrics_token=Secret(config("METRICS_TOKEN", default="")),
    )
    if settings.is_production:
        refuse_unsafe_production(settings, mail_from_set=config("MAIL_FROM", default="") != "")
    return settings


#: A production SECRET_KEY shorter than this is refused: it signs sessions' cookies and forms.
MIN_SECRET_KEY_CHARS = 32
#: Words of the placeholders people copy from examples (deploy/env.example) and forget, as
#: whole words: a random key (token_urlsafe) holds "-" and "_" too, but seldom a whole word.
_PLACEHOLDER_WORDS = re.compile(
    r"(?:^|[-_ .])(?:change|changeme|example|placeholder|replace|secret|your|todo|xxxx+)(?=$|[-_ .])", re.IGNORECASE
)
_GENERATE_A_KEY = "openssl rand -base64 48"


def refuse_unsafe_production(settings: Settings, *, mail_from_set: bool) -> None:
    """Production does not start on settings that would quietly make it unsafe or deaf: a
    guessable key, mail that never leaves the machine, cookies sent without TLS. Every
    problem is named at once, so one restart fixes them all."""
    problems = []
    key = str(settings.secret_key)
    if len(key) < MIN_SECRET_KEY_CHARS or _PLACEHOLDER_WORDS.search(key):
        problems.append(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_CHARS} random characters, not a placeholder "
            f"(generate one: {_GENERATE_A_KEY})"
        )
    if not settings.smtp_host:
        problems.append("SMTP_HOST must be set (without it mail would only be written to a local folder)")
    if not mail_from_set or settings.mail_from.rstrip(">").endswith("@localhost"):
        problems.append("MAIL_FROM must be set to an address of your domain, e.g. Roundtable <consult@example.org>")
    if not settings.base_url.startswith("https://"):
        problems.append("BASE_URL must be an https:// address (cookies are only kept secure over TLS)")
    if problems:
        raise SettingsError("ROUNDTABLE_ENV=production refuses to start: " + "; ".join(problems))


def _accessibility_contact(config: Config) -> str:
    """An email address; by default the sender address of the site's mail."""
    sender = parseaddr(config("MAIL_FROM", default="Roundtable <roundtable@localhost>"))[1]
    contact: str = config("ACCESSIBILITY_CONTACT", default=sender).strip()
    if "@" not in contact or any(char.isspace() for char in contact):
        raise SettingsError(f"ACCESSIBILITY_CONTACT must be an email address, not {contact!r}")
    return contact


def _form_min_fill_seconds(config: Config) -> int:
    seconds: int = config("FORM_MIN_FILL_SECONDS", cast=int, default=3)
    if not 0 <= seconds <= 600:
        raise SettingsError(f"FORM_MIN_FILL_SECONDS must be between 0 and 600, not {seconds}")
    return seconds


def _form_max_age_hours(config: Config) -> int:
    hours: int = config("FORM_MAX_AGE_HOURS", cast=int, default=24)
    if hours < 1:
        raise SettingsError(f"FORM_MAX_AGE_HOURS must be at least 1, not {hours}")
    return hours


def _oidc_providers(config: Config, *, production: bool) -> tuple[OidcProvider, ...]:
    names = [name.strip() for name in config("OIDC_PROVIDERS", default="").split(",") if name.strip()]
    if len(set(names)) != len(names):
        raise SettingsError(f"OIDC_PROVIDERS names a provider twice: {', '.join(names)}")
    return tuple(_oidc_provider(config, name, production=production) for name in names)


def _oidc_provider(config: Config, name: str, *, production: bool) -> OidcProvider:
    """Each provider named in OIDC_PROVIDERS needs all four of its variables."""
    if not OIDC_PROVIDER_NAME.fullmatch(name):
        raise SettingsError(f"OIDC_PROVIDERS: {name!r} must be lower-case letters, digits and _ (a letter first)")
    key = name.upper()
    values = {
        "ISSUER": config(f"OIDC_{key}_ISSUER", default="").strip().rstrip("/"),
        "CLIENT_ID": config(f"OIDC_{key}_CLIENT_ID", default="").strip(),
        "CLIENT_SECRET": config(f"OIDC_{key}_CLIENT_SECRET", default=""),
        "LABEL": config(f"OIDC_{key}_LABEL", default="").strip(),
    }
    missing = [f"OIDC_{key}_{suffix}" for suffix, value in values.items() if not value]
    if missing:
        raise SettingsError(f"OIDC_PROVIDERS names {name!r}, so {', '.join(missing)} must be set")
    if production and not values["ISSUER"].startswith("https://"):
        raise SettingsError(f"OIDC_{key}_ISSUER must be an https:// address in production")
    return OidcProvider(
        name=name,
        issuer=values["ISSUER"],
        client_id=values["CLIENT_ID"],
        client_secret=Secret(values["CLIENT_SECRET"]),
        label=values["LABEL"],
    )
