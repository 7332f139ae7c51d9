"""Mail goes out in its recipient's language (issue 13), whatever language the request that
sends it is answered in: a moderator reading English decides, a Russian reporter and an
Arabic author each read their own; a reset asked for in English reaches a French account in
French. Checked against the catalogues, so a lost translation fails here too."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.password_reset import request_password_reset
from app.i18n import current_locale, speaking
from app.i18n import gettext as _
from app.mail.models import OutgoingMail
from app.moderation.models import ModerationAction
from app.moderation.queue import decide
from app.moderation.reports import ReportDraft, report_contribution
from app.security.roles import Role
from tests.factories import make_position, make_user
from tests.unit.moderation.test_queue import BASE


async def mails_to(db, email: str) -> list[OutgoingMail]:
    return list((await db.scalars(select(OutgoingMail).where(OutgoingMail.recipient == email))).all())


def in_language(locale: str, message: str) -> str:
    with speaking(locale):
        translated = _(message)
    assert translated != message or locale == "en", f"no {locale} translation of {message!r}"
    return translated


async def test_a_decision_reaches_each_person_in_their_own_language(db, consultation):
    assert current_locale.get() == "en"  # the moderator's request
    author = await make_user(db, name="Author")
    author.locale = "ar"
    contribution = await make_position(db, consultation, author=author, body="A heated claim about a minister.")
    reporter = await make_user(db, name="Reader")
    reporter.locale = "ru"
    report = await report_contribution(
        db, reporter=reporter, contribution=contribution, draft=ReportDraft("abusive"), base_url=BASE
    )
    moderator = await make_user(db, role=Role.MODERATOR)
    await decide(
        db,
        moderator=moderator,
        item_id=report.queue_item_id,
        action=ModerationAction.HIDE,
        reason="It names a private person.",
        rule="R1",
        base_url=BASE,
    )
    received, decided = [m.subject for m in await mails_to(db, reporter.email)]
    assert received == in_language("ru", "We received your report")
    assert decided == in_language("ru", "The moderators decided on your report")
    [statement] = await mails_to(db, author.email)
    assert statement.subject == in_language("ar", "Your contribution was hidden: the reasons")
    # The moderator's own words stay as written; the labels around them are translated.
    assert "It names a private person." in statement.body_text
    assert current_locale.get() == "en"


async def test_a_reset_asked_for_in_one_language_reaches_the_account_in_its_own(db):
    person = await make_user(db, email="fr@example.org")
    person.locale = "fr"
    await db.flush()
    await request_password_reset(db, "fr@example.org", base_url=BASE)
    [mail] = await mails_to(db, "fr@example.org")
    assert mail.subject == in_language("fr", "Reset your Roundtable password")


async def test_an_account_without_a_language_gets_english(db):
    await make_user(db, email="old@example.org")
    await request_password_reset(db, "old@example.org", base_url=BASE)
    [mail] = await mails_to(db, "old@example.org")
    assert mail.subject == "Reset your Roundtable password"
