"""Numbers people send in paths, queries and forms, read one way everywhere: anything that is
not a plain decimal every id and count column can hold reads as "no number", so a bad value
is a missing page or a refused form, never a database error (a query with an integer past
its column fails: PostgreSQL's INTEGER ends at 2**31 - 1, SQLite's at 2**63 - 1)."""

from __future__ import annotations

from starlette.convertors import Convertor, StringConvertor, register_url_convertor

#: The largest value of an INTEGER column on PostgreSQL (ids and counts are INTEGER).
MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_number(value: str | None, *, minimum: int = 0) -> int | None:
    """A whole number from `minimum` to MAX_ID written in ASCII digits, or None for anything
    else: signs, spaces, other scripts' digits, too many digits."""
    if not value or len(value) > _MAX_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if minimum <= number <= MAX_ID else None


def parse_id(value: str | None) -> int | None:
    """A database id (ids start at 1), or None."""
    return parse_number(value, minimum=1)


#: No row has this id: the value a path holds when its digits are past MAX_ID.
NO_SUCH_ID = 0


class IdConvertor(Convertor[int]):
    """`{name:id}` in a route: a database id. Numbers past MAX_ID become an id no row has,
    so the view answers 404; longer than 19 digits, they do not match the route (404 too)."""

    regex = "[0-9]{1,19}"  # bounded: a longer run of digits is no id (and int() would work hard)

    def convert(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else NO_SUCH_ID

    def to_string(self, value: int) -> str:
        value = int(value)
        if not 0 <= value <= MAX_ID:
            raise ValueError("An id must be a whole number from 0 to MAX_ID")
        return str(value)


class SegmentConvertor(StringConvertor):
    """`{name}` in a route: one path segment without control characters. Slugs, refs and
    names never hold one, and PostgreSQL refuses a NUL in a query, so such a path is a 404."""

    regex = r"[^/\x00-\x1f\x7f]+"


def register_id_convertor() -> None:
    """Route tables are built when their modules are imported, so the package registers
    `{…:id}` and the stricter plain `{…}` before any of them (app/__init__.py)."""
    register_url_convertor("id", IdConvertor())
    register_url_convertor("str", SegmentConvertor())
