"""Debian's nginx with deploy/nginx.conf, rewritten for loopback ports, in front of app
processes started by a test (tests/functional/test_nginx_micro_cache.py: one process;
tests/functional/test_two_app_processes.py: two). Each rewrite must find what it replaces, so
a test never checks a file that has moved on."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT
from tests.live import background_process, free_port, wait_until_answers

SITE_CONFIG = PROJECT_ROOT / "deploy" / "nginx.conf"
#: The upstream's one server in deploy/nginx.conf; a test puts one line per app process instead.
UPSTREAM_SERVER = "server 127.0.0.1:8000;"


def nginx_executable() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        pytest.fail("nginx is not installed: run tools/install-system-deps.sh (apt-get install nginx-light)")
    return found


def site_config(site: str, *, app_ports: Sequence[int], port: int, redirect_port: int, folder: Path) -> str:
    """deploy/nginx.conf on loopback ports, without TLS, with its files in `folder`, sending
    requests to the app processes on `app_ports` (round robin, as in production)."""
    servers = "\n    ".join(f"server 127.0.0.1:{app_port};" for app_port in app_ports)
    replacements = {
        UPSTREAM_SERVER: servers,
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port};",
        "listen 80;": f"listen 127.0.0.1:{redirect_port};",
        "/var/cache/nginx/roundtable": str(folder / "cache"),
        "root /srv/roundtable/deploy;": f"root {PROJECT_ROOT / 'deploy'};",
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx.conf no longer has {old!r}: update tests/nginx.py"
        site = site.replace(old, new)
    return "\n".join(line for line in site.splitlines() if not line.strip().startswith("ssl_certificate"))


def main_config(site: str, nginx: str, folder: Path) -> str:
    """A whole nginx configuration around the site, writing only into `folder`."""
    built_with = subprocess.run([nginx, "-V"], capture_output=True, text=True, check=True).stderr
    temp_paths = [
        f"{name.replace('-', '_')}_temp_path {folder}/{name};"
        for name in re.findall(r"--http-([a-z-]+)-temp-path=", built_with)
    ]
    # Workers run as the user nginx was started by; as root they would become nobody, who
    # may not enter pytest's temporary folders.
    user = "user root;" if os.geteuid() == 0 else ""
    return "\n".join(
        [
            user,
            "worker_processes 1;",
            f"pid {folder}/nginx.pid;",
            f"error_log {folder}/error.log info;",
            "events { worker_connections 256; }",
            "http {",
            f"access_log {folder}/access.log;",
            *temp_paths,
            site,
            "}",
        ]
    )


@dataclass(frozen=True)
class Nginx:
    base_url: str
    process: asyncio.subprocess.Process
    folder: Path

    async def answering(self) -> None:
        """Wait until the site answers through nginx (the app processes behind it included)."""
        await wait_until_answers(self.base_url + "/", self.process, self.folder / "error.log", "nginx")


@asynccontextmanager
async def nginx_in_front(folder: Path, app_ports: Sequence[int]) -> AsyncIterator[Nginx]:
    """nginx on a free port in front of the app processes on `app_ports`,
    once `nginx -t` accepts the configuration; stopped on exit. It is not waited for: see
    `Nginx.answering`."""
    nginx = nginx_executable()
    port = free_port()
    site = site_config(
        SITE_CONFIG.read_text(), app_ports=app_ports, port=port, redirect_port=free_port(), folder=folder
    )
    config = folder / "nginx.conf"
    config.write_text(main_config(site, nginx, folder))
    check = await asyncio.to_thread(
        subprocess.run, [nginx, "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    args = [nginx, "-p", str(folder), "-c", str(config), "-g", "daemon off;"]
    async with background_process(args, env=None, log_path=folder / "nginx.out") as process:
        yield Nginx(f"http://127.0.0.1:{port}", process, folder)
