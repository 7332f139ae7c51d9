"""Reading what the database does with a statement, for test_query_plans.py (its docstring
has the rules): the statements a piece of code sends, PostgreSQL's EXPLAIN ANALYZE as a
tree of scans, SQLite's EXPLAIN QUERY PLAN, and the work SQLite's virtual machine does."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

Statement = tuple[str, Any]


@contextmanager
def recorded_reads(engine: AsyncEngine) -> Iterator[list[Statement]]:
    """Every SELECT sent through `engine` while the block runs, with its parameters, once each."""
    seen: list[Statement] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        words = statement.lstrip().split(None, 1)
        if words and words[0].upper() in ("SELECT", "WITH") and (statement, parameters) not in seen:
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


# PostgreSQL ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    """One node of a plan that reads a table or an index."""

    node: str  #: "Index Scan", "Seq Scan", ...
    table: str
    index: str | None
    #: Rows the node looked at over all its loops: those it passed on and those its filters
    #: (or a lossy bitmap's recheck) threw away.
    rows_read: int
    #: Under an Aggregate node: it reads rows to count them, not to show them.
    counted: bool


async def postgres_plan(connection: AsyncConnection, statement: Statement) -> dict[str, Any]:
    sql, parameters = statement
    result = await connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", parameters)
    document = result.scalar_one()
    plan: dict[str, Any] = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    return plan


async def index_tables(connection: AsyncConnection) -> dict[str, str]:
    """Index name -> table name (a Bitmap Index Scan names only its index)."""
    rows = await connection.execute(text("SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'"))
    return {index: table for index, table in rows}


def scans(plan: dict[str, Any], tables_of: dict[str, str], *, counted: bool = False) -> Iterator[Scan]:
    """The scan nodes of a plan, its subplans and init plans included; never-run ones skipped."""
    index = plan.get("Index Name")
    table = plan.get("Relation Name") or (tables_of.get(index) if index else None)
    loops = plan.get("Actual Loops", 0)
    if table is not None and loops:
        per_loop = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        per_loop += plan.get("Rows Removed by Index Recheck", 0)
        yield Scan(plan["Node Type"], table, index, round(per_loop * loops), counted)
    below = counted or plan["Node Type"] == "Aggregate"
    for child in plan.get("Plans", []):
        yield from scans(child, tables_of, counted=below)


def plan_text(plan: dict[str, Any], depth: int = 0) -> str:
    """The plan as an indented outline, with what each node read."""
    parts = [plan["Node Type"]]
    if "Index Name" in plan:
        parts.append(f"using {plan['Index Name']}")
    if "Relation Name" in plan:
        parts.append(f"on {plan['Relation Name']}")
    figures = [f"rows={plan.get('Actual Rows')}", f"loops={plan.get('Actual Loops')}"]
    figures += [f"{key.split()[-1].lower()}={plan[key]}" for key in _REMOVED if plan.get(key)]
    conditions = [f"{key}: {plan[key]}" for key in _CONDITIONS if key in plan]
    lines = ["  " * depth + " ".join(parts) + f" ({' '.join(figures)})" + "".join(f" [{c}]" for c in conditions)]
    lines += [plan_text(child, depth + 1) for child in plan.get("Plans", [])]
    return "\n".join(lines)


_REMOVED = ("Rows Removed by Filter", "Rows Removed by Index Recheck")
_CONDITIONS = ("Index Cond", "Filter", "Recheck Cond")


# SQLite -------------------------------------------------------------------------------------


async def sqlite_plan(connection: AsyncConnection, statement: Statement) -> list[str]:
    sql, parameters = statement
    rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)
    return [row.detail for row in rows]


_ALIAS = re.compile(r"\b(\w+) AS (\w+)\b")


def sqlite_table_scans(details: list[str], sql: str, big: set[str]) -> list[str]:
    """The plan's lines that read a whole big table (`SCAN t`, with or without an index:
    walking a whole index is walking the table), aliases resolved."""
    tables = {alias: table for table, alias in _ALIAS.findall(sql) if table in big} | {table: table for table in big}
    found = []
    for detail in details:
        words = detail.split()
        if len(words) >= 2 and words[0] == "SCAN" and words[1] in tables:
            found.append(detail)
    return found


#: The virtual machine's work is counted in steps of this many instructions.
STEP = 100


def sqlite_work(path: str, statement: Statement) -> int:
    """Instructions SQLite's virtual machine runs for the statement (in STEPs): the work it
    really does, which EXPLAIN QUERY PLAN does not tell. A plain connection of its own."""
    sql, parameters = statement
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    with closing(sqlite3.connect(path)) as connection:
        connection.set_progress_handler(count, STEP)
        connection.execute(sql, parameters).fetchall()
    return steps
