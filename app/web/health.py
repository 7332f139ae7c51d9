"""What a load balancer, systemd or a monitor asks (issue 14): /healthz, the process answers;
/readyz, it can serve: the database answers and its schema is the one this code expects.
Plain text, never cached; they say nothing a stranger could use (versions stay unnamed)."""

from __future__ import annotations

import logging
from functools import cache

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from app.settings import PROJECT_ROOT
from app.web.requests import db_of

logger = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store"}


@cache
def expected_revision() -> str | None:
    """The newest migration this code ships (read once: a deploy restarts the process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


async def healthz(_request: Request) -> Response:
    return PlainTextResponse("ok\n", headers=NO_STORE)


async def readyz(request: Request) -> Response:
    try:
        current = await db_of(request).scalar(text("SELECT version_num FROM alembic_version"))
    except (SQLAlchemyError, OSError) as error:
        logger.warning("not ready: the database did not answer (%s)", type(error).__name__)
        return PlainTextResponse("not ready: the database does not answer\n", status_code=503, headers=NO_STORE)
    if current != expected_revision():
        logger.warning("not ready: the database is at migration %s, the code expects %s", current, expected_revision())
        return PlainTextResponse(
            "not ready: the database schema is not the one this version expects (run roundtable db upgrade)\n",
            status_code=503,
            headers=NO_STORE,
        )
    return PlainTextResponse("ready\n", headers=NO_STORE)
