"""Issue 14: the site as it runs in production, two `roundtable serve` processes behind
Debian's nginx (round robin, deploy/nginx.conf) on one database, a `roundtable worker` for
the exports and a real SMTP server. Each app process has its own ROUNDTABLE_VAR_DIR, as on two
machines: what one process keeps on its own disk the other cannot serve.

A person's journey goes through nginx from sign-up to an export; then one app process is
killed (SIGKILL) while eight clients post, and every post it acknowledged is stored once.

The database is the run's (TEST_DATABASE_URL's server, else SQLite), a scratch one of this
module's, migrated, seeded and given its accounts as an operator would (tests/live.py)."""

from __future__ import annotations

import asyncio
import json
import secrets
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from app.db import make_engine
from app.discussion.models import Contribution
from tests.databases import fresh_database_url
from tests.live import (
    NEGOTIATOR,
    PARTICIPANT,
    ROUNDTABLE,
    LiveServer,
    background_process,
    contribution_id_from,
    free_port,
    guard_fields,
    key_message_path,
    log_tail,
    person,
    post_position,
    post_reply,
    prepare_site,
    site_environment,
    wait_until_answers,
)
from tests.mail_server import MailServer, Received, smtp_server
from tests.nginx import nginx_in_front
from tests.pdf_samples import tiny_pdf
from tests.support import soup, visible_text

__all__ = ["smtp_server"]  # a fixture, imported for pytest

SLUG = "com-2013-292"
JOURNEY_REF = "RT3-KM2"
LOAD_REF = "RT3-KM3"
POSTERS = 8
POSTS = 200
#: How often one post is sent before the test gives up on it (each resend has the same key).
SENDS_PER_POST = 20
#: Bounded waits for what happens in other processes: a mail, a background export.
POLLS = 150
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class AppProcess:
    """One `roundtable serve`, reached directly (bypassing nginx) at `base_url`."""

    port: int
    var_dir: Path
    log_path: Path
    process: asyncio.subprocess.Process

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests_logged(self, path: str) -> int:
        """POSTs to `path` in the process's access log."""
        return self.log_path.read_text(errors="replace").count(f"POST {path} ")


@dataclass(frozen=True)
class Deployment:
    #: The site as people reach it: through nginx.
    site: LiveServer
    apps: tuple[AppProcess, AppProcess]
    mail: MailServer
    worker_log: Path


def mail_settings(server: MailServer) -> dict[str, str]:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_TLS": "none"}


@asynccontextmanager
async def app_process(env: dict[str, str], var_dir: Path, port: int) -> AsyncIterator[AppProcess]:
    """`roundtable serve` on `port` with a folder of its own; not waited for."""
    log_path = var_dir / "serve.log"
    args = [str(ROUNDTABLE), "serve", "--port", str(port)]
    own = {**env, "ROUNDTABLE_VAR_DIR": str(var_dir)}
    async with background_process(args, env=own, log_path=log_path) as process:
        yield AppProcess(port, var_dir, log_path, process)


