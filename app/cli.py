"""The `roundtable` command: serve, migrate, seed, create users, export, rebuild tallies, run background
jobs, import position papers, generate demo data.

Errors are one clear line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging.config
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import make_engine, make_sessionmaker, writing
from app.settings import PROJECT_ROOT, SettingsError, load_settings


class CommandError(Exception):
    """A problem the operator can fix; printed as one line."""


def run_in_session(work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        settings = load_settings()
        engine = make_engine(settings.database_url, busy_timeout_seconds=settings.sqlite_busy_timeout_seconds)
        try:
            # Commands write: on SQLite they queue for the lock behind the site's writes.
            async with make_sessionmaker(writing(engine))() as db:
                result = await work(db)
                await db.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(main())


def alembic_config() -> Any:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def cmd_db(args: argparse.Namespace) -> None:
    from alembic import command

    if args.action == "upgrade":
        command.upgrade(alembic_config(), args.revision or "head")
    else:
        command.downgrade(alembic_config(), args.revision or "-1")


# Longer than nginx keeps an idle upstream connection (deploy/nginx.conf): if uvicorn closed
# first (its default is 5 s), nginx could send a POST down a closing connection and answer 502.
KEEP_ALIVE_SECONDS = 75

# How long a worker may take to answer the supervisor's health check before it is killed and
# replaced (uvicorn's default is 5 s). A worker that is merely starved of CPU, on a host busy
# with other work, would be killed with the requests it was answering, and its replacement's
# start-up would take more CPU still; only a worker stuck this long is taken for hung.
WORKER_HEALTHCHECK_SECONDS = 30


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from app.web.logs import log_config

    if args.workers and args.workers > 1:
        _share_metrics_between_workers(load_settings().var_dir / "prometheus")
    uvicorn.run(
        "app.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        ws="none",  # the site speaks no WebSocket (live news is polled): no library for it to load
        log_config=log_config(_log_format()),
        access_log=args.access_log,
    )


def cmd_backup(args: argparse.Namespace) -> None:
    from app.backup import BackupError, back_up

    try:
        summary = asyncio.run(back_up(load_settings(), Path(args.out)))
    except BackupError as error:
        raise CommandError(str(error)) from error
    what = f"the {summary.backend} database (migration {summary.revision}) and {summary.files} file(s)"
    print(f"backed up {what} into {summary.directory}")


def cmd_restore(args: argparse.Namespace) -> None:
    from app.backup import BackupError, restore

    try:
        summary = asyncio.run(restore(load_settings(), Path(args.directory)))
    except BackupError as error:
        raise CommandError(str(error)) from error
    print(f"restored the {summary.backend} database (migration {summary.revision}) from {summary.directory}")


def cmd_papers_import(args: argparse.Namespace) -> None:
    from app.discussion.paper_import import import_papers

    report = run_in_session(lambda db: import_papers(db, Path(args.directory)))
    print(
        f"imported {report.imported} paper(s); {report.already_stored} already in the database; "
        f"{report.unknown} file(s) of no paper left alone; {report.still_missing} paper(s) still without their file"
    )
    if report.refused:
        names = ", ".join(report.refused)
        raise CommandError(f"refused {len(report.refused)} file(s) whose SHA-256 is not their paper's: {names}")


def _share_metrics_between_workers(directory: Path) -> None:
    """Several workers write their request metrics to files there, which /metrics adds up
    (prometheus_client's multiprocess mode); the last run's are removed, or they would count
    twice. Set before any worker imports prometheus_client."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def _log_format() -> str:
    """LOG_FORMAT: text (the default, for people) or json (for a log collector)."""
    from app.web.logs import LOG_FORMATS

    log_format = os.environ.get("LOG_FORMAT", "text")
    if log_format not in LOG_FORMATS:
        raise CommandError(f"LOG_FORMAT must be text or json, not {log_format!r}")
    return log_format


def cmd_seed(args: argparse.Namespace) -> None:
    from app.consultation.seed import SeedError, load_seed, read_seed_file, seed_files

    files = [Path(args.file)] if args.file else seed_files(load_settings().seeds_dir)
    if not files:
        raise CommandError("no seed files found")
    for path in files:
        try:
            data = read_seed_file(path)
        except (OSError, SeedError) as error:
            raise CommandError(str(error)) from error
        report = run_in_session(partial(load_seed, data=data))
        status = f"{len(report.changes)} changes" if report.changed else "unchanged"
        print(f"{path.name}: consultation {report.slug}: {status}")
        for note in report.notes:
            print(f"{path.name}: consultation {report.slug}: note: {note}")


def cmd_consultation_schedule(args: argparse.Namespace) -> None:
    from app.consultation.phases import ScheduleError, phase_of
    from app.consultation.scheduling import reschedule
    from app.i18n import format_instant_brussels

    try:
        consultation = run_in_session(lambda db: reschedule(db, args.slug, opens=args.opens, closes=args.closes))
    except ScheduleError as error:
        raise CommandError(str(error)) from error
    opens, closes = consultation.opens_at, consultation.closes_at
    print(
        f"consultation {consultation.slug}: {phase_of(consultation).value}; "
        f"opens {format_instant_brussels(opens) if opens else 'at once (no opening instant)'}; "
        f"closes {format_instant_brussels(closes) if closes else 'never (no closing instant)'}"
    )


def cmd_users_create(args: argparse.Namespace) -> None:
    from app.accounts.cli import create_user_from_cli

    user_id = run_in_session(lambda db: create_user_from_cli(db, args))
    print(f"created user {user_id} ({args.email}, {args.role})")


def keep_out_of_collections() -> None:
    """Objects made so far (the site's modules, routes and tables) are never collected again:
    moved out of the garbage collector's sight, so its full collections during a long run
    (an export makes millions of objects) do not walk them all each time; at 20,000
    contributions that was a sixth of an export's CPU time."""
    gc.freeze()


def cmd_export(args: argparse.Namespace) -> None:
    from app.export.cli import ExportCommandError, export_from_cli

    keep_out_of_collections()

    def export_into(out: BinaryIO) -> dict[str, int]:
        work = partial(
            export_from_cli,
            out=out,
            fmt=args.format,
            slug=args.consultation,
            roundtable=args.roundtable,
            language=args.language,
        )
        try:
            counts: dict[str, int] = run_in_session(work)
        except ExportCommandError as error:
            raise CommandError(str(error)) from error
        return counts

    if args.out == "-":
        export_into(sys.stdout.buffer)
        return
    # Written beside the target and renamed at the end: a failed export leaves no half file.
    target = Path(args.out)
    partial_file = target.with_name(target.name + ".part")
    try:
        with partial_file.open("wb") as out:
            counts = export_into(out)
        partial_file.replace(target)
    finally:
        partial_file.unlink(missing_ok=True)
    print(f"wrote {counts['contributions']} contributions ({target.stat().st_size} bytes) to {target}", file=sys.stderr)


def cmd_mail_send_pending(_args: argparse.Namespace) -> None:
    from app.mail.services import send_pending

    report = run_in_session(lambda db: send_pending(db, load_settings(), limit=None))
    print(f"sent {report.sent}, failed {report.failed}")
    if report.failed:
        raise CommandError(f"{report.failed} messages are still queued; last error: {report.last_error}")


def cmd_privacy_purge(_args: argparse.Namespace) -> None:
    from app.privacy.retention import purge

    print(run_in_session(purge))


def cmd_fragments_prune(args: argparse.Namespace) -> None:
    from datetime import timedelta

    from app.fragments import prune_fragments

    if not 1 <= args.days <= 3650:
        raise CommandError(f"--days must be from 1 to 3650, not {args.days}")
    deleted = run_in_session(lambda db: prune_fragments(db, older_than=timedelta(days=args.days)))
    print(f"deleted {deleted} rendered fragments older than {args.days} days")


def cmd_tallies_rebuild(_args: argparse.Namespace) -> None:
    from app.discussion.position_counts import rebuild_position_counts

    rows = run_in_session(rebuild_position_counts)
    print(f"{rows} position counts written")


def cmd_demo_data(args: argparse.Namespace) -> None:
    from app.demo.generator import generate_demo_data

    started = time.perf_counter()
    report = run_in_session(
        lambda db: generate_demo_data(
            db,
            contributions=args.contributions,
            key_message_ref=args.key_message,
            consultation_slug=args.consultation,
            random_seed=args.random_seed,
        )
    )
    elapsed = time.perf_counter() - started  # connecting and committing included
    print(f"{report}; {elapsed:.1f} s, {args.contributions / elapsed:,.0f} contributions/s")


def job_handlers() -> dict[str, Any]:
    """The kinds of background job a worker runs, and what runs each."""
    from app.discussion.campaigns import CAMPAIGNS_JOB, recompute_campaigns
    from app.export.jobs import EXPORT_JOB, run_export

    return {CAMPAIGNS_JOB: recompute_campaigns, EXPORT_JOB: run_export}


def cmd_jobs_work(args: argparse.Namespace) -> None:
    from app.jobs.worker import work
    from app.web.logs import log_config

    if not 0.1 <= args.poll_seconds <= 3600:
        raise CommandError(f"--poll-seconds must be from 0.1 to 3600, not {args.poll_seconds}")
    logging.config.dictConfig(log_config(_log_format()))
    keep_out_of_collections()  # the worker runs exports too

    async def main() -> int:
        # SIGTERM (systemd's stop, `kill`, a container's stop) stops the worker as Ctrl-C does:
        # its task is cancelled, and a job it was running goes back to the queue at once.
        current = asyncio.current_task()
        assert current is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, current.cancel)
        settings = load_settings()
        engine = make_engine(settings.database_url, busy_timeout_seconds=settings.sqlite_busy_timeout_seconds)
        try:
            return await work(engine, job_handlers(), once=args.once, poll_seconds=args.poll_seconds)
        finally:
            await engine.dispose()

    try:
        ran = asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C, SIGTERM, or `make run` stopping
        print("worker stopped", file=sys.stderr)
        return
    print(f"ran {ran} jobs")


