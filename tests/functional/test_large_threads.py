"""Large threads over HTTP: sorting and filtering the list, paging with the reader's choices,
the depth limit with "continue this thread", thread pages of deep contributions, and
withdrawn contributions nobody answered."""

from __future__ import annotations

from sqlalchemy import select

from app.demo.generator import generate_demo_data
from app.discussion.models import Contribution, ContributionStatus
from app.fragments import RenderedFragment
from tests.factories import make_position, make_reply, make_user
from tests.support import soup, visible_text

KM = "/consultations/com-2013-292/messages/RT2-KM3"


def top_level_ids(response) -> list[str]:
    return [li["id"] for li in soup(response).select("#threads > li.contribution")]


async def positions(db, consultation, count: int, **draft) -> list[Contribution]:
    author = await make_user(db)
    created = [
        await make_position(db, consultation, author=author, body=f"Position {n}", **draft) for n in range(count)
    ]
    await db.commit()
    return created


async def test_newest_first_with_the_choice_shown_and_kept_in_show_more(client, db, consultation, settings):
    created = await positions(db, consultation, settings.page_size + 2)
    response = await client.get(f"{KM}?sort=newest")
    assert top_level_ids(response) == [f"c{c.id}" for c in reversed(created)][: settings.page_size]
    page = soup(response)
    assert page.select_one("#list-sort option[selected]")["value"] == "newest"
    assert page.select_one("label[for=list-sort]") is not None
    more = page.select_one("#more a")
    assert more["href"].startswith("?sort=newest&after=") and more["data-hx-get"] == more["href"]
    rest = await client.get(KM + more["href"])
    assert top_level_ids(rest) == [f"c{created[1].id}", f"c{created[0].id}"]
    back = soup(rest).find("a", string="Back to the first contributions")
    assert back["href"] == f"{KM}?sort=newest#contributions-heading"


async def test_most_endorsed_first(client, db, consultation):
    quiet, endorsed = await positions(db, consultation, 2)
    endorsed.endorsement_count = 2
    await db.commit()
    assert top_level_ids(await client.get(f"{KM}?sort=endorsed")) == [f"c{endorsed.id}", f"c{quiet.id}"]


async def test_the_topic_filter_lists_only_tagged_positions_and_keeps_the_topic(client, db, consultation):
    [tagged] = await positions(db, consultation, 1, topics=("remittances",))
    await positions(db, consultation, 1, topics=("diaspora",))
    response = await client.get(f"{KM}?topic=remittances")
    assert top_level_ids(response) == [f"c{tagged.id}"]
    assert soup(response).select_one("select[name=topic] option[selected]")["value"] == "remittances"
    poller = soup(response).select_one("#live-poller")["data-hx-get"]
    assert "topic=remittances" in poller
    empty = await client.get(f"{KM}?topic=brain-drain")
    assert "No contributions on this topic yet." in visible_text(empty)


async def test_bad_parameters_fall_back_to_the_first_page_in_the_default_order(client, db, consultation):
    created = await positions(db, consultation, 3)
    response = await client.get(f"{KM}?sort=loudest&topic=nope&after=not-a-cursor")
    assert response.status_code == 200
    assert top_level_ids(response) == [f"c{c.id}" for c in created]
    assert soup(response).select_one("#list-sort option[selected]")["value"] == "oldest"


async def test_only_the_default_view_is_stored_in_the_fragment_cache(client, db, consultation):
    await positions(db, consultation, 2)
    await client.get(f"{KM}?sort=newest")
    await client.get(f"{KM}?topic=remittances")
    keys = set(await db.scalars(select(RenderedFragment.key)))
    assert not any(key.endswith(":threads") for key in keys)
    await client.get(KM)
    assert any(key.endswith(":threads") for key in set(await db.scalars(select(RenderedFragment.key))))


async def test_the_form_swaps_only_the_list_with_htmx(client, db, consultation):
    created = await positions(db, consultation, 2)
    headers = {"HX-Request": "true", "HX-Target": "discussion-list"}
    response = await client.get(f"{KM}?sort=newest", headers=headers)
    fragment = soup(response)
    assert fragment.select_one("html") is None and fragment.select_one("form.list-controls") is None
    assert fragment.select_one("#discussion-list #threads") is not None
    assert top_level_ids(response) == [f"c{created[1].id}", f"c{created[0].id}"]