@pytest.fixture(scope="module")
async def deployment(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, smtp_server: MailServer
) -> AsyncIterator[Deployment]:
    folder = {name: tmp_path_factory.mktemp(name) for name in ("operator", "first", "second", "worker", "nginx")}
    shared_database = await fresh_database_url(database_url, "two_apps", folder["operator"])
    # Migrating, seeding and creating accounts neither send mail nor make links: no BASE_URL yet.
    await prepare_site(site_environment(shared_database, folder["operator"], ""), accounts=(PARTICIPANT, NEGOTIATOR))
    async with AsyncExitStack() as stack:
        # Ports are found just before they are bound: one found free a minute earlier, before
        # the commands above, could be another process's by now.
        ports = {"first": free_port(), "second": free_port()}
        nginx = await stack.enter_async_context(nginx_in_front(folder["nginx"], list(ports.values())))
        site = LiveServer(nginx.base_url, shared_database, log_path=folder["nginx"] / "error.log")
        # Links in mails and the same-origin check name the address people use: nginx's.
        env = site_environment(shared_database, folder["operator"], site.base_url) | mail_settings(smtp_server)
        apps = [await stack.enter_async_context(app_process(env, folder[name], port)) for name, port in ports.items()]
        worker_env = {**env, "ROUNDTABLE_VAR_DIR": str(folder["worker"])}
        worker_args = [str(ROUNDTABLE), "worker", "--poll-seconds", "0.5"]
        worker_log = folder["worker"] / "worker.log"
        await stack.enter_async_context(background_process(worker_args, env=worker_env, log_path=worker_log))
        # Three Pythons start at once on two cores other work shares: more time than one alone.
        for app in apps:
            await wait_until_answers(f"{app.base_url}/", app.process, app.log_path, "roundtable serve", seconds=90)
        await nginx.answering()
        yield Deployment(site, (apps[0], apps[1]), smtp_server, worker_log)


# -- the journey ------------------------------------------------------------------------

NEWCOMER = {
    "display_name": "Fatou Ndiaye",
    "email": "fatou.ndiaye@example.org",
    "password": "a long enough password",
    "organisation_id": "",
    "org_name": "Sahel Youth Network",
    "org_type": "civil_society",
    "org_country": "ML",
}
POSITION = "Remittances should cost less than three per cent; our paper says how."
REPLY = "The paper's second page has the figures for Mali."
PAPER_NAME = "Our position.pdf"


async def mail_to(server: MailServer, address: str) -> Received:
    """The mail to `address`, once the app process that queued it has sent it."""
    for _ in range(POLLS):
        if mails := server.to(address):
            return mails[-1]
        await asyncio.sleep(POLL_SECONDS)
    pytest.fail(f"no mail to {address} arrived")


async def sign_up_and_confirm(client: httpx.AsyncClient, deployment: Deployment) -> None:
    """Sign up registering a new organisation, then open the mailed link and confirm."""
    signed_up = await client.post("/sign-up", data={**guard_fields(await client.get("/sign-up")), **NEWCOMER})
    assert signed_up.status_code == 303, visible_text(signed_up)[:500]
    check = await client.get(signed_up.headers["location"])
    assert "Check your mail" in visible_text(check)

    mail = await mail_to(deployment.mail, NEWCOMER["email"])
    assert mail.message["Subject"] == "Confirm your email address for Roundtable"
    [link] = [url for url in mail.links() if "/account/verify?token=" in url]
    assert link.startswith(f"{deployment.site.base_url}/"), link  # the address people use, not a process's
    parts = urlsplit(link)
    page = await client.get(f"{parts.path}?{parts.query}")
    token = soup(page).select_one("form[action='/account/verify'] input[name=token]")
    assert token is not None, visible_text(page)
    confirmed = await client.post("/account/verify", data={**guard_fields(page), "token": str(token["value"])})
    assert confirmed.status_code == 303, visible_text(confirmed)[:500]
    assert f"Signed in as {NEWCOMER['display_name']}" in visible_text(await client.get("/"))


def organisation_choice(page: httpx.Response, name: str) -> str:
    """The "Speaking for" option naming the organisation, on the key message's form."""
    options = soup(page).select("form[action$='/contributions'] select[name=organisation_id] option")
    [option] = [o for o in options if name in o.get_text()]
    return str(option["value"])


