"""OpenID Connect providers come from the environment; a half-configured one fails fast."""

from __future__ import annotations

import pytest

from app.settings import SettingsError, load_settings

BASE = {"SECRET_KEY": "x", "ROUNDTABLE_ENV": "test"}
EULOGIN = {
    "OIDC_EULOGIN_ISSUER": "https://ecas.example.eu/cas/oauth2/",
    "OIDC_EULOGIN_CLIENT_ID": "roundtable",
    "OIDC_EULOGIN_CLIENT_SECRET": "s3cret",
    "OIDC_EULOGIN_LABEL": "EU Login",
}


def test_no_providers_by_default():
    assert load_settings(BASE).oidc_providers == ()


def test_each_named_provider_is_read():
    settings = load_settings({**BASE, **EULOGIN, "OIDC_PROVIDERS": " eulogin "})
    [provider] = settings.oidc_providers
    assert (provider.name, provider.issuer, provider.client_id, provider.label) == (
        "eulogin",
        "https://ecas.example.eu/cas/oauth2",
        "roundtable",
        "EU Login",
    )
    assert str(provider.client_secret) == "s3cret" and "s3cret" not in repr(provider)
    assert provider.metadata_url == "https://ecas.example.eu/cas/oauth2/.well-known/openid-configuration"


def test_a_missing_variable_is_named():
    environ = {**BASE, **EULOGIN, "OIDC_PROVIDERS": "eulogin,keycloak", "OIDC_KEYCLOAK_ISSUER": "https://kc.example"}
    with pytest.raises(
        SettingsError, match="OIDC_KEYCLOAK_CLIENT_ID, OIDC_KEYCLOAK_CLIENT_SECRET, OIDC_KEYCLOAK_LABEL"
    ):
        load_settings(environ)


@pytest.mark.parametrize("names", ["EU-Login", "eulogin,eulogin", "1op"])
def test_bad_or_repeated_names_are_refused(names):
    with pytest.raises(SettingsError, match="OIDC_PROVIDERS"):
        load_settings({**BASE, **EULOGIN, "OIDC_PROVIDERS": names})


def test_production_needs_an_https_issuer():
    environ = {**EULOGIN, "SECRET_KEY": "x", "ROUNDTABLE_ENV": "production", "OIDC_PROVIDERS": "eulogin"}
    environ["OIDC_EULOGIN_ISSUER"] = "http://ecas.example.eu"
    with pytest.raises(SettingsError, match="https"):
        load_settings(environ)
