"""How a consultation is run on the site, set by administrators: its pre-moderation
(app.discussion.holding) and whether it publishes what was taken up once closed
(app.consolidation.outcome). Every real change is audited with the previous value and the
administrator's reason; choosing what is already so records nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.admin.services import AdminChangeError, clean_reason
from app.audit.services import CONSULTATION_OUTCOME, CONSULTATION_PREMODERATION, record
from app.consultation.models import Consultation, PreModeration
from app.i18n import _, cached_per_locale


@cached_per_locale
def premoderation_labels() -> dict[PreModeration, str]:
    return {
        PreModeration.NONE: _("None: contributions are published at once"),
        PreModeration.FIRST_CONTRIBUTION: _("A person's contributions, until a moderator approved one of them"),
        PreModeration.UNVERIFIED: _("Everyone's, except people speaking for a verified organisation"),
    }


async def all_consultations(db: AsyncSession) -> list[Consultation]:
    return list((await db.scalars(select(Consultation).order_by(Consultation.title))).all())


async def set_premoderation(
    db: AsyncSession, *, admin: User, consultation: Consultation, value: str, reason: str, address: str | None
) -> bool:
    """Set whose contributions wait for a moderator; False when it already was so. Held
    contributions stay held whatever the new setting: a moderator decides each one."""
    try:
        chosen = PreModeration(value)
    except ValueError:
        raise AdminChangeError("premoderation", _("Choose whose contributions wait for a moderator.")) from None
    reason = clean_reason(reason)
    if chosen is consultation.premoderation:
        return False
    previous, consultation.premoderation = consultation.premoderation, chosen
    record(
        db,
        CONSULTATION_PREMODERATION,
        actor=admin,
        address=address,
        details={"consultation": consultation.slug, "premoderation": chosen.value, "previous": previous.value}
        | ({"reason": reason} if reason else {}),
    )
    await db.flush()
    return True


async def set_publishes_outcome(
    db: AsyncSession, *, admin: User, consultation: Consultation, value: str, reason: str, address: str | None
) -> bool:
    """Turn the consultation's "what we heard" pages on or off; False when it already was so.
    The pages still wait for the consultation to close."""
    if value not in {"on", "off"}:
        raise AdminChangeError("publishes_outcome", _("Choose whether to publish what was taken up."))
    chosen, reason = value == "on", clean_reason(reason)
    if chosen == consultation.publishes_outcome:
        return False
    consultation.publishes_outcome = chosen
    record(
        db,
        CONSULTATION_OUTCOME,
        actor=admin,
        address=address,
        details={"consultation": consultation.slug, "publishes_outcome": chosen, "previous": not chosen}
        | ({"reason": reason} if reason else {}),
    )
    await db.flush()
    return True