async def post_position_with_paper(client: httpx.AsyncClient, paper: bytes) -> tuple[int, str]:
    """Take a position for the new organisation with a PDF paper; its id and the paper's link."""
    page = await client.get(key_message_path(JOURNEY_REF))
    key = soup(page).select_one("#contribution-form input[name=submission_key]")
    assert key is not None, "the newcomer has no form to take a position"
    data = {
        **guard_fields(page),
        "organisation_id": organisation_choice(page, NEWCOMER["org_name"]),
        "position": "support",
        "body": POSITION,
        "submission_key": str(key["value"]),
    }
    files = {"attachment": (PAPER_NAME, paper, "application/pdf")}
    position_id = contribution_id_from(
        await client.post(f"{key_message_path(JOURNEY_REF)}/contributions", data=data, files=files)
    )
    published = soup(await client.get(key_message_path(JOURNEY_REF))).select_one(f"#c{position_id}")
    assert published is not None and POSITION in published.get_text(" ")
    [link] = [a for a in published.select("a[href^='/attachments/']") if a.get_text() == PAPER_NAME]
    return position_id, str(link["href"])


def records(node: Any) -> Iterator[dict[str, Any]]:
    """Every contribution in an export's JSON, replies included, wherever it is nested."""
    if isinstance(node, dict):
        if "id" in node and "body" in node:
            yield node
        for value in node.values():
            yield from records(value)
    elif isinstance(node, list):
        for item in node:
            yield from records(item)


async def exported_by_the_negotiator(deployment: Deployment) -> dict[str, Any]:
    """The negotiator asks for a JSON export, the worker makes it, the negotiator downloads it."""
    site = deployment.site
    async with person(site, site.negotiator) as negotiator:
        form_page = await negotiator.get(f"/consultations/{SLUG}/export")
        asked = await negotiator.post(
            f"/consultations/{SLUG}/exports", data={**guard_fields(form_page), "format": "json"}
        )
        assert asked.status_code == 303, visible_text(asked)[:500]
        job_url = asked.headers["location"]
        for _ in range(POLLS):
            job_page = await negotiator.get(job_url)
            status = soup(job_page).select_one("#export-job")
            assert status is not None, visible_text(job_page)[:500]
            if "Ready" in status.get_text():
                break
            await asyncio.sleep(POLL_SECONDS)
        else:
            pytest.fail(f"the worker never made the export:\n{log_tail(deployment.worker_log)}")
        file_form = status.select_one("form")
        assert file_form is not None
        downloaded = await negotiator.post(str(file_form["action"]), data=guard_fields(job_page))
        assert downloaded.status_code == 200, visible_text(downloaded)[:500]
        exported: dict[str, Any] = json.loads(downloaded.content)
        return exported


async def test_a_journey_through_nginx_with_two_app_processes(deployment: Deployment) -> None:
    """Sign up, confirm, take a position with a paper, reply; the paper downloads alike from
    each process and through nginx; the negotiator's export holds the position."""
    paper = tiny_pdf(pages=2)
    async with person(deployment.site) as newcomer:
        await sign_up_and_confirm(newcomer, deployment)
        position_id, paper_path = await post_position_with_paper(newcomer, paper)
        reply_id = await post_reply(newcomer, position_id, REPLY)
        thread = await newcomer.get(f"/contributions/{position_id}")
        assert reply_id != position_id and REPLY in visible_text(thread) and POSITION in visible_text(thread)

        # Whichever process took the post, both serve the paper, and nginx too.
        downloads = {
            f"process on :{app.port}": await newcomer.get(f"{app.base_url}{paper_path}") for app in deployment.apps
        }
        downloads["nginx"] = await newcomer.get(paper_path)
        assert {where: d.status_code for where, d in downloads.items()} == dict.fromkeys(downloads, 200)
        assert all(d.content == paper for d in downloads.values())

    exported = await exported_by_the_negotiator(deployment)
    by_id = {record["id"]: record for record in records(exported)}
    assert by_id[position_id]["body"] == POSITION
    assert [a["name"] for a in by_id[position_id]["attachments"]] == [PAPER_NAME]
    assert by_id[position_id]["organisation"]["name"] == NEWCOMER["org_name"]
    assert by_id[reply_id]["body"] == REPLY and by_id[reply_id]["parent_id"] == position_id


# -- one process killed under load ------------------------------------------------------


