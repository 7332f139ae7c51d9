"""A real OpenID Connect provider for the tests: `node tools/oidc/server.mjs` (npm
`oidc-provider`) on a free loopback port, with one confidential client whose redirect URIs
point at the app under test. See tools/oidc/server.mjs for the people it knows."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT
from tests.live import free_port

SERVER = PROJECT_ROOT / "tools" / "oidc" / "server.mjs"
PACKAGE = PROJECT_ROOT / "tools" / "node_modules" / "oidc-provider"
APP_BASE_URL = "http://localhost:8000"
PROVIDER_NAME = "testop"
CLIENT_ID = "roundtable"
CLIENT_SECRET = "roundtable-test-secret"
STARTUP_SECONDS = 15.0


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    process: subprocess.Popen[bytes]
    log_path: Path


def redirect_uri(name: str = PROVIDER_NAME) -> str:
    return f"{APP_BASE_URL}/auth/oidc/{name}/callback"


@contextmanager
def running_provider(log_dir: Path, *names: str) -> Iterator[RunningProvider]:
    """Start the provider, wait until it listens, stop it and close its log afterwards."""
    node = shutil.which("node")
    if node is None or not PACKAGE.exists():
        pytest.fail("OpenID Connect tests need node and tools/node_modules/oidc-provider: run `make install-test`")
    port = free_port()
    log_path = log_dir / f"oidc-provider-{port}.log"
    env = {
        "PATH": str(Path(node).parent),
        "OP_PORT": str(port),
        "OP_REDIRECT_URIS": ",".join(redirect_uri(name) for name in names or (PROVIDER_NAME,)),
        "OP_CLIENT_ID": CLIENT_ID,
        "OP_CLIENT_SECRET": CLIENT_SECRET,
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen([node, str(SERVER)], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, process, log_path)
            yield RunningProvider(issuer=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oidc-provider exited with {process.returncode}:\n{log_path.read_text()}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"oidc-provider did not listen on {port} within {STARTUP_SECONDS}s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    with running_provider(tmp_path_factory.mktemp("oidc")) as provider:
        yield provider
