"""Realistic fake organisations, people and threads, for demos and the benchmark.

Pages and exports have to be judged on data that looks like a real consultation (every
stakeholder type, many countries, deep threads, Markdown bodies) and at volumes that the
per-row services would make far too slow (argon2 per person, a lookup per write). So rows
are planned in memory from one seeded generator and written in bulk (app.demo.contributions,
app.demo.bulk): the same seed always gives the same organisations, people, bodies,
positions and thread shapes.

Demo people cannot sign in: they share one hash of a random password nobody knows. Their
emails are demo-<n>@example.org (a reserved domain) and numbering continues after the
highest one present, so running the generator again adds more instead of failing.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from faker import Faker
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.labels import country_name
from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage
from app.consultation.phases import as_utc
from app.consultation.services import all_key_messages, consultation_by_slug, key_message_by_ref
from app.db import Base, utcnow
from app.demo.bulk import insert_rows, page_cache_for_loads
from app.demo.contributions import save_contributions
from app.demo.deliberation import members_by_organisation, plan_deliberation, save_tags_and_endorsements
from app.demo.foreign_keys import hold_for_loads
from app.demo.threads import plan_threads, timeline
from app.demo.vocabulary import ELSEWHERE, EUROPE, ORG_TEMPLATES, PLACES, TYPE_WEIGHTS
from app.discussion.contribution_write import mark_discussion_changed
from app.discussion.models import Contribution, ContributionTopic, Endorsement
from app.organisations.directory import organisation_name_key, organisation_search_key
from app.organisations.models import Membership, Organisation
from app.organisations.models import OrganisationType as T
from app.security.passwords import hash_password

K = TypeVar("K")
BATCH_ROWS = 1000
REPLY_SHARE = 0.4
EUROPEAN_SHARE = 0.5  #: organisations registered in Europe, besides every diaspora one
INDIVIDUAL_SHARE = 0.05  #: people who speak for themselves (the "individuals" tally bucket)
FAKER_PROVIDERS = ["faker.providers.person", "faker.providers.company"]
#: The tables loaded with their foreign keys checked at once (app.demo.foreign_keys).
LOADED = [cast(Table, model.__table__) for model in (Contribution, ContributionTopic, Endorsement)]


@dataclass(frozen=True)
class OrgSpec:
    name: str
    type: T
    country: str
    people_locale: str  #: diaspora members carry names from their country of origin


def _pick(rng: random.Random, weights: Mapping[K, float]) -> K:
    return rng.choices(list(weights), list(weights.values()))[0]


class _Fakers:
    """One Faker per locale, each seeded alike, created on first use, with only the
    providers the names need (all of them cost 0.1 s a locale, and there are 28)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.by_locale: dict[str, Faker] = {}

    def __call__(self, locale: str) -> Faker:
        if locale not in self.by_locale:
            self.by_locale[locale] = Faker(locale, providers=FAKER_PROVIDERS)
            self.by_locale[locale].seed_instance(self.seed)
        return self.by_locale[locale]


def _organisation(rng: random.Random, fakers: _Fakers) -> OrgSpec:
    kind: T = _pick(rng, TYPE_WEIGHTS)
    origin = rng.choice(list(ELSEWHERE))
    in_europe = kind is T.DIASPORA or rng.random() < EUROPEAN_SHARE
    country = rng.choice(list(EUROPE)) if in_europe else origin
    locale, cities = PLACES[country]
    fake = fakers(locale)
    name = rng.choice(ORG_TEMPLATES[kind]).format(
        city=rng.choice(cities.split(",")),
        name=fake.last_name(),
        company=fake.company(),
        country=country_name(country),
        origin=country_name(origin),
    )
    return OrgSpec(name[:200], kind, country, PLACES[origin][0] if kind is T.DIASPORA else locale)


def _organisations(rng: random.Random, fakers: _Fakers, count: int) -> list[OrgSpec]:
    """Distinct by (name, country), as the organisations table requires."""
    specs: dict[tuple[str, str], OrgSpec] = {}
    for _ in range(count * 5):
        spec = _organisation(rng, fakers)
        specs.setdefault((organisation_name_key(spec.name), spec.country), spec)
        if len(specs) == count:
            break
    return list(specs.values())


def _people(rng: random.Random, fakers: _Fakers, orgs: list[OrgSpec], count: int) -> list[tuple[str, int | None]]:
    """(display name, index of their organisation or None)."""
    people = []
    for _ in range(count):
        org = None if rng.random() < INDIVIDUAL_SHARE else rng.randrange(len(orgs))
        locale = orgs[org].people_locale if org is not None else PLACES[rng.choice(list(PLACES))][0]
        people.append((fakers(locale).name()[:120], org))
    return people


def _moments(rng: random.Random, count: int, consultation: Consultation) -> list[datetime]:
    """Spread over the consultation's open phase so far (the 90 days up to now when it sets
    no instants): never in the future."""
    now = utcnow()
    closes = min(as_utc(consultation.closes_at) or now, now)
    opens = as_utc(consultation.opens_at)
    start = opens if opens is not None and opens < closes else closes - timedelta(days=90)
    return timeline(rng, count, start, closes)