async def test_show_more_with_htmx_keeps_the_order(client, db, consultation, settings):
    created = await positions(db, consultation, settings.page_size + 1)
    more = soup(await client.get(f"{KM}?sort=newest")).select_one("#more a")["href"]
    fragment = await client.get(KM + more, headers={"HX-Request": "true", "HX-Target": "more"})
    assert soup(fragment).select_one("html") is None
    assert [li["id"] for li in soup(fragment).select("li.contribution")] == [f"c{created[0].id}"]


async def test_deep_replies_continue_on_the_thread_page(client, db, consultation, settings):
    root = await make_position(db, consultation, author=await make_user(db))
    replies, parent = [], root
    for depth in range(1, settings.thread_depth + 3):
        parent = await make_reply(db, author=root.author, parent=parent, body=f"At depth {depth}")
        replies.append(parent)
    await db.commit()
    deepest_shown = replies[settings.thread_depth - 1]
    page = soup(await client.get(KM))
    assert page.select_one(f"#c{deepest_shown.id}") is not None
    assert page.select_one(f"#c{replies[settings.thread_depth].id}") is None
    link = page.select_one(f"#c{deepest_shown.id} > .continue-thread a")
    assert link["href"] == f"/contributions/{deepest_shown.id}"
    assert " ".join(link.get_text().split()) == "Continue this thread (1 reply)"

    thread = await client.get(link["href"])
    assert thread.status_code == 200
    view = soup(thread)
    assert view.select_one(f"ol.threads > #c{deepest_shown.id}") is not None  # the head
    assert [li["id"] for li in view.select("#threads > li.contribution")] == [f"c{replies[settings.thread_depth].id}"]
    up = view.select_one(".thread-context a")
    assert up["href"] == f"/contributions/{replies[settings.thread_depth - 2].id}#c{deepest_shown.id}"


async def test_a_thread_page_pages_its_direct_replies(client, db, consultation, settings):
    root = await make_position(db, consultation, author=await make_user(db))
    replies = [await make_reply(db, author=root.author, parent=root) for _ in range(settings.page_size + 1)]
    await db.commit()
    first = await client.get(f"/contributions/{root.id}")
    assert len(soup(first).select("#threads > li.contribution")) == settings.page_size
    more = soup(first).select_one("#more a")["href"]
    second = await client.get(f"/contributions/{root.id}{more}", headers={"HX-Request": "true"})
    assert [li["id"] for li in soup(second).select("li.contribution")] == [f"c{replies[-1].id}"]


async def test_withdrawn_without_replies_disappears_and_with_replies_stays_a_marker(client, db, consultation):
    author = await make_user(db)
    alone = await make_position(db, consultation, author=author, body="Taken back, unanswered.")
    answered = await make_position(db, consultation, author=author, body="Taken back, answered.")
    await make_reply(db, author=author, parent=answered, body="An answer that stays.")
    alone.status = answered.status = ContributionStatus.WITHDRAWN
    await db.commit()
    page = await client.get(KM)
    assert top_level_ids(page) == [f"c{answered.id}"]
    text = visible_text(page)
    assert "Withdrawn by its author." in text and "An answer that stays." in text
    assert "Taken back" not in text


async def test_a_key_message_with_5000_contributions_comes_in_small_pages(client, db, consultation, settings):
    """The closing scenario's large thread: the first page stays small and paging goes on
    through every top-level contribution (how fast is measured in bench/, not asserted)."""
    await generate_demo_data(db, contributions=5000, key_message_ref="RT2-KM3", consultation_slug=None, random_seed=4)
    await db.commit()
    first = await client.get(KM)
    assert first.status_code == 200
    assert len(first.content) <= 150 * 1024
    listed = top_level_ids(first)
    assert len(listed) == settings.page_size
    link = soup(first).select_one("#more a")["href"]
    for _ in range(3):
        following = await client.get(KM + link)
        ids = top_level_ids(following)
        assert ids and not set(ids) & set(listed), "each page continues where the last one stopped"
        assert len(following.content) <= 150 * 1024
        listed += ids
        link = soup(following).select_one("#more a")["href"]
    thread = soup(first).select_one(".more-replies a, .continue-thread a")
    assert thread is not None, "busy threads link on instead of loading every reply"
    assert len((await client.get(thread["href"])).content) <= 150 * 1024
