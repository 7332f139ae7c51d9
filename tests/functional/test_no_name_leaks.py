"""Publication consent, proved end to end: a person who publishes anonymously is never
named, nor is their organisation, on any page, fragment, feed, export, refusal or error page,
to anyone but moderators; one who publishes under their organisation only is never named; a
contribution not for publication is neither shown nor linked to those who may not read it.
Every GET route of the application is walked (a new route joins the walk by itself), and
the actions that refuse, as each kind of reader; moderators are the positive control."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from starlette.routing import Route

from app.db import utcnow
from app.discussion.attachments import Paper, add_paper
from app.security.roles import Role
from app.text.footnotes import sentences, strip_footnote_markers
from tests.factories import PASSWORD, key_message, make_organisation, make_position, make_reply, make_user
from tests.pdf_samples import tiny_pdf
from tests.support import download_export, post_form, sign_in

NAME = "Zanele Okonkwo-Vermeulen"
ORGANISATION = "Xylophone Diaspora Trust"
#: Who writes under their organisation only, and for negotiators only (other people, so
#: that the names shown with their contributions are no clue to the anonymous one's).
SPOKESPERSON = "Olu Adeyemi-Stroud"
INSIDER = "Ines Insider-Moreau"
REF = "RT2-KM2"
#: Where the contribution not for publication is (one position per organisation and key message).
UNPUBLISHED_REF = "RT2-KM3"
UNPUBLISHED_TEXT = "Kept back from publication."
ORG_ONLY_TEXT = "Speaking for the trust."
TOPIC = "remittances"
#: People name files after themselves and their organisation.
PAPER_NAME = f"{ORGANISATION} - position paper by {NAME}.pdf"
#: Pages about the organisation itself, which list its members by name next to what it
#: published under its name: there a name is no clue to who wrote which.
ORGANISATION_PAGES = re.compile(r"^/organisations/\d+(/members)?(\?|$| )")
#: Routes whose path needs values no reader can give here (tokens in links, a provider).
#: The contributions every route with a contribution id is walked for.
CONTRIBUTIONS = ("position", "reply", "org_only", "unpublished", "public_answer")
UNREACHABLE = {"oidc_login", "oidc_callback", "organisation_invitation", "password_reset_confirm", "confirm_email"}


@pytest.fixture
async def anonymous_contribution(db, consultation):
    """An anonymous position with everything that has a page of its own: a topic, a quoted
    passage and a position paper; a named reply to it, and an anonymous answer to that."""
    organisation = await make_organisation(db, name=ORGANISATION, country="ZA")
    author = await make_user(db, organisation=organisation, name=NAME)
    passage = sentences(key_message(consultation, REF).text)[0]
    position = await make_position(
        db,
        consultation,
        author=author,
        ref=REF,
        position="oppose",
        body="We oppose this.",
        publication="anonymous",
        topics=(TOPIC,),
        quote_text=passage,
    )
    paper = await add_paper(db, position.id, Paper(tiny_pdf(), PAPER_NAME, 1))
    named = await make_user(db, name="Kofi Boateng")
    reply = await make_reply(db, author=named, parent=position, body="Why do you oppose it?")
    own_reply = await make_reply(db, author=author, parent=reply, body="Because.", publication="anonymous")
    spokesperson = await make_user(db, name=SPOKESPERSON)
    org_only = await make_reply(
        db, author=spokesperson, parent=reply, body=ORG_ONLY_TEXT, publication="organisation_only"
    )
    insider = await make_user(db, name=INSIDER)
    unpublished = await make_position(
        db,
        consultation,
        author=insider,
        ref=UNPUBLISHED_REF,
        body=UNPUBLISHED_TEXT,
        publication="not_for_publication",
        topics=(TOPIC,),
    )
    public_answer = await make_reply(db, author=named, parent=unpublished, body="Noted.", topics=(TOPIC,))
    await db.commit()
    start = strip_footnote_markers(key_message(consultation, REF).text).index(passage)
    return {
        "organisation": organisation,
        "author": author,
        "position": position,
        "reply": own_reply,
        "org_only": org_only,
        "spokesperson": spokesperson,
        "unpublished": unpublished,
        "public_answer": public_answer,
        "paper": paper,
        "passage": (start, start + len(passage)),
    }


def names_the_author(text: str, made) -> bool:  # type: ignore[no-untyped-def]
    """A page that shows the contribution (its text or a link to it) together with the
    person's or the organisation's name. (Both are public on their own: the organisation's
    profile lists its members, and directories list organisations.)"""
    ids = "|".join(str(made[key].id) for key in ("position", "reply"))
    shows_the_contribution = bool(re.search(rf"We oppose this\.|Because\.|/contributions/({ids})\b", text))
    return shows_the_contribution and (NAME in text or ORGANISATION in text)


def without_own_organisations(text: str) -> str:
    """The page without the reader's own organisations named where the reader acts for them:
    the choices of whom to speak or endorse for, and on the position form their organisation's
    current position (which its members must see before they replace it). A member of the
    authoring organisation knows it; the person who wrote it is still never named there."""
    if 'name="organisation_id"' not in text:
        return text
    page = BeautifulSoup(text, "html.parser")
    for choice in page.select("select[name=organisation_id], .choice:has(> input[name=organisation_id])"):
        choice.decompose()
    for mention in page.select("#current-positions li"):
        for string in mention.find_all(string=re.compile(re.escape(ORGANISATION))):
            string.replace_with(string.replace(ORGANISATION, "your organisation"))
    return str(page)


LANGUAGE_SWITCH = re.compile(r'<form class="language-switch".*?</form>', re.DOTALL)


def leaks(url: str, text: str, made, role: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What `text` (the page at `url`) gives away that `role` may not learn."""
    # The language switcher returns to the address asked for: it tells the asker only that.
    text = LANGUAGE_SWITCH.sub("", without_own_organisations(text))
    found = []
    if names_the_author(text, made):
        found.append("names the author of an anonymous contribution")
    headers = text.split("\n", 1)[0]
    if "content-disposition" in headers and (NAME in headers or ORGANISATION in headers):
        found.append("names the anonymous contribution's paper after its author")
    org_only = rf"{re.escape(ORG_ONLY_TEXT)}|/contributions/{made['org_only'].id}\b"
    if re.search(org_only, text) and SPOKESPERSON in text and not ORGANISATION_PAGES.match(url):
        found.append("names the person behind a contribution published under the organisation only")
    if role != "negotiator":
        unpublished = made["unpublished"].id
        if UNPUBLISHED_TEXT in text or re.search(rf"[\"']/contributions/{unpublished}(?![0-9])", text):
            found.append("shows or links the contribution not for publication")
    return found


