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


def test_the_accessibility_contact_defaults_to_the_mail_sender_and_must_be_an_address():
    assert load_settings({"SECRET_KEY": "x"}).accessibility_contact == "roundtable@localhost"
    sender = {"SECRET_KEY": "x", "MAIL_FROM": "Consultation <consult@example.eu>"}
    assert load_settings(sender).accessibility_contact == "consult@example.eu"
    chosen = load_settings({**sender, "ACCESSIBILITY_CONTACT": " access@example.eu "})
    assert chosen.accessibility_contact == "access@example.eu"
    with pytest.raises(SettingsError, match="ACCESSIBILITY_CONTACT"):
        load_settings({**sender, "ACCESSIBILITY_CONTACT": "the web team"})
