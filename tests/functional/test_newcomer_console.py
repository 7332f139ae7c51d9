"""A newcomer's first minutes on `make run` (issue 13): the site runs with development
settings and no mail server, so the mail that confirms a new account is printed in the
console, its link on a line of its own; opening the link shows only the button that
confirms, not the offer to send the link again."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import httpx

from tests.databases import fresh_database_url
from tests.live import (
    ROUNDTABLE,
    background_process,
    free_port,
    post_form,
    run_command,
    site_environment,
    wait_until_answers,
)
from tests.support import soup

EMAIL = "nora.newcomer@example.org"
PASSWORD = "a long enough password"
SIGN_UP = {
    "display_name": "Nora Newcomer",
    "email": EMAIL,
    "password": PASSWORD,
    "organisation_id": "",
    "org_name": "Nora's Diaspora Forum",
    "org_type": "diaspora",
    "org_country": "FR",
}
#: The mail is sent after the response; the console is read again this many times.
READS = 100


async def _link_in_console(console: Path, base_url: str) -> str:
    line = re.compile(rf"^INFO: +\| ({re.escape(base_url)}/account/verify\?token=[\w-]+)$", re.MULTILINE)
    for _ in range(READS):
        found = line.search(await asyncio.to_thread(console.read_text))
        if found:
            return found[1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no confirmation link in the console:\n{await asyncio.to_thread(console.read_text)}")


async def test_make_run_prints_the_confirmation_link_and_the_link_shows_only_the_button(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = site_environment(await fresh_database_url(database_url, "newcomer", tmp_path), tmp_path, base_url)
    env["ROUNDTABLE_ENV"] = "development"  # as `make run`, which sets nothing
    env.pop("SMTP_HOST", None)
    await run_command(env, str(ROUNDTABLE), "db", "upgrade")
    await run_command(env, str(ROUNDTABLE), "seed")
    console = tmp_path / "console.log"
    serve = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    async with (
        background_process(serve, env=env, log_path=console) as process,
        httpx.AsyncClient(base_url=base_url, timeout=10) as newcomer,
    ):
        await wait_until_answers(f"{base_url}/", process, console, "roundtable serve")
        signed_up = await post_form(newcomer, "/sign-up", "/sign-up", SIGN_UP)
        assert signed_up.status_code == 303, signed_up.text
        link = await _link_in_console(console, base_url)
        # Signed in before opening the link: every other page offers to send it again.
        signed_in = await post_form(newcomer, "/sign-in", "/sign-in", {"email": EMAIL, "password": PASSWORD})
        assert signed_in.status_code == 303
        assert "Send the link again" in (await newcomer.get("/")).text

        page = soup(await newcomer.get(link))

    forms = page.select("main form")
    assert [button.get_text(strip=True) for form in forms for button in form.select("button")] == [
        "Confirm my email address"
    ]
    assert "Send the link again" not in page.get_text()