async def _insert(db: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
    """Batched INSERT … RETURNING id; ids come back in the order of `rows`."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH_ROWS):
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
        ids += (await db.execute(statement, rows[start : start + BATCH_ROWS])).scalars().all()
    return ids


async def _save_organisations(db: AsyncSession, specs: list[OrgSpec], now: datetime) -> tuple[list[int], int]:
    """Ids for every spec, reusing organisations an earlier run (or a person) created."""
    rows = await db.execute(select(Organisation.id, Organisation.name_key, Organisation.country))
    known = {(key, country): id_ for id_, key, country in rows}
    new = [s for s in specs if (organisation_name_key(s.name), s.country) not in known]
    ids = await _insert(
        db,
        Organisation,
        [
            {
                "name": s.name,
                "name_key": organisation_name_key(s.name),
                "search_key": organisation_search_key(s.name),
                "type": s.type,
                "country": s.country,
                "created_at": now,
                "updated_at": now,
            }
            for s in new
        ],
    )
    known.update(zip([(organisation_name_key(s.name), s.country) for s in new], ids, strict=True))
    return [known[(organisation_name_key(s.name), s.country)] for s in specs], len(new)


async def _next_demo_number(db: AsyncSession) -> int:
    emails = await db.scalars(select(User.email).where(User.email.like("demo-%@example.org")))
    numbers = [int(e[5:-12]) for e in emails if e[5:-12].isdigit()]
    return max(numbers, default=0) + 1


async def _save_people(
    db: AsyncSession, people: list[tuple[str, int | None]], org_ids: list[int], now: datetime
) -> tuple[list[int], int]:
    """User ids in order, and the number of the first demo email."""
    first, password_hash = await _next_demo_number(db), await hash_password(secrets.token_urlsafe(32))
    ids = await _insert(
        db,
        User,
        [
            {
                "email": f"demo-{first + i}@example.org",
                "display_name": name,
                "password_hash": password_hash,
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            }
            for i, (name, _org) in enumerate(people)
        ],
    )
    await insert_rows(
        db,
        cast(Table, Membership.__table__),
        ("user_id", "organisation_id", "is_admin", "created_at", "updated_at"),
        [(uid, org_ids[o], False, now, now) for uid, (_name, o) in zip(ids, people, strict=True) if o is not None],
    )
    return ids, first


async def _consultation(db: AsyncSession, slug: str | None) -> Consultation:
    if slug is None:
        slugs = list(await db.scalars(select(Consultation.slug).order_by(Consultation.slug)))
        if len(slugs) != 1:
            raise LookupError(f"choose a consultation with --consultation (found: {', '.join(slugs) or 'none'})")
        slug = slugs[0]
    if (consultation := await consultation_by_slug(db, slug)) is None:
        raise LookupError(f"no consultation with the slug {slug!r}")
    return consultation


def _key_messages(consultation: Consultation, ref: str | None, other_than: Collection[str]) -> list[KeyMessage]:
    if ref is None:
        messages = [m for m in all_key_messages(consultation) if m.ref not in other_than]
        if not messages:
            raise LookupError(f"no key message in consultation {consultation.slug!r} besides {', '.join(other_than)}")
        return messages
    if (message := key_message_by_ref(consultation, ref)) is None:
        raise LookupError(f"no key message {ref!r} in consultation {consultation.slug!r}")
    return [message]


async def generate_demo_data(
    db: AsyncSession,
    *,
    contributions: int,
    key_message_ref: str | None,
    consultation_slug: str | None,
    random_seed: int,
    reply_share: float = REPLY_SHARE,
    other_than: Collection[str] = (),
) -> str:
    """Add organisations, people and `contributions` threaded contributions, with their topics,
    endorsements and publication choices, on one key message or on all but those `other_than`
    names (refs); the caller commits. On PostgreSQL as a superuser, contributions, their
    topics and endorsements are held against the site's writes until then (their foreign
    keys are checked once per key: app.demo.foreign_keys)."""
    if contributions < 1:
        raise ValueError("--contributions must be at least 1")
    consultation = await _consultation(db, consultation_slug)
    messages = _key_messages(consultation, key_message_ref, other_than)
    rng = random.Random(random_seed)  # noqa: S311 - reproducible demo data, not a secret
    fakers = _Fakers(random_seed)
    orgs = _organisations(rng, fakers, min(max(contributions // 12, 12), 1500))
    people = _people(rng, fakers, orgs, min(max(contributions // 4, 24), 8000))
    moments = _moments(rng, contributions, consultation)
    ids = [m.id for m in messages]
    plan, bodies = plan_threads(rng, moments, ids, consultation.positions, len(people), reply_share)
    # People first: on SQLite their rows take the write lock that reserving ids relies on.
    org_ids, new_orgs = await _save_organisations(db, orgs, utcnow())
    user_ids, first = await _save_people(db, people, org_ids, utcnow())
    speaks_for = [None if org is None else org_ids[org] for _n, org in people]
    members = members_by_organisation(people, user_ids, org_ids)
    texts = {message.id: message.text for message in messages}
    extras = plan_deliberation(
        random.Random(random_seed + 1),  # noqa: S311 - its own stream, so thread shapes stay as they were
        positions=[p.position for p in plan],
        speaks_for=[speaks_for[p.author] for p in plan],
        key_message_texts=[texts[p.key_message_id] for p in plan],
        amendment_positions=consultation.amendment_positions,
        topic_ids=[topic.id for topic in consultation.topics],
        organisation_ids=sorted(members),
    )
    await hold_for_loads(db, LOADED)
    async with page_cache_for_loads(db):
        saved = await save_contributions(db, plan, bodies, user_ids, speaks_for, extras)
        tags, endorsements = await save_tags_and_endorsements(db, extras, saved, moments, members)
    for key_message_id in {item.key_message_id for item in plan}:
        await mark_discussion_changed(db, key_message_id)
    replies = sum(1 for p in plan if p.parent is not None)
    return (
        f"{consultation.slug}: {contributions} contributions ({contributions - replies} positions, "
        f"{replies} replies, depth ≤ {max(p.depth for p in plan)}) on {len(messages)} key message(s) "
        f"by {len(people)} people (demo-{first}…demo-{first + len(people) - 1}@example.org), "
        f"{new_orgs} new organisations, {tags} topic tags, {endorsements} endorsements"
    )
