"""Real servers for tests that need sockets: the site under uvicorn, and the Nu HTML checker.

The live site gets its own database, derived from the test database (`database_url`, one per
xdist worker): a fresh SQLite file, or `<name>_live` on the same PostgreSQL server, dropped
and created again. It is migrated, seeded and given three accounts with the `roundtable`
command, as an operator would. Under xdist each worker runs its own site on its own port.

The fixtures are plain functions here so that tests/browser/conftest.py and
tests/functional/test_html_valid.py can both import them; when both run in one session they
share one server (see `_shared`), because two servers cannot both own `<name>_live`."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from app.settings import PROJECT_ROOT
from tests.databases import fresh_database_url
from tests.factories import PASSWORD
from tests.support import LIVE_SECRET_KEY, soup

BIN_DIR = Path(sys.executable).parent
ROUNDTABLE = BIN_DIR / "roundtable"
VNU_JAR = PROJECT_ROOT / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    name: str
    role: str
    organisation: str | None = None
    #: Provisioned with `users create --totp-secret`: the second sign-in step answers with it.
    totp_secret: str | None = None

    async def unspent_code(self) -> str:
        """A code the site will accept: each time step is accepted once, and the site takes
        the current step or the next. Signing the same person in a third time within one
        30-second step means waiting for the next one; guessing instead would count as
        failed attempts and end in the sign-in throttle."""
        assert self.totp_secret is not None, f"{self.email} has no two-factor secret"
        totp = pyotp.TOTP(self.totp_secret)
        step = max(int(time.time() // totp.interval), _SPENT_STEPS.get(self.email, -1) + 1)
        wait = (step - 1) * totp.interval - time.time() + 0.2  # until `step` is the next one
        if wait > 0:
            await asyncio.sleep(wait)
        _SPENT_STEPS[self.email] = step
        return totp.at(step * totp.interval)


#: The last TOTP step each live account signed in with, across the test session.
_SPENT_STEPS: dict[str, int] = {}


PARTICIPANT = Account("awa.diop@example.org", PASSWORD, "Awa Diop", "participant", "Senegalese Diaspora Forum")
MODERATOR = Account(
    "moderator@example.org", PASSWORD, "Marta Moderator", "moderator", totp_secret=pyotp.random_base32()
)
NEGOTIATOR = Account(
    "negotiator@example.org", PASSWORD, "Niels Negotiator", "negotiator", totp_secret=pyotp.random_base32()
)
ADMIN = Account("admin@example.org", PASSWORD, "Ada Admin", "admin", totp_secret=pyotp.random_base32())


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    database_url: str
    log_path: Path
    participant: Account = PARTICIPANT
    moderator: Account = MODERATOR
    negotiator: Account = NEGOTIATOR
    admin: Account = ADMIN


# -- the database -----------------------------------------------------------------------


# -- processes --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_command(env: dict[str, str], *args: str) -> None:
    """Run a command to completion; its output is shown only when it fails."""
    process = await asyncio.create_subprocess_exec(
        *args,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited with {process.returncode}:\n{output.decode(errors='replace')}")


def log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@asynccontextmanager
async def background_process(
    args: list[str], *, env: dict[str, str] | None, log_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A long-running process writing to a log file; terminated (then killed) on exit."""
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *args, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), timeout=10)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def wait_until_answers(
    url: str, process: asyncio.subprocess.Process, log_path: Path, what: str, seconds: float = STARTUP_SECONDS
) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                pytest.fail(f"{what} exited with {process.returncode} while starting:\n{log_tail(log_path)}")
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail(f"{what} did not answer {url} within {seconds:.0f} s:\n{log_tail(log_path)}")


# -- the site ---------------------------------------------------------------------------


