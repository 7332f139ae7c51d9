"""/healthz and /readyz (issue 14): a monitor learns whether the process answers and whether
it can serve (the database answers, its schema is current), and nothing else; nobody caches
the answer."""

from __future__ import annotations

from sqlalchemy import text

from app.web.health import expected_revision


async def test_a_live_process_says_ok(client):
    response = await client.get("/healthz")
    assert (response.status_code, response.text, response.headers["cache-control"]) == (200, "ok\n", "no-store")


async def test_ready_when_the_database_answers_with_the_current_schema(client, db):
    assert await db.scalar(text("SELECT version_num FROM alembic_version")) == expected_revision()
    response = await client.get("/readyz")
    assert (response.status_code, response.text, response.headers["cache-control"]) == (200, "ready\n", "no-store")


async def test_not_ready_on_a_schema_behind_the_code_and_the_answer_names_no_version(client, db):
    await db.execute(text("UPDATE alembic_version SET version_num = 'd8e5f3b0c2a7'"))
    response = await client.get("/readyz")
    assert response.status_code == 503 and "db upgrade" in response.text
    assert "d8e5f3b0c2a7" not in response.text and str(expected_revision()) not in response.text


async def test_not_ready_when_the_database_does_not_answer(client, db):
    await db.execute(text("DROP TABLE alembic_version"))
    response = await client.get("/readyz")
    assert response.status_code == 503 and response.text == "not ready: the database does not answer\n"
