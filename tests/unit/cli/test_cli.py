"""The `roundtable` command on a real database: clear one-line errors, same export as the site."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest

from app.settings import PROJECT_ROOT
from tests.databases import fresh_database_url

ROUNDTABLE = str(Path(sys.executable).parent / "roundtable")
#: The `roundtable` script of a shared virtualenv imports the checkout it was installed from.
PYTHONPATH = os.pathsep.join(filter(None, (str(PROJECT_ROOT), os.environ.get("PYTHONPATH"))))


@pytest.fixture(scope="module")
async def cli_env(database_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    url = await fresh_database_url(database_url, "cli", tmp)
    return {
        **os.environ,
        "DATABASE_URL": url,
        "ROUNDTABLE_VAR_DIR": str(tmp),
        "SECRET_KEY": "cli-test",
        "PYTHONPATH": PYTHONPATH,
    }


def run(env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ROUNDTABLE, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def prepared(cli_env):
    """Migrated, seeded twice, with a negotiator: the state every other test starts from."""
    assert run(cli_env, "db", "upgrade").returncode == 0
    seeds = run(cli_env, "seed"), run(cli_env, "seed")
    created = run(
        cli_env,
        "users",
        "create",
        "--email",
        "neg@example.org",
        "--password",
        "long enough pass",
        "--name",
        "Nils",
        "--role",
        "negotiator",
        "--org-name",
        "European Commission",
        "--org-type",
        "international",
        "--country",
        "be",
    )
    return cli_env, seeds, created


def test_upgrade_seed_twice_users_and_export(prepared, tmp_path):
    cli_env, (first, second), created = prepared
    assert "changes" in first.stdout and "unchanged" in second.stdout
    assert created.returncode == 0 and "negotiator" in created.stdout
    exported = run(cli_env, "export", "--format", "json", "--out", "-")
    assert exported.returncode == 0
    data = json.loads(exported.stdout)
    assert data["schema_version"] == 5 and len(data["roundtables"]) == 4
    out = tmp_path / "export.csv"
    assert run(cli_env, "export", "--format", "csv", "--out", str(out)).returncode == 0
    assert next(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[0] == "id"
    pruned = run(cli_env, "fragments", "prune", "--days", "1")
    assert pruned.returncode == 0 and pruned.stdout == "deleted 0 rendered fragments older than 1 days\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["users", "create", "--email", "neg@example.org", "--password", "long enough pass", "--name", "N"],
            "already exists",
        ),
        (["users", "create", "--email", "nope", "--password", "long enough pass", "--name", "N"], "not an email"),
        (["users", "create", "--email", "x@example.org", "--password", "short", "--name", "N"], "at least 10"),
        (
            [
                "users",
                "create",
                "--email",
                "y@example.org",
                "--password",
                "long enough pass",
                "--name",
                "N",
                "--org-name",
                "X",
                "--org-type",
                "club",
                "--country",
                "NL",
            ],
            "--org-type must be one of",
        ),
        (
            [
                "users",
                "create",
                "--email",
                "z@example.org",
                "--password",
                "long enough pass",
                "--name",
                "N",
                "--org-name",
                "X",
                "--org-type",
                "other",
                "--country",
                "XX",
            ],
            "ISO 3166-1",
        ),
        (
            [
                "users",
                "create",
                "--email",
                "totp@example.org",
                "--password",
                "long enough pass",
                "--name",
                "T",
                "--totp-secret",
                "JBSWY3DPEHPK3PXP",
            ],
            "--totp-secret must have at least 32 base32 characters (160 bits), not 16",
        ),
        (["export", "--format", "json", "--consultation", "nope", "--out", "-"], "no consultation"),
        (["export", "--format", "odt", "--out", "-"], "no format 'odt' (there are: csv, docx, json, pdf, xlsx)"),
        (["export", "--format", "csv", "--roundtable", "RT9", "--out", "-"], "no roundtable 'RT9'"),
        (["seed", "--file", "/nonexistent.yaml"], "No such file"),
        (["demo-data", "--contributions", "1", "--key-message", "RT9-KM9"], "RT9-KM9"),
        (["fragments", "prune", "--days", "0"], "--days must be from 1 to 3650, not 0"),
        (["fragments", "prune", "--days", "99999999999999999999"], "--days must be from 1 to 3650"),
    ],
)
def test_errors_are_one_clear_line(prepared, args, message):
    result = run(prepared[0], *args)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("roundtable: error: ")
    assert message in result.stderr


def test_production_without_secret_key_refuses_to_start(prepared):
    env = {**prepared[0], "ROUNDTABLE_ENV": "production"}
    env.pop("SECRET_KEY")
    result = run(env, "seed")
    assert result.returncode == 1
    assert result.stderr == "roundtable: error: SECRET_KEY is required when ROUNDTABLE_ENV=production\n"


def test_an_unreachable_database_is_one_clear_line(prepared):
    env = {**prepared[0], "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
    result = run(env, "seed")
    assert result.returncode == 1
    assert result.stderr.startswith("roundtable: error: ") and result.stderr.count("\n") == 1


def test_the_app_keeps_idle_connections_longer_than_the_nginx_example_does():
    """Otherwise nginx may reuse a connection the app is closing and answer 502 to a POST."""
    from app.cli import KEEP_ALIVE_SECONDS

    config = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    upstream = config.split("upstream roundtable {", 1)[1].split("}", 1)[0]
    match = re.search(r"^\s*keepalive_timeout\s+(\d+)s;", upstream, re.MULTILINE)
    assert match is not None, "the upstream block should set keepalive_timeout"
    assert int(match.group(1)) < KEEP_ALIVE_SECONDS


def test_demo_data_says_what_it_wrote_and_how_fast(prepared):
    result = run(prepared[0], "demo-data", "--contributions", "40", "--key-message", "RT1-KM1", "--random-seed", "5")
    assert result.returncode == 0, result.stderr
    assert "40 contributions" in result.stdout
    assert re.search(r"; [\d.]+ s, [\d,]+ contributions/s$", result.stdout.strip())


def test_export_streams_one_roundtable_to_a_file_the_same_each_time(prepared, tmp_path):
    env = prepared[0]
    for ref, seed in (("RT2-KM1", "6"), ("RT3-KM1", "7")):
        made = run(env, "demo-data", "--contributions", "30", "--key-message", ref, "--random-seed", seed)
        assert made.returncode == 0, made.stderr
    files = []
    for number in (1, 2):
        out = tmp_path / f"rt2-{number}.csv"
        done = run(env, "export", "--format", "csv", "--roundtable", "RT2", "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert re.fullmatch(rf"wrote \d+ contributions \(\d+ bytes\) to {re.escape(str(out))}\n", done.stderr)
        files.append(out.read_bytes())
    assert files[0] == files[1], "the same data gives the same bytes"
    assert not list(tmp_path.glob("*.part"))
    rows = list(csv.DictReader(io.StringIO(files[0].decode("utf-8-sig"))))
    assert len(rows) >= 30 and {row["roundtable"] for row in rows} == {"RT2"}
    assert all(row["stakeholder_type"] and not row["stakeholder_type"].islower() for row in rows)
    exported = run(env, "export", "--format", "json", "--roundtable", "RT3", "--out", "-")
    data = json.loads(exported.stdout)
    assert [s["ref"] for s in data["roundtables"]] == ["RT3"] and data["selection"]["roundtable"] == "RT3"
    # The drafting documents come from the same command, one roundtable's, readable by their readers.
    docx_out, xlsx_out = tmp_path / "rt2.docx", tmp_path / "rt2.xlsx"
    for fmt, out in (("docx", docx_out), ("xlsx", xlsx_out)):
        done = run(env, "export", "--format", fmt, "--roundtable", "RT2", "--out", str(out))
        assert done.returncode == 0, done.stderr
    headings = [p.text for p in docx.Document(str(docx_out)).paragraphs if p.style.name.startswith("Heading")]
    assert any("RT2-KM1" in heading for heading in headings) and not any("RT3" in h for h in headings)
    sheets = openpyxl.load_workbook(xlsx_out, read_only=True).sheetnames
    assert any("RT2-KM1" in name for name in sheets) and not any("RT3" in name for name in sheets)
