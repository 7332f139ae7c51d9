"""Passwords: long enough, not on the bundled list of common ones, not the person's own details."""

from __future__ import annotations

import pytest

from app.accounts.passwords_policy import MIN_PASSWORD_LENGTH, common_passwords, password_problem


def test_the_bundled_list_is_the_top_ten_thousand():
    assert len(common_passwords()) >= 9_900
    assert {"123456", "password", "qwertyuiop", "1q2w3e4r5t"} <= common_passwords()


@pytest.mark.parametrize("password", ["qwertyuiop", "QwertyUIOP", "1234567890", "basketball", "Password12"])
def test_common_passwords_are_refused_whatever_the_case(password):
    assert password_problem(password) == (
        "This password is one of the most commonly used, so it is easy to guess. Choose another."
    )


def test_short_passwords_are_refused():
    assert password_problem("x" * (MIN_PASSWORD_LENGTH - 1)) == "Choose a password of at least 10 characters."


@pytest.mark.parametrize(
    "password", ["aminata.diallo@example.org", "AMINATA.DIALLO@EXAMPLE.ORG", "aminata.diallo", "Aminata Diallo K"]
)
def test_the_email_or_the_name_is_refused(password):
    problem = password_problem(password, email="aminata.diallo@example.org", name="Aminata Diallo K")
    assert problem == "Your password must not be your email address or your name."


def test_a_long_uncommon_password_is_accepted():
    assert password_problem("a long enough password", email="a@example.org", name="A") is None
