"""Talk to the Nu HTML checker's web service (see tests/live.py for starting it)."""

from __future__ import annotations

from typing import Any

import httpx

#: "non-document-error" means the checker could not check the page at all.
ERROR_TYPES = frozenset({"error", "non-document-error"})


async def check_html(checker_url: str, html: str) -> list[dict[str, Any]]:
    """Every error the checker finds in `html` (warnings are left out)."""
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{checker_url}?out=json",
            content=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
    response.raise_for_status()
    return [message for message in response.json()["messages"] if message.get("type") in ERROR_TYPES]


def report(page_url: str, errors: list[dict[str, Any]]) -> str:
    lines = [f"{len(errors)} HTML error(s) on {page_url}:"]
    for error in errors:
        line = error.get("lastLine", "?")
        column = error.get("firstColumn", error.get("lastColumn", "?"))
        lines.append(f"  line {line}, column {column}: {error.get('message', '').strip()}")
        if extract := error.get("extract"):
            lines.append(f"      {' '.join(extract.split())}")
    return "\n".join(lines)