def site_environment(database_url: str, var_dir: Path, base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "ROUNDTABLE_VAR_DIR": str(var_dir),
        "SECRET_KEY": LIVE_SECRET_KEY,
        "ROUNDTABLE_ENV": "test",
        "BASE_URL": base_url,
        "LIVE_POLL_SECONDS": "1",  # browser tests watch live news arrive without waiting long
        # Tests post quickly and repeat texts; the posting limits are tested on their own.
        "POSTING_LIMIT_PER_MINUTE": "0",
        "DUPLICATE_TEXT_WINDOW_MINUTES": "0",
        # A browser driven by a test fills a form in well under a second; the minimum is tested
        # over HTTP (tests/functional/test_anti_spam.py). Stamps and the honeypot still apply.
        "FORM_MIN_FILL_SECONDS": "0",
    }


def create_user_args(account: Account) -> list[str]:
    args = [
        "users",
        "create",
        "--email",
        account.email,
        "--password",
        account.password,
        "--name",
        account.name,
        "--role",
        account.role,
    ]
    if account.totp_secret:
        args += ["--totp-secret", account.totp_secret]
    if account.organisation:
        args += ["--org-name", account.organisation, "--org-type", "diaspora", "--country", "FR"]
    return args


async def prepare_site(
    env: dict[str, str], accounts: tuple[Account, ...] = (PARTICIPANT, MODERATOR, NEGOTIATOR, ADMIN)
) -> None:
    """What an operator does on a new installation: migrate, seed, create accounts (a site
    that needs fewer saves a command, a few seconds of CPU, for each left out)."""
    if not ROUNDTABLE.exists():
        pytest.fail(f"{ROUNDTABLE} is missing: install the project into the venv (pip install -e .)")
    await run_command(env, str(ROUNDTABLE), "db", "upgrade")
    await run_command(env, str(ROUNDTABLE), "seed")
    for account in accounts:
        await run_command(env, str(ROUNDTABLE), *create_user_args(account))


