"""The floor for exports: bare Starlette streaming contributions' rows from asyncpg as CSV.

No ORM, no publication rules, no labels, no extras: a server-side cursor over the contributions
table (the columns an export reads most of, the body included), each batch written as CSV
lines into a StreamingResponse. What `roundtable export` costs beyond this is our own work.
Serve with `uvicorn bench.export_floor:app`; `DATABASE_URL` names the database (asyncpg's
form, postgresql://...)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import AsyncIterator

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

BATCH = 1000
QUERY = (
    "SELECT c.id, c.key_message_id, c.parent_id, c.position, c.status, c.publication, c.created_at,"
    " o.name, o.type, o.country, c.body_source, c.amendment_text"
    " FROM contributions c LEFT JOIN organisations o ON o.id = c.organisation_id ORDER BY c.id LIMIT $1"
)


async def _rows(limit: int) -> AsyncIterator[bytes]:
    connection = await asyncpg.connect(os.environ["DATABASE_URL"].replace("+asyncpg", ""))
    try:
        async with connection.transaction():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            count = 0
            async for record in connection.cursor(QUERY, limit, prefetch=BATCH):
                writer.writerow(record)
                count += 1
                if count % BATCH == 0:
                    yield buffer.getvalue().encode("utf-8")
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue().encode("utf-8")
    finally:
        await connection.close()


async def rows(request: Request) -> StreamingResponse:
    return StreamingResponse(_rows(int(request.query_params["limit"])), media_type="text/csv")


async def health(_request: Request) -> StreamingResponse:
    return StreamingResponse(iter([b"ok"]))


app = Starlette(routes=[Route("/rows", rows), Route("/health", health)])
