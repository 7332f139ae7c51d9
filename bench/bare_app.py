"""The floor for the benchmark: bare Starlette returning 500 comment-like dicts as JSON.

No database, no middleware, no templates: what is left is the HTTP server, the router and
serialising about as much text as a key message page shows. The key message page is
judged against this. Serve with `uvicorn bench.bare_app:app` from the project root.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

COMMENTS = 500
BODY_CHARS = 400
TYPES = ("civil_society", "diaspora", "government", "academia_research", "trade_union", "international")
COUNTRIES = ("FR", "NL", "SN", "MA", "NG", "PH", "MX", "DE", "ES", "PT")
POSITIONS = ("support", "support_with_amendments", "oppose", "neutral", None)
WORDS = (
    "remittances diaspora investment skills recognition circular migration labour mobility social "
    "protection portability trafficking human rights climate displacement data development"
).split()


def _comment(rng: random.Random, number: int, start: datetime) -> dict[str, object]:
    body = " ".join(rng.choice(WORDS) for _ in range(BODY_CHARS // 6))[:BODY_CHARS]
    return {
        "id": number,
        "author": f"Person {rng.randrange(10_000)}",
        "organisation": f"Organisation {rng.randrange(1_000)}",
        "type": rng.choice(TYPES),
        "country": rng.choice(COUNTRIES),
        "created_at": (start + timedelta(minutes=17 * number)).isoformat(),
        "position": rng.choice(POSITIONS),
        "body": body,
    }


def build_comments(count: int = COMMENTS) -> list[dict[str, object]]:
    rng = random.Random(292)  # fixed fake data, the same on every start
    start = datetime(2013, 6, 21, tzinfo=UTC)
    return [_comment(rng, number, start) for number in range(1, count + 1)]


_COMMENTS = build_comments()


async def comments(_request: Request) -> JSONResponse:
    """Serialised on every request, as a real endpoint would."""
    return JSONResponse(_COMMENTS)


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


app = Starlette(routes=[Route("/comments", comments), Route("/health", health)])