@dataclass
class Load:
    """What the posters saw: the contribution each acknowledged key became."""

    acknowledged: dict[str, int] = field(default_factory=dict)
    halfway: asyncio.Event = field(default_factory=asyncio.Event)
    acknowledged_at_kill: int | None = None


async def send_until_acknowledged(client: httpx.AsyncClient, url: str, data: dict[str, str], load: Load) -> None:
    """POST until answered 303; a 502 or 504 from nginx, or a dropped connection, means the
    post may or may not have been stored: it is sent again with the same submission key."""
    for _ in range(SENDS_PER_POST):
        try:
            response = await client.post(url, data=data)
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code == 303:
            load.acknowledged[data["submission_key"]] = contribution_id_from(response)
            if len(load.acknowledged) >= POSTS // 2:
                load.halfway.set()
            return
        assert response is None or response.status_code in (502, 504), visible_text(response)[:500]
        await asyncio.sleep(POLL_SECONDS)
    pytest.fail(f"a post was not acknowledged after {SENDS_PER_POST} sends")


async def post_replies(client: httpx.AsyncClient, parent_id: int, keys: list[str], load: Load) -> None:
    """One poster: a reply per key, one after another, from one page's form."""
    fields = guard_fields(await client.get(f"/contributions/{parent_id}/reply"))
    for key in keys:
        data = {**fields, "body": f"Reply {key} under load.", "submission_key": key}
        await send_until_acknowledged(client, f"/contributions/{parent_id}/replies", data, load)


async def kill_halfway(app: AppProcess, load: Load) -> None:
    await load.halfway.wait()
    load.acknowledged_at_kill = len(load.acknowledged)
    app.process.send_signal(signal.SIGKILL)
    await app.process.wait()


async def stored_replies(database_url: str, parent_id: int) -> dict[str, list[int]]:
    """The replies stored under `parent_id`: submission key -> the ids stored with it."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(Contribution.submission_key, Contribution.id).where(Contribution.parent_id == parent_id)
            stored: dict[str, list[int]] = {}
            for key, contribution_id in await connection.execute(query):
                stored.setdefault(key, []).append(contribution_id)
            return stored
    finally:
        await engine.dispose()


async def test_killing_one_app_process_under_load_loses_and_doubles_nothing(deployment: Deployment) -> None:
    """Eight clients post 200 replies through nginx; one app process is killed midway. Every
    post is resent until acknowledged (the other process takes it), and the database holds
    each acknowledged post exactly once; the posters' sessions keep working. It comes last in
    the module: the killed process is not started again."""
    site, victim, survivor = deployment.site, *deployment.apps
    keys = [secrets.token_hex(12) for _ in range(POSTS)]
    load = Load()
    async with AsyncExitStack() as stack:
        posters = [await stack.enter_async_context(person(site, site.participant)) for _ in range(POSTERS)]
        parent_id = await post_position(posters[0], LOAD_REF, "A thread many reply to at the same moment.")
        path = f"/contributions/{parent_id}/replies"
        # A task group: if one poster fails, the others stop with it (and the killer, waiting).
        async with asyncio.TaskGroup() as group:
            group.create_task(kill_halfway(victim, load))
            for n, poster in enumerate(posters):
                group.create_task(post_replies(poster, parent_id, keys[n::POSTERS], load))

        assert victim.process.returncode == -signal.SIGKILL
        assert load.acknowledged_at_kill is not None and load.acknowledged_at_kill < POSTS
        # Both processes were taking posts when one was killed.
        assert victim.requests_logged(path) > 0 and survivor.requests_logged(path) > 0
        stored = await stored_replies(site.database_url, parent_id)
        assert sorted(load.acknowledged) == sorted(keys)
        assert {key: ids for key, ids in stored.items() if len(ids) != 1} == {}, "stored more than once"
        assert {key: ids[0] for key, ids in stored.items()} == load.acknowledged

        for poster in posters:
            account = await poster.get("/account")
            assert account.status_code == 200 and f"Signed in as {site.participant.name}" in visible_text(account)
