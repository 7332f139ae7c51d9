"""Publication consent, proved end to end: a person who publishes anonymously is never
named, nor is their organisation, on any page, fragment, feed or export, to anyone but
moderators. Every GET route of the application is walked (a new route joins the walk by
itself), as each kind of reader; moderators are the positive control."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from starlette.routing import Route

from app.accounts.models import Role
from app.discussion.attachments import store
from app.discussion.models import Attachment
from app.web.text import sentences, strip_footnote_markers
from tests.factories import PASSWORD, key_message, make_organisation, make_position, make_reply, make_user
from tests.pdf_samples import tiny_pdf
from tests.support import post_form, sign_in

NAME = "Zanele Okonkwo-Vermeulen"
ORGANISATION = "Xylophone Diaspora Trust"
REF = "RT2-KM2"
TOPIC = "remittances"
#: Routes whose path needs values no reader can give here (tokens in links, a provider).
UNREACHABLE = {"oidc_login", "oidc_callback", "organisation_invitation", "password_reset_confirm", "confirm_email"}


@pytest.fixture
async def anonymous_contribution(app, settings, tmp_path, db, consultation):
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
    app.state.settings = replace(settings, var_dir=tmp_path)
    stored = store(app.state.settings.attachments_dir, tiny_pdf())
    paper = Attachment(
        contribution_id=position.id,
        storage_name=stored.storage_name,
        original_name="Position paper.pdf",
        content_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
    )
    db.add(paper)
    named = await make_user(db, name="Kofi Boateng")
    reply = await make_reply(db, author=named, parent=position, body="Why do you oppose it?")
    own_reply = await make_reply(db, author=author, parent=reply, body="Because.", publication="anonymous")
    await db.commit()
    start = strip_footnote_markers(key_message(consultation, REF).text).index(passage)
    return {
        "organisation": organisation,
        "author": author,
        "position": position,
        "reply": own_reply,
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
    }
    urls = []
    for route in get_routes(app):
        wanted = set(route.param_convertors)
        assert wanted - {"contribution_id"} <= set(params), f"the walk cannot reach {route.path}: give it values"
        if "contribution_id" in wanted:
            for contribution in (made["position"], made["reply"]):
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
        f"/consultations/{consultation.slug}/roundtables/RT2",
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


@pytest.mark.parametrize("role", ["anonymous", "participant", "negotiator"])
async def test_no_page_or_feed_names_an_anonymous_author(app, client, db, consultation, anonymous_contribution, role):
    if role != "anonymous":
        reader = await make_user(db, role=Role(role))
        await db.commit()
        await sign_in(client, reader.email, PASSWORD)
    seen = await texts_seen(client, app, anonymous_contribution, consultation)
    assert len(seen) > 40, "the walk should reach every page"
    leaks = [url for url, text in seen.items() if names_the_author(text, anonymous_contribution)]
    assert leaks == []
    key_message = seen[f"/consultations/{consultation.slug}/messages/{REF} {{}}"]
    assert "We oppose this." in key_message and "Anonymous contribution" in key_message
    start, end = anonymous_contribution["passage"]
    for page in (
        f"/consultations/{consultation.slug}/topics/{TOPIC}",
        f"/consultations/{consultation.slug}/messages/{REF}/passages/{start}-{end}",
    ):
        assert "We oppose this." in seen[f"{page} {{}}"], f"{page} should show the contribution the walk looks for"
    assert "%PDF-" in seen[f"/attachments/{anonymous_contribution['paper'].id} {{}}"]


async def test_exports_do_not_name_an_anonymous_author(client, db, consultation, anonymous_contribution):
    negotiator = await make_user(db, role=Role.NEGOTIATOR)
    await db.commit()
    await sign_in(client, negotiator.email, PASSWORD)
    for fmt in ("json", "csv"):
        response = await post_form(client, f"/consultations/{consultation.slug}/export.{fmt}", {})
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        assert NAME not in text and ORGANISATION not in text
        assert "We oppose this." in text
    exported = json.loads((await post_form(client, f"/consultations/{consultation.slug}/export.json", {})).content)
    [rt2] = [r for r in exported["roundtables"] if r["ref"] == "RT2"]
    [message] = [m for m in rt2["key_messages"] if m["ref"] == REF]
    [record] = message["contributions"]
    assert (record["author"], record["organisation"], record["publication"]) == (None, None, "anonymous")


async def test_moderators_see_who_wrote_it(app, client, db, consultation, anonymous_contribution):
    """The positive control: the walk above would notice a name if one were there."""
    moderator = await make_user(db, role=Role.MODERATOR)
    await db.commit()
    await sign_in(client, moderator.email, PASSWORD)
    seen = await texts_seen(client, app, anonymous_contribution, consultation)
    assert any(names_the_author(text, anonymous_contribution) for text in seen.values())
