"""What a negotiator looks at: the filters of the consolidation workspace, its documents and
its exports, in one value.

A Selection is parsed from query parameters (the workspace's GET form), kept in a job's
parameters and a snapshot's manifest (`as_params`), and turned into SQL conditions on
contributions and their organisations (`conditions`). Parsing never fails: a value that is
not understood is left out of the selection and reported in `errors`, by field, so the form
can say so beside the field and keep what the person typed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, true

from app.accounts.regions import m49_table
from app.consultation.models import Consultation, KeyMessage, SectionKind
from app.discussion.models import Contribution
from app.discussion.publication import NEGOTIATORS, names_organisation
from app.i18n import BRUSSELS, _
from app.organisations.models import Organisation, OrganisationType, VerificationState

#: Contributions written without an organisation, as a stakeholder type of their own.
INDIVIDUAL = "individual"
#: UN M49 regions (continents), the region filter's choices.
M49_REGIONS = ("002", "009", "019", "142", "150")
#: The longest value of one parameter kept; anything longer is not a ref, a code or a date.
MAX_VALUE_CHARS = 40


@dataclass(frozen=True)
class Selection:
    """Filters; an empty value means "all"."""

    roundtable: str | None = None  #: a section's ref ("RT2")
    key_message: str | None = None  #: a key message's ref ("RT2.3")
    stakeholder_types: tuple[str, ...] = ()  #: OrganisationType values and INDIVIDUAL
    regions: tuple[str, ...] = ()  #: M49 region codes of the country of registration
    positions: tuple[str, ...] = ()  #: the consultation's position words
    verified_only: bool = False
    since: date | None = None  #: first day, in Brussels, inclusive
    until: date | None = None  #: last day, in Brussels, inclusive

    @property
    def is_empty(self) -> bool:
        return self == Selection()

    def as_params(self) -> list[tuple[str, str]]:
        """Query parameters in a canonical order: equal selections give equal URLs, job
        keys and manifests."""
        params: list[tuple[str, str]] = []
        if self.roundtable:
            params.append(("roundtable", self.roundtable))
        if self.key_message:
            params.append(("key_message", self.key_message))
        params += [("type", value) for value in self.stakeholder_types]
        params += [("region", value) for value in self.regions]
        params += [("position", value) for value in self.positions]
        if self.verified_only:
            params.append(("verified", "1"))
        if self.since:
            params.append(("since", self.since.isoformat()))
        if self.until:
            params.append(("until", self.until.isoformat()))
        return params

    def as_dict(self) -> dict[str, Any]:
        """JSON-native, for a job's parameters and a manifest."""
        return {
            "roundtable": self.roundtable,
            "key_message": self.key_message,
            "stakeholder_types": list(self.stakeholder_types),
            "regions": list(self.regions),
            "positions": list(self.positions),
            "verified_only": self.verified_only,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Selection:
        """The inverse of as_dict (a job's parameters were written by as_dict)."""
        return cls(
            roundtable=data.get("roundtable"),
            key_message=data.get("key_message"),
            stakeholder_types=tuple(data.get("stakeholder_types") or ()),
            regions=tuple(data.get("regions") or ()),
            positions=tuple(data.get("positions") or ()),
            verified_only=bool(data.get("verified_only")),
            since=date.fromisoformat(data["since"]) if data.get("since") else None,
            until=date.fromisoformat(data["until"]) if data.get("until") else None,
        )

    def key_messages(self, consultation: Consultation) -> list[KeyMessage]:
        """The key messages selected, in document order: roundtables' and next steps'."""
        chosen: list[KeyMessage] = []
        for section in consultation.sections:
            if self.roundtable and section.ref != self.roundtable:
                continue
            chosen += [m for m in section.key_messages if not self.key_message or m.ref == self.key_message]
        return chosen

    @property
    def filters_who_spoke(self) -> bool:
        """Whether it chooses contributions by what their organisation is (type, region,
        verification), not only people speaking for themselves."""
        kinds = [value for value in self.stakeholder_types if value != INDIVIDUAL]
        return bool(kinds or self.regions or self.verified_only)

    def conditions(self) -> list[ColumnElement[bool]]:
        """Conditions on Contribution and Organisation (joined outer, on the contribution's
        organisation) for everything but the key messages (see key_messages).

        Where it filters by who spoke, only contributions whose byline names their organisation
        to negotiators (or that speak for none) are chosen: otherwise a filter would tell which
        kind of organisation wrote an anonymous contribution (decision 0010). Every page,
        document and export of the negotiators applies the rule through this one method."""
        found: list[ColumnElement[bool]] = []
        if self.filters_who_spoke:
            found.append(or_(names_organisation(NEGOTIATORS), Contribution.organisation_id.is_(None)))
        if self.stakeholder_types:
            kinds = [OrganisationType(value) for value in self.stakeholder_types if value != INDIVIDUAL]
            either = [Organisation.type.in_(kinds)] if kinds else []
            if INDIVIDUAL in self.stakeholder_types:
                either.append(Contribution.organisation_id.is_(None))
            found.append(or_(*either))
        if self.regions:
            countries = sorted(code for code, place in m49_table().items() if place.region in self.regions)
            found.append(Organisation.country.in_(countries))
        if self.positions:
            found.append(Contribution.position.in_(self.positions))
        if self.verified_only:
            found.append(Organisation.verification == VerificationState.VERIFIED)
        if self.since:
            found.append(Contribution.created_at >= _start_of(self.since))
        if self.until:
            found.append(Contribution.created_at < _start_of(self.until + timedelta(days=1)))
        return found

    def condition(self) -> ColumnElement[bool]:
        return and_(true(), *self.conditions())


def _start_of(day: date) -> datetime:
    """Midnight in Brussels, the consultation's time zone, as an aware instant."""
    return datetime.combine(day, time(0), tzinfo=BRUSSELS)


@dataclass
class ParsedSelection:
    selection: Selection
    #: By field name: why a value was left out.
    errors: dict[str, str] = field(default_factory=dict)


def _values(params: Any, name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    raw: Iterable[Any] = getlist(name) if getlist else ([params[name]] if name in params else [])
    return [value.strip() for value in raw if isinstance(value, str) and value.strip()]


def _day(text: str | None) -> date | None:
    if not text or len(text) > MAX_VALUE_CHARS:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_selection(params: Any, consultation: Consultation) -> ParsedSelection:
    """A Selection from query parameters (a Starlette QueryParams or a plain mapping)."""
    errors: dict[str, str] = {}
    roundtables = {s.ref for s in consultation.sections if s.ref and s.kind is SectionKind.ROUNDTABLE}
    roundtables |= {s.ref for s in consultation.sections if s.ref and s.key_messages}
    refs = {m.ref for s in consultation.sections for m in s.key_messages}

    roundtable = next(iter(_values(params, "roundtable")), None)
    if roundtable is not None and roundtable not in roundtables:
        errors["roundtable"] = _("Choose a roundtable from the list.")
        roundtable = None
    key_message = next(iter(_values(params, "key_message")), None)
    if key_message is not None and key_message not in refs:
        errors["key_message"] = _("Choose a key message from the list.")
        key_message = None

    known_types = {t.value for t in OrganisationType} | {INDIVIDUAL}
    types = _values(params, "type")
    if any(value not in known_types for value in types):
        errors["type"] = _("Choose stakeholder types from the list.")
    regions = _values(params, "region")
    if any(value not in M49_REGIONS for value in regions):
        errors["region"] = _("Choose regions from the list.")
    positions = _values(params, "position")
    if any(value not in consultation.positions for value in positions):
        errors["position"] = _("Choose positions from the list.")

    since_text = next(iter(_values(params, "since")), None)
    until_text = next(iter(_values(params, "until")), None)
    since, until = _day(since_text), _day(until_text)
    if since_text and since is None:
        errors["since"] = _("Enter a date as YYYY-MM-DD.")
    if until_text and until is None:
        errors["until"] = _("Enter a date as YYYY-MM-DD.")
    if since and until and until < since:
        errors["until"] = _("The last day comes before the first.")
        until = None

    selection = Selection(
        roundtable=roundtable,
        key_message=key_message,
        # Sorted and without repeats: the same choice is the same selection, whatever the order.
        stakeholder_types=tuple(sorted({v for v in types if v in known_types})),
        regions=tuple(sorted({v for v in regions if v in M49_REGIONS})),
        positions=tuple(p for p in consultation.positions if p in positions),
        verified_only=next(iter(_values(params, "verified")), "") in {"1", "on", "true"},
        since=since,
        until=until,
    )
    return ParsedSelection(selection, errors)