@asynccontextmanager
async def serve_site(tmp: Path, test_database_url: str) -> AsyncIterator[LiveServer]:
    # SQLite: a new file in `tmp`; PostgreSQL: the test database's name plus `_live`.
    database_url = await fresh_database_url(test_database_url, "live", tmp)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = site_environment(database_url, tmp, base_url)
    await prepare_site(env)
    server = LiveServer(base_url=base_url, database_url=database_url, log_path=tmp / "uvicorn.log")
    # Clients here sit idle between requests while other tests run; uvicorn's default 5 s
    # keep-alive would close their connections, racing a request sent at that moment
    # ("Server disconnected without sending a response"), which httpx does not retry.
    args = [sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--timeout-keep-alive", "600"]
    async with background_process(args, env=env, log_path=server.log_path) as process:
        await wait_until_answers(base_url + "/", process, server.log_path, "uvicorn")
        yield server


# -- sharing one server between fixture definitions -------------------------------------


@dataclass
class _Entry:
    value: Any
    stack: AsyncExitStack
    users: int = 0


_SHARED: dict[str, _Entry] = {}


@asynccontextmanager
async def _shared(name: str, factory: Callable[[], AbstractAsyncContextManager[Any]]) -> AsyncIterator[Any]:
    """Enter `factory()` once however many fixtures ask; leave it when the last one is done."""
    entry = _SHARED.get(name)
    if entry is None:
        stack = AsyncExitStack()
        entry = _Entry(await stack.enter_async_context(factory()), stack)
        _SHARED[name] = entry
    entry.users += 1
    try:
        yield entry.value
    finally:
        entry.users -= 1
        if entry.users == 0:
            del _SHARED[name]
            await entry.stack.aclose()


@pytest.fixture(scope="session")
async def live_server(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> AsyncIterator[LiveServer]:
    """The site on a free loopback port, with its own migrated and seeded database."""
    async with _shared("site", lambda: serve_site(tmp_path_factory.mktemp("live"), database_url)) as server:
        yield server


# -- the Nu HTML checker ----------------------------------------------------------------


@dataclass
class Checker:
    """The Nu HTML checker's web service; `ready()` waits for Java to finish starting, so
    the checker starts while other fixtures are being set up."""

    url: str
    process: asyncio.subprocess.Process
    log_path: Path
    _ready: bool = False

    async def ready(self) -> str:
        if not self._ready:
            await wait_until_answers(self.url, self.process, self.log_path, "the Nu HTML checker", seconds=60)
            self._ready = True
        return self.url


def java_executable() -> str:
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is not installed: HTML validation needs it (apt-get install openjdk-17-jre-headless)")
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: run `cd tools && npm ci --ignore-scripts`")
    return java


@pytest.fixture(scope="session")
async def html_checker(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Checker]:
    """vnu.jar as a service on a free loopback port (started once; about 60 ms per page)."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("vnu") / "vnu.log"
    args = [
        java_executable(),
        "-Dnu.validator.servlet.bind-address=127.0.0.1",
        "-cp",
        str(VNU_JAR),
        "nu.validator.servlet.Main",
        str(port),
    ]
    async with background_process(args, env=None, log_path=log_path) as process:
        yield Checker(f"http://127.0.0.1:{port}/", process, log_path)


# -- a person on the live site, over HTTP -----------------------------------------------

SLUG = "com-2013-292"


def key_message_path(ref: str) -> str:
    return f"/consultations/{SLUG}/messages/{ref}"


def form_token(response: httpx.Response) -> str:
    """The CSRF token a form on the page carries, as a browser would submit it."""
    field = soup(response).select_one("input[name=csrf_token]")
    assert field is not None, f"no csrf_token field on {response.url}"
    return str(field["value"])


def guard_fields(response: httpx.Response) -> dict[str, str]:
    """What a form on the page carries besides what a person types: the CSRF token and, on the
    forms that have them (app.security.form_stamps), the stamp and the honeypot, left empty."""
    fields = {"csrf_token": form_token(response)}
    stamp = soup(response).select_one("input[name=form_stamp]")
    if stamp is not None:
        fields |= {"form_stamp": str(stamp["value"]), "homepage": ""}
    return fields


async def post_form(client: httpx.AsyncClient, form_page: str, action: str, data: dict[str, str]) -> httpx.Response:
    """GET the page holding the form, then POST it with that page's hidden fields."""
    fields = guard_fields(await client.get(form_page))
    return await client.post(action, data={**fields, **data})


@asynccontextmanager
async def person(server: LiveServer, account: Account | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the live site, signed in as `account` (anonymous when None)."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
        if account is not None:
            response = await post_form(
                client, "/sign-in", "/sign-in", {"email": account.email, "password": account.password, "next": "/"}
            )
            assert response.status_code == 303, f"could not sign in as {account.email}: {response.text}"
            if response.headers["location"] == "/sign-in/two-factor":
                await answer_second_factor(client, account)
        yield client


async def answer_second_factor(client: httpx.AsyncClient, account: Account) -> None:
    code = await account.unspent_code()
    response = await post_form(client, "/sign-in/two-factor", "/sign-in/two-factor", {"code": code})
    if response.status_code != 303:
        pytest.fail(f"{account.email}: the second factor was refused: {response.text[:500]}")


def contribution_id_from(response: httpx.Response) -> int:
    """The new contribution's id, from the redirect to `...#c<id>`."""
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rpartition("#c")[2])


async def post_positions(
    client: httpx.AsyncClient, ref: str, bodies: list[str], position: str = "support"
) -> list[int]:
    """Publish positions as the key message page's form would (one page load for them all)."""
    fields = guard_fields(await client.get(key_message_path(ref)))
    ids = []
    for body in bodies:
        data = {**fields, "position": position, "body": body, "submission_key": secrets.token_hex(12)}
        ids.append(contribution_id_from(await client.post(f"{key_message_path(ref)}/contributions", data=data)))
    return ids


async def post_position(client: httpx.AsyncClient, ref: str, body: str, position: str = "support") -> int:
    [contribution_id] = await post_positions(client, ref, [body], position)
    return contribution_id


async def post_reply(client: httpx.AsyncClient, parent_id: int, body: str) -> int:
    response = await post_form(
        client,
        f"/contributions/{parent_id}/reply",
        f"/contributions/{parent_id}/replies",
        {"body": body, "submission_key": secrets.token_hex(12)},
    )
    return contribution_id_from(response)
