"""Alembic environment: the app's metadata and DATABASE_URL, async engines, batch mode on SQLite."""

import asyncio
import fcntl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from logging.config import fileConfig
from pathlib import Path
from typing import Any

from alembic import context
from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import is_sqlite, make_engine
from app.models import Base
from app.settings import load_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    return config.attributes.get("database_url") or load_settings().database_url


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=is_sqlite(url),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def check_foreign_keys(connection: Connection) -> None:
    """With enforcement off during the migration, prove afterwards that no row lost its parent."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows without their parent: {broken[:10]}")


async def run_async_migrations() -> None:
    url = database_url()
    engine = make_engine(url, null_pool=True)
    if is_sqlite(url):
        # Batch mode rebuilds a table by dropping it. With foreign keys enforced, that drop
        # deletes every row that references the table ON DELETE CASCADE (a consultation's
        # sections, key messages and contributions), so SQLite migrations run with
        # enforcement off (set per connection, outside any transaction) and are checked after.
        event.listen(engine.sync_engine, "connect", _foreign_keys_off)
    async with engine.connect() as connection, migrating_alone(connection, url):
        await connection.run_sync(do_run_migrations)
        if is_sqlite(url):
            await connection.run_sync(check_foreign_keys)
        await connection.commit()
    await engine.dispose()


#: pg_advisory_lock's key for "a migration runs": any number, the same in every process.
MIGRATION_LOCK = 7_261_207


@asynccontextmanager
async def migrating_alone(connection: AsyncConnection, url: str) -> AsyncIterator[None]:
    """Machines that start together upgrade once: the first takes the lock and migrates, the
    others wait for it, then find the schema current and do nothing. On PostgreSQL an
    advisory lock of the session (it outlives the migration's transaction, and ends with the
    connection if the process dies); on SQLite, one machine's processes, a lock on a file
    beside the database."""
    if is_sqlite(url):
        database = make_url(url).database
        if not database or database == ":memory:":
            yield
            return
        with Path(f"{database}.migrate-lock").open("a") as handle:  # noqa: ASYNC230 - a command, not a server
            await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
            yield
        return
    await connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
    await connection.commit()  # the lock stays with the session; the migration has its own transaction
    try:
        yield
    finally:
        await connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
        await connection.commit()


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
