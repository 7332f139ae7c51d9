"""Settings from the environment: development conveniences, production strictness."""

from __future__ import annotations

import logging

import pytest

from app.settings import SettingsError, load_settings


def test_development_generates_a_secret_once_and_warns(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        first = load_settings({"ROUNDTABLE_VAR_DIR": str(tmp_path)})
    second = load_settings({"ROUNDTABLE_VAR_DIR": str(tmp_path)})
    assert str(first.secret_key) == str(second.secret_key) and len(str(first.secret_key)) >= 32
    assert "SECRET_KEY is not set" in caplog.text
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path / 'roundtable.db'}"


def test_production_requires_a_secret(tmp_path):
    with pytest.raises(SettingsError, match="SECRET_KEY is required"):
        load_settings({"ROUNDTABLE_ENV": "production", "ROUNDTABLE_VAR_DIR": str(tmp_path)})


def test_unknown_environment_is_refused():
    with pytest.raises(SettingsError, match="ROUNDTABLE_ENV"):
        load_settings({"ROUNDTABLE_ENV": "staging", "SECRET_KEY": "x"})


def test_https_base_url_turns_on_secure_cookies():
    settings = load_settings({"SECRET_KEY": "x", "BASE_URL": "https://consult.example.org/"})
    assert settings.secure_cookies and settings.base_url == "https://consult.example.org"


def test_anti_spam_timings_default_and_refuse_what_would_lock_people_out():
    defaults = load_settings({"SECRET_KEY": "x"})
    assert (defaults.form_min_fill_seconds, defaults.form_max_age_hours) == (3, 24)
    assert load_settings({"SECRET_KEY": "x", "FORM_MIN_FILL_SECONDS": "0"}).form_min_fill_seconds == 0
    for name, value in (("FORM_MIN_FILL_SECONDS", "-1"), ("FORM_MIN_FILL_SECONDS", "601"), ("FORM_MAX_AGE_HOURS", "0")):
        with pytest.raises(SettingsError, match=name):
            load_settings({"SECRET_KEY": "x", name: value})


GOOD_PRODUCTION = {
    "ROUNDTABLE_ENV": "production",
    "SECRET_KEY": "Vq3d8Zr0kP2mX9sTn4bW7yL1cF6hJ5gA-uE_oI8rN2tK",
    "SMTP_HOST": "smtp.example.org",
    "MAIL_FROM": "Roundtable <consult@example.org>",
    "BASE_URL": "https://consult.example.org",
}


def test_a_complete_production_configuration_starts(tmp_path):
    settings = load_settings({**GOOD_PRODUCTION, "ROUNDTABLE_VAR_DIR": str(tmp_path)})
    assert settings.is_production and settings.smtp_host == "smtp.example.org"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": "change-me-to-64-random-characters"}, "SECRET_KEY must be at least 32 random characters"),
        ({"SECRET_KEY": "short-but-random-9f8e"}, "SECRET_KEY"),
        ({"SECRET_KEY": "your_secret_key_here_your_secret_key_here"}, "SECRET_KEY"),
        ({"SMTP_HOST": ""}, "SMTP_HOST must be set"),
        ({"MAIL_FROM": ""}, "MAIL_FROM must be set"),
        ({"MAIL_FROM": "Roundtable <roundtable@localhost>"}, "MAIL_FROM must be set"),
        ({"BASE_URL": "http://consult.example.org"}, "BASE_URL must be an https:// address"),
    ],
)
def test_production_refuses_each_unsafe_setting_by_name(tmp_path, change, named):
    environ = {**GOOD_PRODUCTION, "ROUNDTABLE_VAR_DIR": str(tmp_path), **change}
    environ = {name: value for name, value in environ.items() if value != ""}
    with pytest.raises(SettingsError, match=named) as refused:
        load_settings(environ)
    assert str(refused.value).count(";") == 0, "only the one problem is named"


def test_every_problem_is_named_at_once_on_one_line(tmp_path):
    environ = {"ROUNDTABLE_ENV": "production", "SECRET_KEY": "change-me", "ROUNDTABLE_VAR_DIR": str(tmp_path)}
    with pytest.raises(SettingsError) as refused:
        load_settings(environ)
    message = str(refused.value)
    assert "\n" not in message
    assert all(name in message for name in ("SECRET_KEY", "SMTP_HOST", "MAIL_FROM", "BASE_URL"))


def test_random_keys_are_not_taken_for_placeholders():
    import secrets

    from app.settings import _PLACEHOLDER_WORDS

    assert not any(_PLACEHOLDER_WORDS.search(secrets.token_urlsafe(48)) for _ in range(20_000))
