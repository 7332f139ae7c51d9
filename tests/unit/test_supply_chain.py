"""Supply chain (issue 14): requirements.lock is requirements.txt resolved, every package
pinned with its hashes; `make sbom` describes exactly the locked packages in valid CycloneDX;
`make audit` (tools/audit.sh) fails on a known vulnerability and on a service it cannot ask,
and passes only when every locked package was audited. The audit runs against a real
OSV-compatible server on this machine, answering as api.osv.dev does."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packaging.utils import canonicalize_name

from app.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\#]+)", re.MULTILINE)


def pins(path: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(path.read_text())}


def locked_entries() -> dict[str, str]:
    """Each locked package's block: its pin line, hashes and `# via` lines."""
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    return {canonicalize_name(match[1]): block for block in blocks if (match := PIN.match(block))}


def test_the_lock_pins_every_runtime_requirement_at_its_version():
    direct, locked = pins(PROJECT_ROOT / "requirements.txt"), pins(PROJECT_ROOT / "requirements.lock")
    assert {name: version for name, version in direct.items() if locked.get(name) != version} == {}, (
        "requirements.lock is behind requirements.txt: run `make lock`"
    )


def test_the_lock_holds_nothing_requirements_txt_dropped():
    direct = pins(PROJECT_ROOT / "requirements.txt")
    asked_for_directly = {name for name, block in locked_entries().items() if "-r requirements.txt" in block}
    assert asked_for_directly - set(direct) == set(), "requirements.lock names pins gone from requirements.txt"


def test_every_locked_package_carries_its_hashes():
    entries = locked_entries()
    assert len(entries) > len(pins(PROJECT_ROOT / "requirements.txt")), "the lock should add the dependencies' pins"
    assert [name for name, block in entries.items() if not re.search(r"--hash=sha256:[0-9a-f]{64}", block)] == []


@pytest.fixture(scope="module")
def sbom(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("sbom") / "sbom.cdx.json"
    subprocess.run(["make", "-s", "sbom", f"SBOM={out}", f"BIN={BIN}"], cwd=PROJECT_ROOT, check=True)
    return out.read_text()


def test_the_sbom_is_valid_cyclonedx(sbom):
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(sbom) is None


def test_the_validator_refuses_what_is_not_cyclonedx(sbom):
    broken = json.loads(sbom)
    broken["components"][0]["version"] = {"not": "a string"}
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(broken)) is not None


def test_the_sbom_lists_every_locked_package_at_its_version(sbom):
    bom = json.loads(sbom)
    listed = {canonicalize_name(c["name"]): c["version"] for c in bom["components"]}
    assert listed == pins(PROJECT_ROOT / "requirements.lock")
    assert all(c["purl"] == f"pkg:pypi/{c['name']}@{c['version']}" for c in bom["components"])
    assert bom["metadata"]["component"]["name"] == "roundtable"


Answer = Callable[[str], tuple[int, dict[str, object]]]


@pytest.fixture
def osv() -> Iterator[Callable[[Answer], str]]:
    """An OSV-compatible /v1/query on a free port, answering each package as told."""
    servers: list[ThreadingHTTPServer] = []

    def serve(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, body = answer(query["package"]["name"])
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def audit(url: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "AUDIT_SERVICE": "osv", "AUDIT_OSV_URL": url, "BIN": str(BIN)}
    return subprocess.run(
        ["tools/audit.sh", "requirements.lock"], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True
    )


def a_vulnerability_in(name: str) -> dict[str, object]:
    return {
        "vulns": [
            {
                "id": "PYSEC-TEST-1",
                "summary": "a flaw made up for this test",
                "affected": [
                    {
                        "package": {"name": name, "ecosystem": "PyPI"},
                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "999"}]}],
                    }
                ],
            }
        ]
    }


def test_the_audit_passes_when_no_locked_package_is_vulnerable(osv):
    result = audit(osv(lambda name: (200, {})))
    assert result.returncode == 0, result.stderr
    assert "No known vulnerabilities found" in result.stdout + result.stderr


def test_a_known_vulnerability_fails_the_audit(osv):
    result = audit(osv(lambda name: (200, a_vulnerability_in(name) if name == "jinja2" else {})))
    assert result.returncode == 1
    assert re.search(r"jinja2\s+3\.1\.6\s+PYSEC-TEST-1\s+999", result.stdout), result.stdout


def test_a_service_that_does_not_answer_fails_the_audit_and_says_so(osv):
    result = audit(osv(lambda name: (404, {})))
    assert result.returncode == 2
    assert "FAILED, nothing was audited" in result.stderr


def test_a_package_the_service_cannot_answer_for_fails_the_audit(osv):
    first = next(iter(pins(PROJECT_ROOT / "requirements.lock")))
    result = audit(osv(lambda name: (200, {}) if name == first else (500, {})))
    assert result.returncode != 0
    assert "No known vulnerabilities found" not in result.stdout
