"""Telling people from bots without a CAPTCHA (docs/decisions/0020): the forms that create an
account or a contribution carry a honeypot field nobody sees and a signed stamp of when the
page showed them. A bot fills every field it finds and posts at once; a person leaves the
hidden field empty and takes a few seconds at least.

The stamp is itsdangerous' TimestampSigner over a digest of the browser's CSRF token: only
this site can make one, and a stamp is worth nothing in another browser. Only a stamp's age
is judged, against a minimum (FORM_MIN_FILL_SECONDS) and a maximum (FORM_MAX_AGE_HOURS).
Because a page kept for a while (a tab left open, the back button) can only make a stamp
older, it can never look too fast; it can only expire, and an expired form is shown again
with its text kept, with a fresh stamp."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from itsdangerous import BadSignature, TimestampSigner
from starlette.requests import Request

from app.security.csrf import STATE_SHOWN, STATE_TOKEN

#: The hidden field holding the stamp.
STAMP_FIELD = "form_stamp"
#: The honeypot: a text field bots like to fill, out of sight and out of reach for people.
HONEYPOT_FIELD = "homepage"
SALT = "roundtable.form-stamp"


class Refusal(StrEnum):
    """Why a form was taken for a bot's; logged, never shown (everyone sees the same answer)."""

    #: The field no person sees or reaches was filled.
    HONEYPOT = "honeypot"
    #: The form carried no stamp: it was not rendered by this site's page.
    MISSING_STAMP = "missing_stamp"
    #: The stamp's signature is wrong, or it was made for another browser.
    FORGED_STAMP = "forged_stamp"
    #: The form was rendered longer ago than FORM_MAX_AGE_HOURS.
    EXPIRED_STAMP = "expired_stamp"
    #: The form came back sooner than FORM_MIN_FILL_SECONDS after it was rendered.
    TOO_FAST = "too_fast"


@dataclass(frozen=True, slots=True)
class FormTiming:
    """How long a form must have been open (at least) and may have been open (at most)."""

    min_seconds: int
    max_age_seconds: int


@dataclass(frozen=True, slots=True)
class Verdict:
    refusal: Refusal | None
    #: The stamp sent, when it is genuine and not expired. A form shown again carries it
    #: rather than a new one: a person who was too fast, or corrects a mistake, does not
    #: have to wait the minimum again from zero.
    kept_stamp: str | None


class _StampSigner(TimestampSigner):
    """TimestampSigner whose clock may be given (tests and one-off stamps), in whole seconds."""

    def __init__(self, secret: str, now: int | None = None) -> None:
        super().__init__(secret, salt=SALT)
        self._now = now

    def get_timestamp(self) -> int:
        return super().get_timestamp() if self._now is None else self._now


def _browser_digest(csrf_token: str) -> str:
    """What a stamp is bound to: the browser's CSRF token, not shown again as it is."""
    return hashlib.sha256(f"{SALT}:{csrf_token}".encode()).hexdigest()[:32]


def issue_stamp(secret: str, csrf_token: str, *, now: int | None = None) -> str:
    """A stamp of this moment (or `now`, Unix seconds) for the browser holding `csrf_token`."""
    return _StampSigner(secret, now).sign(_browser_digest(csrf_token)).decode()


def judge(
    fields: Mapping[str, object], *, secret: str, csrf_token: str, timing: FormTiming, now: int | None = None
) -> Verdict:
    """Whether a submitted form looks like a bot's, and the stamp worth keeping if not forged.
    The honeypot first: a filled one is a bot's whatever its stamp says."""
    honeypot = fields.get(HONEYPOT_FIELD)
    stamp = fields.get(STAMP_FIELD)
    signed_at = _signed_at(secret, csrf_token, stamp) if isinstance(stamp, str) and stamp else None
    age = (_StampSigner(secret, now).get_timestamp() - signed_at) if signed_at is not None else None
    kept = stamp if isinstance(stamp, str) and age is not None and age <= timing.max_age_seconds else None
    return Verdict(_refusal(honeypot, stamp, age, timing), kept)


def _refusal(honeypot: object, stamp: object, age: int | None, timing: FormTiming) -> Refusal | None:
    if honeypot is not None and honeypot != "":
        return Refusal.HONEYPOT
    if stamp is None or stamp == "":
        return Refusal.MISSING_STAMP
    if age is None:
        return Refusal.FORGED_STAMP
    if age > timing.max_age_seconds:
        return Refusal.EXPIRED_STAMP
    # A negative age (a stamp from a server whose clock runs ahead) counts as too fast.
    if age < timing.min_seconds:
        return Refusal.TOO_FAST
    return None


def _signed_at(secret: str, csrf_token: str, stamp: str) -> int | None:
    """When the stamp was made (Unix seconds), if this site made it for this browser."""
    try:
        value, signed = _StampSigner(secret).unsign(stamp, return_timestamp=True)
    except (BadSignature, UnicodeError):
        return None
    if not hmac.compare_digest(value, _browser_digest(csrf_token).encode()):
        return None
    return int(signed.timestamp())


class PageStamp:
    """The stamp as a page shows it (templates get this): made when the form is rendered,
    for the browser's CSRF token, which it shows too (app.security.csrf.PageToken): the page
    is then per browser, so no shared cache keeps it. Pages stored in app.fragments are
    shared by every reader, so no form is ever part of one (docs/decisions/0020)."""

    __slots__ = ("_request",)

    def __init__(self, request: Request) -> None:
        self._request = request

    def __str__(self) -> str:
        state = self._request.scope.setdefault("state", {})
        state[STATE_SHOWN] = True
        secret = str(self._request.app.state.settings.secret_key)
        return issue_stamp(secret, str(state.get(STATE_TOKEN, "")))

    def __html__(self) -> str:
        # Base64 and dots only: nothing to escape.
        return str(self)
