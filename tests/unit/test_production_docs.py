"""The production walkthrough (deploy/README.md, linked from the README's "Production") says
only what the code does (issue 14): each `roundtable` command it gives, and each one the
systemd units run, is one the CLI accepts, with those arguments; each environment variable it
or deploy/env.example names is one the code reads; each file it names exists."""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess

import pytest

from app.cli import build_parser
from app.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
COMMAND = re.compile(r"(?:^\s*rt|`rt|\.venv/bin/roundtable)\s+([a-z][^&;|`\n]*)", re.MULTILINE)
MENTION = re.compile(r"`roundtable ([a-z][a-z -]*)")
ENV_NAME = re.compile(r"`([A-Z][A-Z0-9_]{2,})(?:=[^`]*)?`|^#?([A-Z][A-Z0-9_]{2,})=", re.MULTILINE)
FILE = re.compile(r"\b((?:deploy|tools|seeds)/[\w.*/-]*\w)")


def section(text: str, heading: str, until: str) -> str:
    start = text.index(heading)
    return text[start : text.index(until, start + len(heading))]


def walkthrough() -> str:
    deploy = (DEPLOY / "README.md").read_text()
    readme = (PROJECT_ROOT / "README.md").read_text()
    return section(deploy, "## From an empty Debian 12 machine", "## The micro-cache") + section(
        readme, "## Production\n", "\n## "
    )


def commands_in(text: str) -> list[str]:
    return [re.sub(r"\$\([^)]*\)", "X", found).strip() for found in COMMAND.findall(text)]


def unit_commands() -> list[str]:
    return [command for unit in sorted(DEPLOY.glob("*.service")) for command in commands_in(unit.read_text())]


def known(words: list[str]) -> bool:
    """Whether the CLI has this command path (`db upgrade`, `mail send-pending`)."""
    parser = build_parser()
    for word in words:
        sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None:
            choices = [choice for a in parser._actions if not a.option_strings and a.choices for choice in a.choices]
            return not choices or word in choices
        if word not in sub.choices:
            return False
        parser = sub.choices[word]
    return True


def test_the_walkthrough_and_units_give_commands_to_check():
    assert len(commands_in(walkthrough())) >= 8
    assert {"serve", "worker", "db", "privacy", "fragments", "mail"} <= {c.split()[0] for c in unit_commands()}


@pytest.mark.parametrize("command", sorted(set(commands_in(walkthrough()) + unit_commands())))
def test_every_command_given_is_one_the_cli_accepts(command):
    arguments = shlex.split(command, comments=True)
    try:
        build_parser().parse_args(arguments)
    except SystemExit:
        pytest.fail(f"`roundtable {command}` is refused by the CLI")


def test_every_command_mentioned_exists():
    mentioned = [found.split() for found in MENTION.findall(walkthrough())]
    assert mentioned
    assert [" ".join(words) for words in mentioned if not known(words)] == []


def names_read_by_the_code() -> set[str]:
    source = "\n".join(path.read_text() for path in (PROJECT_ROOT / "app").rglob("*.py"))
    read = re.findall(r'(?:config\(\s*|os\.environ\.get\(|os\.environ\[)"([A-Z][A-Z0-9_]+)"', source)
    per_provider = re.findall(r'config\(\s*f"(OIDC_)\{\w+\}([A-Z_]+)"', source)
    return set(read) | {f"{prefix}<NAME>{suffix}" for prefix, suffix in per_provider}


def env_names(text: str) -> set[str]:
    return {a or b for a, b in ENV_NAME.findall(text)}


def test_every_variable_the_walkthrough_names_is_read_by_the_code():
    named = env_names(walkthrough())
    assert {"DATABASE_URL", "SECRET_KEY", "FORWARDED_ALLOW_IPS", "METRICS_TOKEN"} <= named
    assert named - names_read_by_the_code() == set()


def test_every_variable_of_the_example_environment_is_read_by_the_code():
    named = env_names((DEPLOY / "env.example").read_text())
    assert {"ROUNDTABLE_ENV", "DATABASE_URL", "SECRET_KEY", "BASE_URL", "SMTP_HOST", "MAIL_FROM"} <= named
    assert named - names_read_by_the_code() == set()


def test_the_example_environment_reads_the_same_in_the_shell():
    """The walkthrough's commands source it with `sh` as systemd reads it: quoted values."""
    shown = subprocess.run(
        ["sh", "-c", 'set -a; . "$0"; set +a; printf %s "$MAIL_FROM"', str(DEPLOY / "env.example")],
        capture_output=True,
        text=True,
        check=True,
        env={},
    )
    assert shown.stdout == "Roundtable <consult@example.org>"


def test_every_file_the_walkthrough_names_exists():
    named = set(FILE.findall(walkthrough()))
    assert {"deploy/nginx.conf", "deploy/env.example"} <= named
    assert sorted(name for name in named if not list(PROJECT_ROOT.glob(name))) == []


def test_the_certificate_paths_are_the_ones_nginx_reads():
    nginx = (DEPLOY / "nginx.conf").read_text()
    paths = set(re.findall(r"/etc/letsencrypt/live/[\w.]+/\w+\.pem", walkthrough()))
    assert paths
    assert {path for path in paths if path not in nginx} == set()


def test_every_unit_the_walkthrough_enables_is_in_deploy():
    named = set(re.findall(r"\broundtable(?:-\w+)?\.(?:service|timer)\b", walkthrough()))
    assert {"roundtable.service", "roundtable-daily.timer"} <= named
    assert {name for name in named if not (DEPLOY / name).exists()} == set()