def cmd_campaigns_recompute(args: argparse.Namespace) -> None:
    from app.consultation.services import consultation_by_slug
    from app.discussion.campaigns import request_recomputation

    async def queue(db: AsyncSession) -> int:
        consultation = await consultation_by_slug(db, args.consultation)
        if consultation is None:
            raise CommandError(f"no consultation {args.consultation!r}")
        return (await request_recomputation(db, consultation.id, None)).id

    job_id = run_in_session(queue)
    print(f"job {job_id} queued (or already waiting); `roundtable worker` runs it")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roundtable", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the site")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--forwarded-allow-ips",
        default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        help="the proxies (addresses, comma-separated) whose X-Forwarded-For and X-Forwarded-Proto are believed; "
        "no one else's: a client could name any address (default: FORWARDED_ALLOW_IPS, else 127.0.0.1)",
    )
    serve.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="log no line per request (the proxy in front logs them already; each line costs CPU)",
    )
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="migrate the database schema")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?", help="target revision (default: head, or -1 for downgrade)")
    db.set_defaults(handler=cmd_db)

    seed = commands.add_parser("seed", help="load every seed file (idempotent)")
    seed.add_argument("--file", help="one seed file instead of all of seeds/")
    seed.set_defaults(handler=cmd_seed)

    consultation = commands.add_parser("consultation", help="manage consultations").add_subparsers(
        dest="consultation_command", required=True
    )
    schedule = consultation.add_parser(
        "schedule",
        help="set when a consultation opens and closes; ISO 8601 with a UTC offset "
        "(2026-10-01T12:00+02:00, or Z for UTC), or 'none'; an instant not given stays as it is",
    )
    schedule.add_argument("slug")
    schedule.add_argument("--opens", metavar="ISO8601", help="from when contributions are accepted, or 'none'")
    schedule.add_argument("--closes", metavar="ISO8601", help="from when they are refused, or 'none'")
    schedule.set_defaults(handler=cmd_consultation_schedule)

    users = commands.add_parser("users", help="manage people").add_subparsers(dest="users_command", required=True)
    create = users.add_parser(
        "create", help="create an account; its email address counts as verified (the operator vouches for it)"
    )
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=["participant", "moderator", "negotiator", "admin"], default="participant")
    create.add_argument("--org-name")
    create.add_argument("--org-type")
    create.add_argument("--country", help="ISO 3166-1 alpha-2 code of the organisation's country")
    create.add_argument(
        "--totp-secret",
        metavar="BASE32",
        help="turn two-factor on with this authenticator secret (base32, as an authenticator app "
        "takes it), for operators provisioning a moderator, negotiator or admin, and for tests; "
        "without it, such people set two-factor up at /account/two-factor before using their role",
    )
    create.set_defaults(handler=cmd_users_create)

    mail = commands.add_parser("mail", help="outgoing mail").add_subparsers(dest="mail_command", required=True)
    mail.add_parser("send-pending", help="send queued mail that could not be sent yet").set_defaults(
        handler=cmd_mail_send_pending
    )

    privacy = commands.add_parser("privacy", help="personal data").add_subparsers(dest="privacy_command", required=True)
    privacy.add_parser(
        "purge",
        help="delete sign-in failures and used or expired links older than 30 days, sent mail older than 90, "
        "expired export files",
    ).set_defaults(handler=cmd_privacy_purge)

    fragments = commands.add_parser("fragments", help="the rendered HTML kept in the database").add_subparsers(
        dest="fragments_command", required=True
    )
    prune = fragments.add_parser("prune", help="delete rendered fragments older than --days (run it daily)")
    prune.add_argument("--days", type=int, default=30)
    prune.set_defaults(handler=cmd_fragments_prune)

    tallies = commands.add_parser("tallies", help="the counts of positions that tallies read").add_subparsers(
        dest="tallies_command", required=True
    )
    tallies.add_parser(
        "rebuild", help="count every key message's positions afresh (after restoring a backup, or any doubt)"
    ).set_defaults(handler=cmd_tallies_rebuild)

    backup = commands.add_parser("backup", help="back up the database (position papers included) into a new folder")
    backup.add_argument("--out", required=True, help="a new or empty folder")
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore",
        help="replace the database with a backup's (checked against its manifest); an older backup's folder of "
        "position papers goes back into ROUNDTABLE_VAR_DIR, for `db upgrade` to move them into the database",
    )
    restore.add_argument("directory", help="a folder made by `roundtable backup`")
    restore.set_defaults(handler=cmd_restore)
    papers = commands.add_parser("papers", help="position papers").add_subparsers(dest="papers_command", required=True)
    paper_import = papers.add_parser(
        "import",
        help="take the files of papers uploaded before papers moved into the database (another machine's "
        "attachments folder) into it; each checked by its SHA-256; idempotent",
    )
    paper_import.add_argument("directory", help="a folder holding the papers' files, named as they were stored")
    paper_import.set_defaults(handler=cmd_papers_import)
    export = commands.add_parser("export", help="export the consolidated input")
    export.add_argument("--format", required=True, help="json, csv, xlsx, docx or pdf")
    export.add_argument("--consultation", help="consultation slug (default: the only one)")
    export.add_argument("--roundtable", help="only this roundtable or section, by its ref (e.g. RT2)")
    export.add_argument("--language", default="en", help="the language of labels (default: en)")
    export.add_argument("--out", required=True, help="file path, or - for standard output")
    export.set_defaults(handler=cmd_export)

    worker_help = "run queued background jobs (exports, campaigns); run one or more next to the site"
    _worker_arguments(commands.add_parser("worker", help=worker_help))
    jobs = commands.add_parser("jobs", help="background jobs kept in the database").add_subparsers(
        dest="jobs_command", required=True
    )
    _worker_arguments(jobs.add_parser("work", help=f"{worker_help} (the same as `roundtable worker`)"))

    campaigns = commands.add_parser("campaigns", help="near-identical contributions").add_subparsers(
        dest="campaigns_command", required=True
    )
    recompute = campaigns.add_parser("recompute", help="queue a recomputation of a consultation's campaigns")
    recompute.add_argument("consultation", help="consultation slug")
    recompute.set_defaults(handler=cmd_campaigns_recompute)

    demo = commands.add_parser("demo-data", help="generate realistic fake organisations, people and threads")
    demo.add_argument("--contributions", type=int, required=True)
    demo.add_argument("--key-message", help="put them all on this key message (e.g. RT2-KM3)")
    demo.add_argument("--consultation", help="consultation slug (default: the only one)")
    demo.add_argument("--random-seed", type=int, default=2013)
    demo.set_defaults(handler=cmd_demo_data)
    return parser


def _worker_arguments(worker: argparse.ArgumentParser) -> None:
    worker.add_argument("--once", action="store_true", help="stop when no job is waiting instead of polling")
    worker.add_argument("--poll-seconds", type=float, default=5.0, help="how often to look for work when idle")
    worker.set_defaults(handler=cmd_jobs_work)


def install_site_routes() -> None:
    """Commands write addresses too (exports, mail links): from the same route names as the site."""
    from app.main import site_routes
    from app.urls import install_routes

    install_routes(site_routes())


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.handler is not cmd_serve:  # serve's workers build the site, routes and all, themselves
        install_site_routes()
    try:
        args.handler(args)
    except (CommandError, SettingsError) as error:
        print(f"roundtable: error: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        from app.accounts.services import AccountError

        if isinstance(error, AccountError):
            print(f"roundtable: error: {error.message}", file=sys.stderr)
            return 1
        if isinstance(error, OSError | ValueError | LookupError | SQLAlchemyError):
            print(f"roundtable: error: {error}", file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
