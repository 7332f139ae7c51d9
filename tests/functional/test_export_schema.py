"""The JSON export's schema is published at a stable address, for anyone, and cacheable."""

from __future__ import annotations

from jsonschema import Draft202012Validator


async def test_anyone_reads_the_schema_at_its_own_address(client, settings):
    response = await client.get("/schema/consolidated-input.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/schema+json")
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert "set-cookie" not in response.headers
    schema = response.json()
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == settings.base_url.rstrip("/") + "/schema/consolidated-input.json"
    assert schema["properties"]["schema_version"] == {"const": 5}
