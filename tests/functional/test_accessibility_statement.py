"""The accessibility statement (issue 13): in the EU's model form (Commission Implementing
Decision (EU) 2018/1523), linked from the footer of every page, with the contact address
the operator configured, in the reader's language."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support import soup, visible_text

MODEL_SECTIONS = [
    "Compliance status",
    "Non-accessible content",
    "Preparation of this accessibility statement",
    "Feedback and contact information",
    "Enforcement procedure",
]


@pytest.mark.parametrize(
    "path", ["/", "/sign-up", "/sign-in", "/privacy", "/consultations/com-2013-292/messages/RT2-KM3", "/accessibility"]
)
async def test_every_page_links_to_it_from_the_footer(client, consultation, path):
    footer = soup(await client.get(path)).select_one("footer")
    assert [a.get_text(strip=True) for a in footer.select("a[href='/accessibility']")] == ["Accessibility statement"]


async def test_it_follows_the_eu_model_and_says_what_is_not_accessible(client, app, settings):
    app.state.settings = replace(settings, accessibility_contact="access@example.eu")
    response = await client.get("/accessibility")
    assert response.status_code == 200
    page = soup(response)
    assert [h2.get_text(strip=True) for h2 in page.select("main h2")] == MODEL_SECTIONS
    text = visible_text(response)
    assert "partially compliant with EN 301 549" in text and "WCAG" in text
    known = page.select_one("main h3 + ul").select("li")
    # What is known not to be accessible is listed (reflow at 320 px is no longer: it passes).
    assert len(known) >= 1 and all("WCAG" in item.get_text() or "assessed" in item.get_text() for item in known)
    assert "320" not in page.select_one("main h3 + ul").get_text()
    assert "self-assessment" in text and "axe" in text and "Nu HTML checker" in text and "screen reader" in text
    assert "This statement was prepared on December 7, 2026" in text
    contact = page.select_one("main a[href^='mailto:']")
    assert contact["href"] == "mailto:access@example.eu" and contact.get_text() == "access@example.eu"


async def test_it_is_written_in_the_readers_language(client):
    response = await client.get("/accessibility", headers={"Accept-Language": "fr"})
    assert soup(response).html["lang"] == "fr"
    assert "7 décembre 2026" in visible_text(response)  # the date as French readers write it
