"""deploy/'s systemd units (issue 14): `systemd-analyze verify` accepts every unit and timer,
and `systemd-analyze security` rates each service OK or better (it rated the old unit 9.2,
UNSAFE). Offline: no systemd needs to run. The units' paths point at /srv/roundtable, which
is not here; the copies checked point at this checkout's command instead."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = sorted(p.name for p in DEPLOY.iterdir() if p.suffix in (".service", ".timer"))
SERVICES = [name for name in UNITS if name.endswith(".service")]
#: systemd's own words, best first, for an overall exposure up to 4.9.
ACCEPTED = {"PERFECT", "SAFE", "OK"}


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is missing: tools/install-system-deps.sh installs it (Debian's systemd)")
    return found


@pytest.fixture(scope="module")
def units(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("units")
    command = str(Path(sys.executable).parent / "roundtable")
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace("/srv/roundtable/.venv/bin/roundtable", command)
        (folder / name).write_text(text)
    return folder


def test_there_are_units_for_the_site_the_worker_and_both_timers():
    assert {"roundtable.service", "roundtable-jobs.service", "roundtable-daily.timer", "roundtable-mail.timer"} <= set(
        UNITS
    )
    for timer in (name for name in UNITS if name.endswith(".timer")):
        assert timer.replace(".timer", ".service") in UNITS


def test_systemd_accepts_every_unit(units):
    result = subprocess.run(
        [systemd_analyze(), "verify", *(str(units / name) for name in UNITS)], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_is_hardened(units, name):
    result = subprocess.run(
        [systemd_analyze(), "security", "--offline=true", str(units / name)], capture_output=True, text=True
    )
    overall = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", result.stdout)
    assert overall is not None, result.stdout + result.stderr
    assert float(overall.group(1)) <= 4.9 and overall.group(2) in ACCEPTED, overall.group(0)
    unit = (DEPLOY / name).read_text()
    # A dedicated user and group, and the only place it may write is its own state folder.
    assert "User=roundtable" in unit and "Group=roundtable" in unit and "StateDirectory=roundtable" in unit
    assert "network-online.target" in unit  # the database may be on another machine
