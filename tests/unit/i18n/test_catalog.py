"""Every UI string goes through gettext: the committed template catalogue must match
what extraction finds today, so translators see every string."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from app.settings import PROJECT_ROOT


def message_ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id
        }


def test_catalogue_is_current(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            Path(sys.executable).parent / "pybabel",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    committed = message_ids(PROJECT_ROOT / "app" / "locale" / "messages.pot")
    assert message_ids(fresh) == committed, "run `make messages` and commit app/locale"


def test_english_catalogue_covers_the_template():
    template = message_ids(PROJECT_ROOT / "app" / "locale" / "messages.pot")
    english = message_ids(PROJECT_ROOT / "app" / "locale" / "en" / "LC_MESSAGES" / "messages.po")
    assert template <= english
