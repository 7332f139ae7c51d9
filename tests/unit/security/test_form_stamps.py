"""The anti-bot verdict on a submitted form: the honeypot, and the signed stamp's browser and age."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import UploadFile

from app.security.form_stamps import HONEYPOT_FIELD, STAMP_FIELD, FormTiming, Refusal, issue_stamp, judge

SECRET = "a-secret-for-these-tests"
TOKEN = "t" * 43
RENDERED = 1_800_000_000
TIMING = FormTiming(min_seconds=3, max_age_seconds=24 * 3600)


def verdict_at(now: int, fields: dict[str, object], *, token: str = TOKEN, timing: FormTiming = TIMING):  # type: ignore[no-untyped-def]
    return judge(fields, secret=SECRET, csrf_token=token, timing=timing, now=now)


def stamped(
    *, at: int = RENDERED, token: str = TOKEN, secret: str = SECRET, honeypot: object = ""
) -> dict[str, object]:
    return {STAMP_FIELD: issue_stamp(secret, token, now=at), HONEYPOT_FIELD: honeypot}


def test_a_form_open_long_enough_passes_and_keeps_its_stamp():
    fields = stamped()
    verdict = verdict_at(RENDERED + 3, fields)
    assert verdict.refusal is None
    assert verdict.kept_stamp == fields[STAMP_FIELD]


def test_a_form_sent_before_the_minimum_is_too_fast_but_its_stamp_is_kept():
    fields = stamped()
    verdict = verdict_at(RENDERED + 2, fields)
    assert verdict.refusal is Refusal.TOO_FAST
    # Shown again with the same stamp, the form counts from when the person first saw it.
    assert verdict.kept_stamp == fields[STAMP_FIELD]
    assert verdict_at(RENDERED + 3, {**fields, HONEYPOT_FIELD: ""}).refusal is None


def test_no_minimum_accepts_a_form_sent_at_once():
    assert verdict_at(RENDERED, stamped(), timing=FormTiming(0, 3600)).refusal is None


def test_a_stamp_from_the_future_counts_as_too_fast():
    assert verdict_at(RENDERED - 5, stamped()).refusal is Refusal.TOO_FAST
    assert verdict_at(RENDERED - 1, stamped(), timing=FormTiming(0, 3600)).refusal is Refusal.TOO_FAST


def test_an_old_page_only_expires_and_its_stamp_is_not_kept():
    fields = stamped()
    assert verdict_at(RENDERED + TIMING.max_age_seconds, fields).refusal is None
    verdict = verdict_at(RENDERED + TIMING.max_age_seconds + 1, fields)
    assert verdict.refusal is Refusal.EXPIRED_STAMP
    assert verdict.kept_stamp is None


@pytest.mark.parametrize("honeypot", ["https://cheap-pills.example", " ", "0"])
def test_a_filled_honeypot_is_a_bot_whatever_the_stamp(honeypot):
    verdict = verdict_at(RENDERED + 60, stamped(honeypot=honeypot))
    assert verdict.refusal is Refusal.HONEYPOT


def test_a_file_sent_as_the_honeypot_is_a_bot():
    upload = UploadFile(io.BytesIO(b"x"), filename="x.txt")
    assert verdict_at(RENDERED + 60, {**stamped(), HONEYPOT_FIELD: upload}).refusal is Refusal.HONEYPOT


def test_a_form_without_the_honeypot_field_is_judged_by_its_stamp():
    fields = stamped()
    del fields[HONEYPOT_FIELD]
    assert verdict_at(RENDERED + 60, fields).refusal is None


@pytest.mark.parametrize("missing", [{}, {STAMP_FIELD: ""}])
def test_no_stamp_is_refused(missing):
    assert verdict_at(RENDERED, {HONEYPOT_FIELD: "", **missing}).refusal is Refusal.MISSING_STAMP


def test_a_stamp_made_with_another_key_is_forged():
    verdict = verdict_at(RENDERED + 60, stamped(secret="someone-elses-key"))
    assert verdict.refusal is Refusal.FORGED_STAMP
    assert verdict.kept_stamp is None


def test_a_stamp_is_worth_nothing_in_another_browser():
    """A bot cannot fetch one page and share its stamp with a fleet of browsers."""
    verdict = verdict_at(RENDERED + 60, stamped(token="someone-elses-token-" + "x" * 30))
    assert verdict.refusal is Refusal.FORGED_STAMP


def test_a_stamp_with_its_time_changed_is_forged():
    digest, _signed_at, signature = str(stamped()[STAMP_FIELD]).split(".")
    earlier = issue_stamp(SECRET, TOKEN, now=RENDERED - 3600).split(".")[1]
    tampered = f"{digest}.{earlier}.{signature}"
    assert verdict_at(RENDERED + 1, {STAMP_FIELD: tampered}).refusal is Refusal.FORGED_STAMP


def test_a_file_sent_as_the_stamp_is_forged():
    upload = UploadFile(io.BytesIO(b"x"), filename="stamp")
    assert verdict_at(RENDERED + 60, {STAMP_FIELD: upload, HONEYPOT_FIELD: ""}).refusal is Refusal.FORGED_STAMP


@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda raw: raw.decode("latin-1")))
def test_any_other_text_as_the_stamp_is_refused_without_an_error(text):
    verdict = verdict_at(RENDERED + 60, {STAMP_FIELD: text, HONEYPOT_FIELD: ""})
    assert verdict.refusal in {Refusal.MISSING_STAMP, Refusal.FORGED_STAMP}
    assert verdict.kept_stamp is None


def test_a_huge_stamp_with_control_characters_is_forged():
    hostile = "\x00\x1b[2J" + "A." * 500_000 + "\u202e"
    assert verdict_at(RENDERED + 60, {STAMP_FIELD: hostile, HONEYPOT_FIELD: ""}).refusal is Refusal.FORGED_STAMP
