"""Text people send, cleaned once: no control characters reach the database, a page, a feed or
a log line, where they would break XML, forge log lines or hide text."""

from __future__ import annotations

import re

#: C0 controls other than tab and newline, DEL, C1 controls, lone surrogates and the two
#: non-characters XML 1.0 forbids. Carriage returns are made newlines before this runs.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n?")
#: Every control character, tab and newline included: a log line must stay one line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """What a person typed, minus characters no text of this site needs: line breaks become
    newlines (browsers send CR LF), tabs stay, other control characters go."""
    return _UNWANTED.sub("", _LINE_BREAK.sub("\n", value))


def escape_controls(value: str) -> str:
    """Control characters as visible escapes (\\x1b, \\n), so a value cannot forge a log line
    or drive the terminal that shows the log."""
    return _CONTROL.sub(_escaped, value)


def _escaped(match: re.Match[str]) -> str:
    return match.group(0).encode("unicode_escape").decode("ascii")
