"""Test fixtures: a real database built by the migrations, one outer transaction per test
rolled back at the end, and the app called in-process with that same transaction.

TEST_DATABASE_URL picks the database (default: a SQLite file in a temporary folder);
.ci/run runs the whole suite once on SQLite and once on PostgreSQL, each spread over the
cores by pytest-xdist: every worker then owns its own database (see `database_url`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

os.environ["ROUNDTABLE_ENV"] = "test"  # before the app is imported: cheap password hashing

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.consultation.models import Consultation
from app.consultation.seed import load_seed, read_seed_file
from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker
from app.main import create_app, site_routes
from app.settings import PROJECT_ROOT, Settings, load_settings
from app.urls import install_routes
from tests.databases import fresh_database_url
from tests.support import CPU_HEAVY, TEST_SECRET_KEY, forbid_on_the_event_loop

SEED_FILE = PROJECT_ROOT / "seeds" / "com-2013-292.yaml"
SEED_SLUG = "com-2013-292"


@pytest.fixture(scope="session", autouse=True)
def _route_names() -> None:
    """Services that build addresses from route names (app.urls) work in unit tests too,
    without an app: the same table create_app installs."""
    install_routes(site_routes())


@pytest.fixture(autouse=True)
def _cpu_heavy_work_never_on_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Password hashing, QR codes, PDF parsing, diffs of versions, building exports: on the
    event loop each would stall every request of the worker. Every test, so every path the
    suite takes, fails if one runs there (tests.support.CPU_HEAVY names them)."""
    for owner, name, instead in CPU_HEAVY:
        forbid_on_the_event_loop(monkeypatch, owner, name, instead)


def database_under_test() -> str:
    """ "postgresql" or "sqlite": what TEST_DATABASE_URL names (SQLite when unset)."""
    return "postgresql" if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") else "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `database("postgresql")` tests that database's own behaviour (COPY, its
    locks, its settings): the SQLite run leaves it out, and the reverse. Deselected rather than
    skipped, so that a skip always means something missing; CI runs both databases, so every
    such test runs in one of them."""
    kind = database_under_test()
    elsewhere = [item for item in items if (marker := item.get_closest_marker("database")) and marker.args[0] != kind]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        left_out = set(elsewhere)
        items[:] = [item for item in items if item not in left_out]


def pytest_report_header() -> str:
    database = os.environ.get("TEST_DATABASE_URL", "sqlite (temporary file)")
    return f"database: {database} (under xdist, one per worker)"


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
async def database_url(var_dir: Path, worker_id: str) -> str:
    """The database this test process owns. Under pytest-xdist each worker has its own: a
    SQLite file in its own temporary folder, or `<name>_<worker>` (`roundtable_test_gw0`, ...)
    next to TEST_DATABASE_URL's database, dropped and created afresh. Scratch databases
    (tests/databases.py) are named after it, so they are the worker's own too."""
    base_url = os.environ.get("TEST_DATABASE_URL")
    if not base_url:
        return f"sqlite+aiosqlite:///{var_dir / 'test.db'}"
    if worker_id == "master":  # not distributed: the database .ci/run created
        return base_url
    return await fresh_database_url(base_url, worker_id, var_dir)


@pytest.fixture(scope="session")
def settings(database_url: str, var_dir: Path) -> Settings:
    return load_settings(
        {
            "ROUNDTABLE_ENV": "test",
            "SECRET_KEY": TEST_SECRET_KEY,
            "DATABASE_URL": database_url,
            "ROUNDTABLE_VAR_DIR": str(var_dir),
            # Tests post quickly and repeat texts; the posting limits are tested on their own
            # (tests/unit/discussion/test_posting_limits.py, tests/functional/test_posting_limits_over_http.py).
            "POSTING_LIMIT_PER_MINUTE": "0",
            "DUPLICATE_TEXT_WINDOW_MINUTES": "0",
            # Tests post as soon as they have a form; the minimum is tested on its own
            # (tests/functional/test_anti_spam.py), the stamp and the honeypot are checked everywhere.
            "FORM_MIN_FILL_SECONDS": "0",
        }
    )


def run_alembic(database_url: str, *args: str) -> None:
    """Alembic runs in a subprocess: its async env.py starts its own event loop."""
    subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "migrations-test"},
    )


async def reset_database(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        else:
            tables = (await connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))).scalars()
            await connection.execute(text("PRAGMA foreign_keys=OFF"))
            for table in list(tables):
                await connection.execute(text(f'DROP TABLE IF EXISTS "{table}"'))


async def build_seeded_database(engine: AsyncEngine, database_url: str) -> None:
    """Empty the database, build it with the migrations and load the seed consultation."""
    await reset_database(engine)
    run_alembic(database_url, "upgrade", "head")
    async with make_sessionmaker(engine)() as db:
        await load_seed(db, read_seed_file(SEED_FILE))
        await db.commit()


@pytest.fixture
async def own_database(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A seeded database of the test's own, for requests that must really meet: each on its
    own connection, not the shared test transaction (named after the test module)."""
    url = await fresh_database_url(database_url, request.module.__name__.rsplit(".", 1)[-1], tmp_path)
    engine = make_engine(url, null_pool=True)
    await build_seeded_database(engine, url)
    yield url
    await engine.dispose()


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, null_pool=True)
    await build_seeded_database(engine, database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        if transaction.is_active:
            await transaction.rollback()


def _sessionmaker(connection: AsyncConnection):  # type: ignore[no-untyped-def]
    # Commits inside the app or a service release a SAVEPOINT; the outer transaction
    # is rolled back after the test, so tests never see each other's data.
    return make_sessionmaker(connection, join_transaction_mode="create_savepoint")


@pytest.fixture
async def db(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    async with _sessionmaker(connection)() as session:
        yield session


@pytest.fixture
async def consultation(db: AsyncSession) -> Consultation:
    loaded = await consultation_by_slug(db, SEED_SLUG)
    assert loaded is not None
    return loaded


@pytest.fixture
def app(settings: Settings, connection: AsyncConnection):  # type: ignore[no-untyped-def]
    return create_app(settings, sessionmaker=_sessionmaker(connection))


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def other_client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """A second browser, for journeys with two people."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
