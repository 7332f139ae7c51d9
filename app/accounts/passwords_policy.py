"""What makes a password acceptable: long enough, not a well-known one, not the person's
own email address or name. Used by sign-up, password reset and `roundtable users create`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.i18n import _

MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (see data/COMMON-PASSWORDS.md), case-folded, read once per process."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.casefold() for line in lines if line)


def _same_text(a: str, b: str) -> bool:
    return bool(b.strip()) and a.strip().casefold() == b.strip().casefold()


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why `password` is refused, for the person to read, or None when it is acceptable.

    Guessing attacks try the most common passwords and the person's own details first,
    so those are refused whatever their length."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if password.casefold() in common_passwords() or password.strip().casefold() in common_passwords():
        return _("This password is one of the most commonly used, so it is easy to guess. Choose another.")
    if _same_text(password, email) or _same_text(password, email.partition("@")[0]) or _same_text(password, name):
        return _("Your password must not be your email address or your name.")
    return None
