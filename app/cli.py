"""Command line: `python -m app <command>` (also installed as `trygghetskartan`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from app.config import NO_DATABASE, Settings, get_settings, local_database_url


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _with_db(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    from app.db.pool import Database

    if not settings.database_url:
        _say(NO_DATABASE)
        return 2
    db = Database(settings, min_size=1)
    await db.open()
    try:
        return await work(db)
    finally:
        await db.close()


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.security import logs

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=settings.workers,
        log_level="info",
        # Our own access log (app.security.logs) leaves the client address out;
        # proxies are believed only as TRYGG_TRUSTED_PROXIES says, never by uvicorn.
        access_log=False,
        log_config=logs.dict_config(settings),
        proxy_headers=False,
        forwarded_allow_ips="",
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from alembic import command

    from app.repo.schema_version import alembic_config

    if not settings.database_url:
        _say(NO_DATABASE)
        return 2
    config = alembic_config()
    if args.downgrade:
        command.downgrade(config, args.downgrade)
        _say(f"database downgraded to {args.downgrade}")
    else:
        command.upgrade(config, args.revision)
        _say(f"database migrated to {args.revision}")
    return 0


def _load_features(path: Path) -> list[Any]:
    from app.services.importer import features_of

    return features_of(orjson.loads(path.read_bytes()))


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.services.importer import ImportRefused, import_features
    from geo.area import load_area

    try:
        features = _load_features(Path(args.file))
    except (OSError, ValueError) as exc:
        _say(f"cannot read {args.file}: {exc}")
        return 2
    _say(f"{len(features)} features in {args.file}")

    async def work(db: Any) -> int:
        try:
            result = await import_features(
                db,
                settings,
                load_area(settings.service_area),
                features,
                source=str(args.file),
                skip_invalid=args.skip_invalid,
                progress=_say,
            )
        except ImportRefused as exc:
            # Features are numbered from 1, as a person counts them in the file.
            for index, reason in exc.invalid[:100]:
                _say(f"feature {index + 1}: {reason}")
            if len(exc.invalid) > 100:
                _say(f"... and {len(exc.invalid) - 100} more")
            _say(f"{exc}. Fix them, or pass --skip-invalid to store the valid ones.")
            return 1
        for index, reason in result.invalid:
            _say(f"skipped feature {index + 1}: {reason}")
        print(f"imported {result.stored} reports, skipped {len(result.invalid)}")
        print(f"batch: {result.batch_id}")
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_remove_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.services.importer import batch_exists, remove_batch

    try:
        batch_id = uuid.UUID(args.batch)
    except ValueError:
        _say(f"not a batch id: {args.batch}")
        return 2

    async def work(db: Any) -> int:
        if not await batch_exists(db, batch_id):
            _say(f"no import batch {batch_id}")
            return 1
        removed = await remove_batch(db, batch_id)
        print(f"removed batch {batch_id}: {removed} reports")
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from app.repo.reports import count_reports
    from app.services.importer import import_features, remove_channel
    from geo.area import load_area
    from geo.synthetic import demo_features

    async def work(db: Any) -> int:
        if args.action == "remove":
            removed = await remove_channel(db, "demo")
            print(f"removed {removed} demo reports")
            return 0
        if args.if_empty and await count_reports(db) > 0:
            _say("database already has reports; demo data not loaded")
            return 0
        existing = await count_reports(db, channel="demo")
        if existing and not args.replace:
            _say(
                f"the database already has {existing} demo reports; not replaced. "
                "Pass --replace to delete and reload them."
            )
            return 1
        await remove_channel(db, "demo")
        result = await import_features(
            db,
            settings,
            load_area(settings.service_area),
            demo_features(),
            source="demo",
            channel="demo",
            progress=_say,
        )
        print(f"loaded {result.stored} synthetic demo reports (channel 'demo')")
        from app.services.demo_promises import load_demo_promises

        _say("computing hotspots to link the demo promises to ...")
        print(f"loaded {await load_demo_promises(db)} demo promises (medborgarlöfte 2017)")
        return 0

    return asyncio.run(_with_db(settings, work))


OSM_HINT = (
    "An extract of the service area: download "
    "https://download.geofabrik.de/europe/sweden-latest.osm.pbf and cut it with "
    "`osmium extract --bbox 12.27,58.35,12.37,58.41 sweden-latest.osm.pbf -o vanersborg.osm.pbf` "
    "(README, 'Patrol plans, redesign sites and promises')."
)


def cmd_import_network(args: argparse.Namespace, settings: Settings) -> int:
    from app.repo.network import has_pgrouting, import_network
    from geo.osm import OsmError

    async def work(db: Any) -> int:
        if not await has_pgrouting(db):
            _say("pgRouting is not installed in this database (Debian: postgresql-15-pgrouting)")
            return 2
        try:
            vertices, edges = await import_network(db, Path(args.file), progress=_say)
        except (OsmError, OSError) as exc:
            _say(f"cannot import {args.file}: {exc}")
            _say(OSM_HINT)
            return 1
        print(f"imported {edges} walkable edges between {vertices} junctions")
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_settings(args: argparse.Namespace, settings: Settings) -> int:
    from app.config_doc import markdown_table

    print(markdown_table())
    return 0


def cmd_recompute(args: argparse.Namespace, settings: Settings) -> int:
    from app.services import hotspots

    async def work(db: Any) -> int:
        ctx = hotspots.context_of(settings)
        result = await hotspots.compute(db, ctx, progress=_say, force=args.force)
        if result is None:
            print("hotspots are up to date (use --force to recompute anyway)")
        else:
            print(
                f"run {result.run_id}: {result.hotspots} hotspots from {result.points} "
                f"person-places, threshold {result.k} people, {result.seconds:.2f} s"
            )
        return 0

    return asyncio.run(_with_db(settings, work))


def _read_password(args: argparse.Namespace) -> str | None:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        _say("the passwords differ")
        return None
    return first


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from app.errors import DomainError
    from app.security.access import Principal
    from app.services.staff.users import create_user

    password = _read_password(args)
    if password is None:
        return 2

    async def work(db: Any) -> int:
        try:
            user = await create_user(db, Principal(via="cli"), args.email, args.role, password)
        except DomainError as exc:
            _say(f"cannot create user: {exc.detail}")
            return 1
        print(f"created user {user['email']} with roles {', '.join(user['roles'])}")
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_create_token(args: argparse.Namespace, settings: Settings) -> int:
    from app.errors import NotFound
    from app.security.access import Principal
    from app.services.staff.tokens import issue_by_email

    async def work(db: Any) -> int:
        try:
            token = await issue_by_email(
                db, settings.key, Principal(via="cli"), args.email, args.name
            )
        except NotFound as exc:
            _say(exc.detail)
            return 1
        _say("The token is shown only now; keep it secret.")
        print(f"token for {args.email}: {token}")
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_open311_key(args: argparse.Namespace, settings: Settings) -> int:
    from app.security.access import Principal
    from app.services import open311

    async def work(db: Any) -> int:
        cli = Principal(via="cli")
        if args.action == "issue":
            issued = await open311.issue_key(db, settings, cli, args.name, args.per_hour)
            _say("The key is shown only now; give it to the client system's operator.")
            print(f"open311 key {issued.id} for {issued.name}: {issued.key}")
        elif args.action == "revoke":
            if not await open311.revoke_key(db, cli, uuid.UUID(args.name)):
                _say(f"no active key {args.name}")
                return 1
            print(f"revoked {args.name}")
        else:
            for row in await open311.list_keys(db):
                state = "revoked" if row["revoked_at"] else "active"
                print(f"{row['id']}\t{state}\t{row['per_hour']}/h\t{row['name']}")
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from app.services.retention import purge

    async def work(db: Any) -> int:
        result = await purge(db, settings)
        print("purged: " + ", ".join(f"{k} {v}" for k, v in asdict(result).items()))
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from app.services import backup, backup_schedule

    async def work(db: Any) -> int:
        try:
            # Waits for a scheduled backup that is running: pgBackRest takes one at a time.
            async with backup_schedule.backup_lock(db, wait_seconds=args.wait):
                label = await backup_schedule.take_recorded(db, settings, args.type, "command")
        except backup_schedule.BackupBusy:
            _say(f"another backup is still running after {args.wait:.0f} s; try again later")
            return 1
        except backup.BackupFailed as exc:
            _say(str(exc))
            return 1
        print(f"backup {label} taken into {settings.backup_dir}")
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_backup_status(args: argparse.Namespace, settings: Settings) -> int:
    from app.services import backup, backup_schedule

    async def work(db: Any) -> int:
        last_run, last_ok = await backup_schedule.last_runs(db)
        failing = await backup_schedule.failing_for(db, settings)
        lines = backup_schedule.status_lines(settings, last_run, last_ok, failing)
        try:
            state = backup.status(settings, await backup.archiver(db))
        except backup.BackupFailed as exc:
            _say(str(exc))
            print("\n".join(lines))
            return 1
        print("\n".join(state.lines() + lines))
        return 0 if state.last_label and failing is None else 1

    return asyncio.run(_with_db(settings, work))


def _until_signalled(
    settings: Settings, run_forever: Callable[[Any, Settings, asyncio.Event], Awaitable[None]]
) -> int:
    """Run a long-lived service loop until SIGINT or SIGTERM (backup scheduler, hotspot worker)."""
    import signal

    async def work(db: Any) -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_forever(db, settings, stop)
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_backup_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from app.services import backup_schedule

    return _until_signalled(settings, backup_schedule.run_forever)


def cmd_hotspot_worker(args: argparse.Namespace, settings: Settings) -> int:
    from app.services.hotspots import worker_process

    return _until_signalled(settings, worker_process.run_forever)


def cmd_erasure_replay(args: argparse.Namespace, settings: Settings) -> int:
    from app.services import erasure

    async def work(db: Any) -> int:
        done = await erasure.replay(db, settings)
        print(
            f"erasure log: {done.entries} entries, {done.deleted} deleted, {done.cleared} cleared"
        )
        return 0

    return asyncio.run(_with_db(settings, work))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.add_argument("--downgrade", metavar="REV", help="go down to REV (e.g. base)")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo-data", help="load or remove the synthetic demo reports")
    demo.add_argument("action", choices=["load", "remove"])
    demo.add_argument("--if-empty", action="store_true", help="load only into an empty database")
    demo.add_argument(
        "--replace", action="store_true", help="delete existing demo reports and load them again"
    )
    demo.set_defaults(func=cmd_demo)

    imp = sub.add_parser("import-reports", help="import a GeoJSON FeatureCollection of reports")
    imp.add_argument("file")
    imp.add_argument("--skip-invalid", action="store_true", help="store the valid features")
    imp.set_defaults(func=cmd_import)

    recompute = sub.add_parser("recompute", help="recompute hotspots now, showing progress")
    recompute.add_argument("--force", action="store_true", help="even when up to date")
    recompute.set_defaults(func=cmd_recompute)

    net = sub.add_parser(
        "import-network",
        help="import walkable ways from an OSM extract (.osm, .osm.pbf)",
        epilog=OSM_HINT,
    )
    net.add_argument("file")
    net.set_defaults(func=cmd_import_network)

    rem = sub.add_parser("remove-import", help="remove an imported batch")
    rem.add_argument("batch")
    rem.set_defaults(func=cmd_remove_import)

    user = sub.add_parser("create-user", help="create a staff user")
    user.add_argument("email")
    user.add_argument(
        "--role",
        action="append",
        required=True,
        help="police, planner, moderator, coordinator or admin (repeat for several)",
    )
    user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    user.set_defaults(func=cmd_create_user)

    token = sub.add_parser("create-token", help="create an API token (printed as the last word)")
    token.add_argument("email")
    token.add_argument("--name", default="cli", help="a label for the token")
    token.set_defaults(func=cmd_create_token)

    o311 = sub.add_parser("open311-key", help="issue, list or revoke Open311 client keys")
    o311.add_argument("action", choices=["issue", "list", "revoke"])
    o311.add_argument("name", nargs="?", default="", help="client name (issue) or key id (revoke)")
    o311.add_argument("--per-hour", type=int, default=600, help="requests an hour (issue)")
    o311.set_defaults(func=cmd_open311_key)

    purge = sub.add_parser("purge", help="purge free text and reporter hashes past retention")
    purge.set_defaults(func=cmd_purge)
    backup = sub.add_parser("backup", help="take a backup now (pgBackRest)")
    backup.add_argument("--type", choices=["full", "diff", "incr"], default="incr")
    backup.add_argument(
        "--wait",
        type=float,
        default=3600,
        help="seconds to wait for a backup that is already running (default 3600)",
    )
    backup.set_defaults(func=cmd_backup)
    scheduler = sub.add_parser(
        "backup-scheduler",
        help="take full and incremental backups on the TRYGG_BACKUP_*_EVERY schedule",
    )
    scheduler.set_defaults(func=cmd_backup_scheduler)
    hotspots = sub.add_parser(
        "hotspot-worker",
        help="recompute hotspots after reports change, for servers run with "
        "TRYGG_HOTSPOT_WORKER_PROCESS=true",
    )
    hotspots.set_defaults(func=cmd_hotspot_worker)
    status = sub.add_parser("backup-status", help="last backup, WAL archived up to, size")
    status.set_defaults(func=cmd_backup_status)
    replay = sub.add_parser(
        "erasure-replay", help="re-apply logged withdrawals and purges (after a restore)"
    )
    replay.set_defaults(func=cmd_erasure_replay)
    doc = sub.add_parser("settings", help="print every setting as a Markdown table")
    doc.set_defaults(func=cmd_settings)
    return parser


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Alembic lists every autogenerate plugin it loads at INFO; that is noise here.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    if args.func is not cmd_settings:
        _find_database()
    sys.exit(args.func(args, get_settings()))


def _find_database() -> None:
    """Without DATABASE_URL, use the project-local cluster, as `make psql` does.

    Set in the environment, so Alembic's env.py and `serve`'s workers see it too.
    """
    if os.environ.get("DATABASE_URL") or os.environ.get("TRYGG_DATABASE_URL"):
        return
    try:
        url = local_database_url()
    except RuntimeError as exc:
        _say(f"cannot start the project-local cluster: {exc}")
        sys.exit(2)
    if url:
        os.environ["DATABASE_URL"] = url