def get_routes(app) -> list[Route]:  # type: ignore[no-untyped-def]
    return [
        route
        for route in app.routes
        if isinstance(route, Route) and "GET" in (route.methods or set()) and route.name not in UNREACHABLE
    ]


def urls_for(app, made, consultation) -> list[str]:  # type: ignore[no-untyped-def]
    start, end = made["passage"]
    params = {
        "slug": consultation.slug,
        "ref": REF,
        "organisation_id": made["organisation"].id,
        "user_id": made["author"].id,
        "format": "json",
        "topic_slug": TOPIC,
        "attachment_id": made["paper"].id,
        "start": start,
        "end": end,
        # No campaign on this walk (moderators only; its names: tests/functional/test_campaigns.py).
        "campaign_id": 999_999,
        "held_id": 999_999,
        # No export job on this walk (its owner only; its contents: test_exports_do_not_name_an_anonymous_author).
        "job_id": 999_999,
    }
    urls = []
    for route in get_routes(app):
        wanted = set(route.param_convertors)
        assert wanted - {"contribution_id"} <= set(params), f"the walk cannot reach {route.path}: give it values"
        if "contribution_id" in wanted:
            for contribution in (made[key] for key in CONTRIBUTIONS):
                urls.append(
                    app.url_path_for(route.name, **{**_pick(params, wanted), "contribution_id": contribution.id})
                )
        else:
            urls.append(app.url_path_for(route.name, **_pick(params, wanted)))
    # Lists as readers sort and filter them, and the fragments htmx asks for.
    key_message = f"/consultations/{consultation.slug}/messages/{REF}"
    urls += [
        f"{key_message}?sort=newest",
        f"{key_message}?sort=endorsed",
        f"{key_message}?topic={TOPIC}",
        f"{key_message}/amendments?topic={TOPIC}",
        f"/organisations/{made['organisation'].id}?topic={TOPIC}",
        f"/organisations/{made['spokesperson'].memberships[0].organisation_id}",
        f"/consultations/{consultation.slug}/roundtables/RT2",
        f"/consultations/{consultation.slug}/messages/{UNPUBLISHED_REF}",
        # The negotiators' workspace, as they filter it (amendments grouped, every view).
        f"/consultations/{consultation.slug}/consolidation?key_message={REF}&view=origin",
        f"/consultations/{consultation.slug}/consolidation?roundtable=RT2&type=civil_society&view=country",
        f"/consultations/{consultation.slug}/consolidation/{REF}?view=region&position=oppose",
    ]
    return urls


def _pick(params, wanted):  # type: ignore[no-untyped-def]
    return {key: value for key, value in params.items() if key in wanted}


async def texts_seen(client, app, made, consultation) -> dict[str, str]:  # type: ignore[no-untyped-def]
    seen = {}
    for url in urls_for(app, made, consultation):
        for headers in ({}, {"HX-Request": "true"}):
            response = await client.get(url, headers=headers)
            # A download's headers too: its file name is shown to whoever saves it.
            seen[f"{url} {headers}"] = f"{response.headers}\n{response.text}"
    return seen


