"""Publication consent, applied in one place: what a given audience may see of a contribution.

Every listing, page, live update, feed and export asks this module who wrote a contribution
and whether it is listed at all, so a contribution published anonymously never shows its
author or organisation to anyone but moderators, and one not for publication is seen only
by moderators and negotiators."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, true

from app.discussion.models import Contribution, PublicationConsent
from app.security.identity import Identity
from app.security.permissions import Permission
from app.security.policy import permits


@dataclass(frozen=True, slots=True)
class Audience:
    """Who is reading, reduced to what changes what they see."""

    see_unpublished: bool = False  #: moderators and negotiators
    see_withheld_names: bool = False  #: moderators: authors of anonymous contributions

    @property
    def variant(self) -> str:
        """Part of the key of cached fragments (app.fragments), one per distinct audience."""
        return f"u{int(self.see_unpublished)}n{int(self.see_withheld_names)}"


#: Anyone reading the site; also what feeds are written for.
PUBLIC = Audience()
#: What negotiators see, and so what every export contains.
NEGOTIATORS = Audience(see_unpublished=True)


def audience_of(identity: Identity) -> Audience:
    return Audience(
        see_unpublished=permits(identity, Permission.SEE_UNPUBLISHED),
        see_withheld_names=permits(identity, Permission.SEE_WITHHELD_NAMES),
    )


def as_author(audience: Audience) -> Audience:
    """Authors read their own contributions, those not for publication included; use it for
    the author's own contribution only, never for a list."""
    return replace(audience, see_unpublished=True)


def listed_for(audience: Audience) -> ColumnElement[bool]:
    """SQL condition on Contribution: the rows this audience may see at all."""
    if audience.see_unpublished:
        return true()
    return Contribution.publication != PublicationConsent.NOT_FOR_PUBLICATION


def is_listed_for(publication: PublicationConsent, audience: Audience) -> bool:
    return audience.see_unpublished or publication is not PublicationConsent.NOT_FOR_PUBLICATION


def needs_organisation(publication: PublicationConsent) -> bool:
    """Published under the organisation's name alone: a person writing for themselves has
    none to publish it under."""
    return publication is PublicationConsent.ORGANISATION_ONLY


def counts_under_organisation(publication: PublicationConsent) -> bool:
    """Whether a listed contribution counts in tallies under its organisation's type, country
    and region: only when the public may see the organisation (else it counts as undisclosed)."""
    return byline(publication, PUBLIC).organisation


def may_be_endorsed(publication: PublicationConsent) -> bool:
    """Only what everyone can read is co-signed by other organisations."""
    return is_listed_for(publication, PUBLIC)


def author_name(contribution: Contribution, audience: Audience) -> str | None:
    """The author's name as this audience may read it: None where the byline withholds it or
    the author erased their account. Needs `contribution.author` loaded."""
    author = contribution.author
    if not byline(contribution.publication, audience).person or author is None or author.erased_at is not None:
        return None
    return author.display_name


def names_organisation(audience: Audience) -> ColumnElement[bool]:
    """SQL condition on Contribution: listed for this audience under its organisation's name.
    An organisation's own page lists only these: an anonymous one listed there would name it."""
    consents = [c for c in PublicationConsent if is_listed_for(c, audience) and byline(c, audience).organisation]
    return Contribution.publication.in_(consents)


@dataclass(frozen=True, slots=True)
class Byline:
    """Whether the person and the organisation may be named to this audience."""

    person: bool
    organisation: bool
    #: The names are shown only because the reader moderates (anonymous contributions).
    revealed_to_moderator: bool = False


def byline(publication: PublicationConsent, audience: Audience) -> Byline:
    if publication is PublicationConsent.ANONYMOUS:
        if audience.see_withheld_names:
            return Byline(person=True, organisation=True, revealed_to_moderator=True)
        return Byline(person=False, organisation=False)
    if publication is PublicationConsent.ORGANISATION_ONLY:
        if audience.see_withheld_names:
            return Byline(person=True, organisation=True, revealed_to_moderator=True)
        return Byline(person=False, organisation=True)
    return Byline(person=True, organisation=True)


#: The name a position paper is shown and downloaded under when its contribution's byline
#: withholds a name: people name files after themselves and their organisation.
WITHHELD_FILE_NAME = "position-paper.pdf"


def file_name(original_name: str, shown: Byline) -> str:
    """A position paper's name as this byline allows: its own only where both the person and
    the organisation may be named."""
    return original_name if shown.person and shown.organisation else WITHHELD_FILE_NAME


#: The choices offered on the contribution form, in order; the first is the default
#: (app.discussion.labels.consent_choices words them).
CONSENT_CHOICES = (
    PublicationConsent.NAMED,
    PublicationConsent.ORGANISATION_ONLY,
    PublicationConsent.ANONYMOUS,
    PublicationConsent.NOT_FOR_PUBLICATION,
)
