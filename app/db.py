"""Declarative base with a constraint naming convention, the engine and session factories."""

from __future__ import annotations

import enum
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


def enum_by_value(enum_class: type[enum.Enum], name: str, *, length: int | None = None) -> Enum:
    """Store an enum by its value (stable, readable in SQL) as a plain string column.
    Give `length` room to grow where more values are expected, to spare a migration."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=length or max(len(str(member.value)) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


#: A connection execution option: on SQLite, this connection's transactions take the write
#: lock when they begin (BEGIN IMMEDIATE) instead of at their first write. See writing().
BEGIN_IMMEDIATE = "roundtable_begin_immediate"

#: How long a SQLite write waits for another's lock before giving up (SQLITE_BUSY_TIMEOUT_SECONDS).
DEFAULT_BUSY_TIMEOUT_SECONDS = 30


def _configure_sqlite(engine: AsyncEngine, busy_timeout_seconds: float) -> None:
    """WAL + synchronous=FULL so an accepted contribution survives a crash; real BEGINs.

    pysqlite's implicit transaction handling breaks SAVEPOINT; emitting BEGIN
    ourselves is SQLAlchemy's documented recipe. A connection marked by writing() begins
    IMMEDIATE; every other one DEFERRED, so readers never queue behind writers (WAL).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(BEGIN_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writing(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (pool, events) for work that writes: on SQLite its transactions take
    the write lock as they begin, waiting up to the busy timeout for it.

    A DEFERRED transaction that reads and then writes cannot wait: if another connection
    wrote in between, SQLite answers "database is locked" at once (its snapshot is stale),
    so two people posting at the same moment would lose one post. Taking the lock first
    makes writers queue instead. PostgreSQL ignores the option."""
    return engine.execution_options(**{BEGIN_IMMEDIATE: True})


#: A pooled connection unused for longer than this is checked before it is handed out
#: (make_engine's ping_when_idle_seconds, as the site uses it).
IDLE_PING_SECONDS = 10.0


def make_engine(
    url: str,
    *,
    null_pool: bool = False,
    busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
    ping_when_idle_seconds: float | None = None,
    **kwargs: Any,
) -> AsyncEngine:
    if null_pool:
        kwargs["poolclass"] = NullPool
    if make_url(url).get_backend_name() == "postgresql":
        # asyncpg prepares every statement, and after five runs PostgreSQL may switch to a
        # generic plan that ignores the LIMIT and the key message's own statistics: the
        # organisation page then read all of an organisation's rows (tests/unit/discussion/
        # test_query_plans.py). Planning each run costs far less than one such read.
        settings = kwargs.setdefault("connect_args", {}).setdefault("server_settings", {})
        settings.setdefault("plan_cache_mode", "force_custom_plan")
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        _create_parent_folder(engine)
        _configure_sqlite(engine, busy_timeout_seconds)
    if ping_when_idle_seconds is not None:
        _ping_when_idle(engine, ping_when_idle_seconds)
    return engine


def _ping_when_idle(engine: AsyncEngine, seconds: float) -> None:
    """Check a pooled connection with a round trip before handing it out, as pool_pre_ping
    does, but only when it lay unused for more than `seconds`: a busy site reuses its
    connections within milliseconds and would pay a round trip on every request for
    nothing, while one that sat idle may have been cut (a database restart, a firewall's
    timeout). A dead one is replaced at once and the request never sees it."""
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("checked_in_at")  # none yet: a connection just opened
        if idle_since is None or time.monotonic() - idle_since <= seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out another (SQLAlchemy's recipe).
            raise DisconnectionError(str(error)) from error


def _create_parent_folder(engine: AsyncEngine) -> None:
    """A newcomer's first run must not fail because var/ does not exist yet."""
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def make_sessionmaker(bind: Any, **kwargs: Any) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(bind=bind, expire_on_commit=False, **kwargs)


__all__ = [
    "BEGIN_IMMEDIATE",
    "IDLE_PING_SECONDS",
    "Base",
    "Engine",
    "TimestampMixin",
    "enum_by_value",
    "make_engine",
    "make_sessionmaker",
    "writing",
]


def insert_into(db: AsyncSession, table: Any) -> Any:
    """INSERT for the session's database, with ON CONFLICT (both dialects have it, the
    generic INSERT has not)."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(table)