#: Who reads: nobody signed in; a person speaking for themselves; a member of some other
#: organisation; a member of the organisation behind the anonymous contributions; one of the
#: organisation whose member wrote for negotiators only; a negotiator.
ROLES = ["anonymous", "participant", "other_member", "colleague", "insider_colleague", "negotiator"]


async def reader_signed_in(client, db, made, role: str):  # type: ignore[no-untyped-def]
    if role == "anonymous":
        return None
    kinds = {
        "participant": {"with_organisation": False},
        "other_member": {},
        "colleague": {"organisation": made["organisation"]},
        "insider_colleague": {"organisation": made["unpublished"].organisation},
        "negotiator": {"role": Role.NEGOTIATOR},
        "moderator": {"role": Role.MODERATOR},
    }
    reader = await make_user(db, **kinds[role])
    await db.commit()
    await sign_in(client, reader.email, PASSWORD)
    return reader


def leaking(seen: dict[str, str], made, role: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {url: found for url, text in seen.items() if (found := leaks(url, text, made, role))}


@pytest.mark.parametrize("role", ROLES)
async def test_no_page_or_feed_names_an_anonymous_author(app, client, db, consultation, anonymous_contribution, role):
    await reader_signed_in(client, db, anonymous_contribution, role)
    seen = await texts_seen(client, app, anonymous_contribution, consultation)
    assert len(seen) > 40, "the walk should reach every page"
    assert leaking(seen, anonymous_contribution, role) == {}
    public_answer = seen[f"/contributions/{anonymous_contribution['public_answer'].id} {{}}"]
    assert "Noted." in public_answer, "the walk reads the public reply to the unpublished contribution"
    assert ORG_ONLY_TEXT in seen[f"/contributions/{anonymous_contribution['org_only'].id} {{}}"]
    key_message = seen[f"/consultations/{consultation.slug}/messages/{REF} {{}}"]
    assert "We oppose this." in key_message and "Anonymous contribution" in key_message
    start, end = anonymous_contribution["passage"]
    for page in (
        f"/consultations/{consultation.slug}/topics/{TOPIC}",
        f"/consultations/{consultation.slug}/messages/{REF}/passages/{start}-{end}",
    ):
        assert "We oppose this." in seen[f"{page} {{}}"], f"{page} should show the contribution the walk looks for"
    assert "%PDF-" in seen[f"/attachments/{anonymous_contribution['paper'].id} {{}}"]


@pytest.mark.parametrize("role", ROLES)
async def test_what_we_heard_names_nobody_consent_withholds(
    client, other_client, db, consultation, anonymous_contribution, role
):
    """Issue 12: once closed, the public page says what became of each contribution, the
    anonymous ones too, without a name; the one not for publication is neither listed nor
    linked, even when the revised wording reflects it; and the negotiators' pages keep consent."""
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    await sign_in(other_client, negotiator.email, PASSWORD)
    made = anonymous_contribution
    curated = f"/consultations/{consultation.slug}/consolidation/{REF}"
    for key, state in (("position", "reflected"), ("reply", "not_reflected")):
        answer = await post_form(
            other_client, f"{curated}/contributions/{made[key].id}/review", {"state": state, "reason": "Walked."}
        )
        assert answer.status_code == 303
    sources = f"{made['position'].id}"
    assert (
        await post_form(other_client, f"{curated}/wording", {"text": "Walked.", "contributions": sources})
    ).status_code == 303
    unpublished_curated = f"/consultations/{consultation.slug}/consolidation/{UNPUBLISHED_REF}"
    assert (
        await post_form(
            other_client,
            f"{unpublished_curated}/wording",
            {"text": "Walked.", "contributions": f"{made['unpublished'].id}"},
        )
    ).status_code == 303
    consultation.closes_at = utcnow() - timedelta(seconds=1)
    consultation.publishes_outcome = True
    await db.commit()
    await reader_signed_in(client, db, made, role)
    seen = {}
    for ref in (REF, UNPUBLISHED_REF):
        for path in (
            f"/consultations/{consultation.slug}/what-we-heard/{ref}",
            f"/consultations/{consultation.slug}/consolidation/{ref}/contributions",
        ):
            response = await client.get(path)
            seen[path] = response.text
    assert leaking(seen, made, role) == {}
    heard = seen[f"/consultations/{consultation.slug}/what-we-heard/{REF}"]
    assert f"/contributions/{made['position'].id}" in heard and "Reflected" in heard  # the walk reads the page


async def test_exports_do_not_name_an_anonymous_author(client, db, consultation, anonymous_contribution):
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    await sign_in(client, negotiator.email, PASSWORD)
    for fmt in ("json", "csv"):
        response = await download_export(client, db, f"/consultations/{consultation.slug}", fmt)
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        assert NAME not in text and SPOKESPERSON not in text
        assert "We oppose this." in text
    exported = json.loads((await download_export(client, db, f"/consultations/{consultation.slug}", "json")).content)
    [rt2] = [r for r in exported["roundtables"] if r["ref"] == "RT2"]
    [message] = [m for m in rt2["key_messages"] if m["ref"] == REF]
    [record] = message["contributions"]
    assert (record["author"], record["organisation"], record["publication"]) == (None, None, "anonymous")
    records = {r["id"]: r for r in _flattened(message["contributions"])}
    anonymous_reply = records[anonymous_contribution["reply"].id]
    assert (anonymous_reply["author"], anonymous_reply["organisation"]) == (None, None)
    org_only = records[anonymous_contribution["org_only"].id]
    assert org_only["author"] is None and org_only["organisation"]["name"] != ORGANISATION


def _flattened(records):  # type: ignore[no-untyped-def]
    for record in records:
        yield record
        yield from _flattened(record["replies"])


async def test_moderators_see_who_wrote_it(app, client, db, consultation, anonymous_contribution):
    """The positive control: the walk above would notice a name if one were there."""
    await reader_signed_in(client, db, anonymous_contribution, "moderator")
    seen = await texts_seen(client, app, anonymous_contribution, consultation)
    found = {reason for reasons in leaking(seen, anonymous_contribution, "moderator").values() for reason in reasons}
    assert found == {
        "names the author of an anonymous contribution",
        "names the anonymous contribution's paper after its author",
        "names the person behind a contribution published under the organisation only",
        "shows or links the contribution not for publication",
    }


async def refusals_seen(client, made, reader) -> dict[str, tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Every action a reader may try on the contributions and be refused, as a form and as
    htmx: endorsing for the authoring organisation, for their own (twice) or for none,
    taking back an endorsement, an empty reply, editing, withdrawing, moderating, retagging."""
    own = [str(m.organisation_id) for m in reader.memberships] if reader else []
    endorsing = [str(made["organisation"].id), "", *own, *own]
    tries = []
    for key in CONTRIBUTIONS:
        base = f"/contributions/{made[key].id}"
        # Not the one published under its organisation: a reader's organisation endorsing it
        # is named next to a link into the anonymous thread, which this check cannot tell
        # from a leak (it is the endorsement the reader just made).
        if key != "org_only":
            tries += [(f"{base}/endorse", {"organisation_id": choice}) for choice in endorsing]
        tries += [
            (f"{base}/endorsements/{made['organisation'].id}/withdraw", {}),
            (f"{base}/replies", {"body": "", "submission_key": "walk-the-refusals"}),
            (f"{base}/edit", {"body": "Changed.", "version": "1"}),
            (f"{base}/withdraw", {}),
            (f"{base}/moderate", {"action": "hide", "reason": ""}),
            (f"{base}/topics", {"topics": "nonsense"}),
        ]
    seen = {}
    for url, data in tries:
        for headers in ({}, {"HX-Request": "true"}):
            response = await post_form(client, url, data, headers=headers)
            seen[f"POST {url} {data} {headers}"] = (response.status_code, f"{response.headers}\n{response.text}")
    return seen


@pytest.mark.parametrize("role", ROLES)
async def test_no_refusal_or_error_names_an_anonymous_author(client, db, anonymous_contribution, role):
    """The issue's case: a member of the organisation was told, on being refused, which
    organisation wrote the anonymous contribution."""
    reader = await reader_signed_in(client, db, anonymous_contribution, role)
    seen = await refusals_seen(client, anonymous_contribution, reader)
    texts = {url: text for url, (_status, text) in seen.items()}
    assert leaking(texts, anonymous_contribution, role) == {}
    statuses = {status for status, _text in seen.values()}
    assert statuses & {403, 404, 422}, "the walk should meet refusals"
    if role == "colleague":
        refused = seen[
            f"POST /contributions/{anonymous_contribution['position'].id}/endorse "
            f"{{'organisation_id': '{anonymous_contribution['organisation'].id}'}} {{}}"
        ]
        assert refused[0] == 422 and "wrote this contribution" in refused[1]


async def test_moderators_are_refused_with_names(client, db, anonymous_contribution):
    """The positive control of the refusals: the pages a moderator is sent back to name them."""
    reader = await reader_signed_in(client, db, anonymous_contribution, "moderator")
    seen = await refusals_seen(client, anonymous_contribution, reader)
    texts = {url: text for url, (_status, text) in seen.items()}
    found = {reason for reasons in leaking(texts, anonymous_contribution, "moderator").values() for reason in reasons}
    assert "names the author of an anonymous contribution" in found
