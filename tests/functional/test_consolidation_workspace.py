"""The negotiators' workspace over HTTP: the matrices as chart and table, grouped amendments,
quoted passages and links into the threads, under filters typed by hand; refused to others."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.web import views
from app.consultation.models import Consultation
from app.organisations.models import OrganisationType
from app.security.roles import Role
from app.text.footnotes import sentences
from tests.factories import PASSWORD, key_message, make_organisation, make_position, make_user
from tests.support import field_errors, sign_in, soup

REF = "RT2-KM3"
WORDING = "The partnership shall respect the human rights of all migrants."


async def signed_in(client: AsyncClient, db: AsyncSession, role: Role) -> None:
    user = await make_user(db, role=role)
    await db.commit()
    await sign_in(client, user.email, PASSWORD)


async def discussion(db: AsyncSession, consultation: Consultation) -> dict[str, int]:
    ngo = await make_organisation(db, name="Caritas Senegal", type=OrganisationType.CIVIL_SOCIETY, country="SN")
    union = await make_organisation(db, name="ITUC Africa", type=OrganisationType.TRADE_UNION, country="GH")
    passage = sentences(key_message(consultation, REF).text)[0]
    made = {}
    for name, organisation, wording in (("ngo", ngo, WORDING), ("union", union, WORDING.upper() + "!")):
        contribution = await make_position(
            db,
            consultation,
            author=await make_user(db, organisation=organisation),
            ref=REF,
            position="support_with_amendments",
            amendment_text=wording,
            quote_text=passage,
        )
        made[name] = contribution.id
    person = await make_position(
        db, consultation, author=await make_user(db, with_organisation=False), ref=REF, position="oppose"
    )
    made["person"] = person.id
    await db.commit()
    return made


def table_rows(table) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {
        row.select_one("th").get_text(strip=True): [cell.get_text(strip=True) for cell in row.select("td")]
        for row in table.select("tbody tr, tfoot tr")
    }


async def test_a_negotiator_reads_the_matrix_as_chart_and_table_with_amendments_and_passages(
    client: AsyncClient, db: AsyncSession, consultation: Consultation
) -> None:
    made = await discussion(db, consultation)
    await signed_in(client, db, Role.NEGOTIATOR)
    response = await client.get(f"/consultations/{consultation.slug}/consolidation?roundtable=RT2")
    assert response.status_code == 200
    page = soup(response)
    assert (
        page.select_one("header nav a[href='/consultations/com-2013-292/consolidation']").get_text() == "Consolidation"
    )
    article = page.select_one(f"#km-{key_message(consultation, REF).id}").find_parent("article")

    table = article.select_one("table.matrix-table")
    assert table.select_one("caption").get_text(strip=True).startswith(f"Positions on {REF}")
    assert [th["scope"] for th in table.select("thead th")] == ["col"] * 6
    assert table_rows(table) == {
        "Civil-society organisation": ["0", "1", "0", "0", "1"],
        "Trade union": ["0", "1", "0", "0", "1"],
        "Individuals": ["0", "0", "1", "0", "1"],
        "All positions": ["0", "2", "1", "0", "3"],
    }
    chart = article.select_one("svg.matrix-chart")
    assert chart["role"] == "img"
    _title_id, desc_id = chart["aria-labelledby"].split()
    assert "Trade union: 1 Support with amendments" in chart.select_one(f"#{desc_id}").get_text()
    assert len(chart.select("rect")) == 4 + 3  # the legend's four positions, one segment per row

    groups = article.select("ol.amendment-groups > li")
    assert len(groups) == 1, "the same wording in capitals is one proposal"
    assert groups[0].select_one("blockquote").get_text() == WORDING
    assert "2 sponsors: Caritas Senegal, ITUC Africa" in groups[0].get_text(" ", strip=True)
    links = [a["href"] for a in groups[0].select(".contribution-links a")]
    assert links == [f"/contributions/{made['ngo']}#c{made['ngo']}", f"/contributions/{made['union']}#c{made['union']}"]
    assert "quoted by 2 contributions" in article.select_one("ol.quoted-passages").get_text()


async def test_views_switch_the_rows_and_the_key_message_page_goes_deeper(
    client: AsyncClient, db: AsyncSession, consultation: Consultation
) -> None:
    await discussion(db, consultation)
    await signed_in(client, db, Role.NEGOTIATOR)
    base = f"/consultations/{consultation.slug}/consolidation"
    by_region = soup(await client.get(f"{base}?key_message={REF}&view=region"))
    assert set(table_rows(by_region.select_one("table.matrix-table"))) == {
        "Western Africa",
        "Individuals",
        "All positions",
    }
    assert by_region.select_one(".view-links [aria-current=page]").get_text() == "By region"

    response = await client.get(f"{base}/{REF}?type=trade_union&view=country")
    assert response.status_code == 200
    page = soup(response)
    assert set(table_rows(page.select_one("table.matrix-table"))) == {"Ghana", "All positions"}
    assert page.select_one("#field-type input[value=trade_union]").has_attr("checked")
    assert (await client.get(f"{base}/RT9-KM99")).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday&until=%00&type=robots&region=999&position=%3Cscript%3E&view=pie&roundtable=RT9&key_message=x",
        "since=" + "9" * 5000 + "&verified=" + "1" * 300,
        "view=origin&view=type&type=&type=individual&until=2013-02-30",
    ],
)
async def test_hostile_query_strings_get_field_errors_and_keep_what_was_typed(
    client: AsyncClient, db: AsyncSession, consultation: Consultation, query: str
) -> None:
    await signed_in(client, db, Role.NEGOTIATOR)
    response = await client.get(f"/consultations/{consultation.slug}/consolidation?{query}")
    assert response.status_code == 200
    errors = field_errors(response)
    assert errors, "something was refused"
    if query.startswith("since=yesterday"):
        assert set(errors) == {"since", "until", "type", "region", "position", "view", "roundtable", "key_message"}
        assert soup(response).select_one("#field-since")["value"] == "yesterday"
        assert soup(response).select_one(".error-summary a[href='#field-view']")


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.MODERATOR])
async def test_others_are_refused_and_see_no_figure(
    client: AsyncClient, db: AsyncSession, consultation: Consultation, role: Role
) -> None:
    await discussion(db, consultation)
    await signed_in(client, db, role)
    for path in (
        "/consolidation",
        f"/consultations/{consultation.slug}/consolidation",
        f"/consultations/{consultation.slug}/consolidation/{REF}",
    ):
        response = await client.get(path)
        assert response.status_code == 403
        assert "Caritas" not in response.text and "matrix" not in response.text
    home = soup(await client.get("/"))
    assert not home.select("header a[href*=consolidation]")


async def test_a_key_message_s_groups_come_a_page_at_a_time(
    client: AsyncClient, db: AsyncSession, consultation: Consultation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "GROUPS_PER_PAGE", 1)
    made = await discussion(db, consultation)
    other = await make_position(
        db,
        consultation,
        author=await make_user(db),
        ref=REF,
        position="support_with_amendments",
        amendment_text="Delete this key message: existing commitments already say it.",
    )
    await db.commit()
    await signed_in(client, db, Role.NEGOTIATOR)
    base = f"/consultations/{consultation.slug}/consolidation/{REF}"
    first = soup(await client.get(base))
    assert [a["href"] for a in first.select("ol.amendment-groups .contribution-links a")] == [
        f"/contributions/{made['ngo']}#c{made['ngo']}",
        f"/contributions/{made['union']}#c{made['union']}",
    ]
    following = first.select_one(".pagination a[rel=next]")["href"]
    second = soup(await client.get(following))
    assert second.select_one("ol.amendment-groups")["start"] == "2"
    assert [a["href"] for a in second.select("ol.amendment-groups .contribution-links a")] == [
        f"/contributions/{other.id}#c{other.id}"
    ]
    assert not second.select(".pagination a[rel=next]") and second.select(".pagination a[rel=prev]")
    beyond = soup(await client.get(f"{base}?page=99999999999999999999"))
    assert beyond.select_one("ol.amendment-groups")["start"] == "1"  # not a number we take: the first page
