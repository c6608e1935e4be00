#!/usr/bin/env python3
"""Manage a project-local PostgreSQL + PostGIS cluster.

PostgreSQL refuses to run as root, so when this runs as root the cluster is
owned and run by an unprivileged system user (``postgres`` if the Debian
package created it, otherwise ``trygg``). The cluster listens only on
127.0.0.1 on its own port, so a system PostgreSQL on 5432 is left alone.

Usage: pgcluster.py [--dir DIR] [--port PORT] init|start|stop|status|url|kill|ensure
       pgcluster.py restore [--target-time T] [--to DIR] [--yes]

When pgBackRest is installed the cluster archives its WAL with it into
$TRYGG_BACKUP_DIR (default .local/backups), encrypted with a key generated
into DIR/backup.key; DIR/pgbackrest.conf is its configuration.

Only the standard library is used: this runs before the virtualenv exists.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".local" / "pg"
DEFAULT_PORT = 5544
DB_NAME = "trygg"
DB_USER = "trygg"
STANZA = "trygg"
BACKUPS_MARK = "# Trygghetskartan backups (pgBackRest)"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pid: int) -> bool:
    """True once `pid` has exited, even while its parent has yet to reap it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A killed postmaster is reaped by init, which can take a second here; as a
    # zombie it already holds no port, socket or shared memory.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state == "Z"


def _spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_bindir() -> Path:
    """Newest PostgreSQL server binaries installed by Debian's packages."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if not candidates:
        found = shutil.which("postgres")
        if found:
            return Path(found).resolve().parent
        sys.exit(
            "PostgreSQL server not found. Install it with:\n"
            "  apt-get install postgresql-15 postgresql-15-postgis-3"
        )
    return Path(candidates[-1]).parent


def service_user() -> str | None:
    """The unprivileged user that runs the cluster, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "trygg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "trygg"],
        check=True,
    )
    return "trygg"


def _write_secret(path: Path, text: str) -> None:
    """Write `path` readable by its owner only from the first byte, then move it in."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


class Cluster:
    def __init__(
        self,
        base: Path,
        port: int,
        backup_dir: Path | None = None,
        archive_timeout: int | None = None,
        backups: bool = True,
    ) -> None:
        self.base = base
        self.backups = backups
        self.port = port
        self.backup_dir = backup_dir or base / "backups"
        self.backup_conf = base / "pgbackrest.conf"
        self.backup_key = base / "backup.key"
        # Seconds after which a WAL segment with changes is archived anyway: the
        # most that a lost disk can take with it.
        self.archive_timeout = archive_timeout or int(os.environ.get("TRYGG_ARCHIVE_TIMEOUT", 60))
        self.data = base / "data"
        self.run_dir = base / "run"
        self.log = base / "postgres.log"
        self.password_file = base / "password"
        self.bindir = pg_bindir()
        self.user = service_user()

    # -- helpers -----------------------------------------------------------
    def _as_owner(self, argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        return subprocess.run(argv, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]

    def _chown(self, path: Path) -> None:
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def password(self) -> str:
        return self.password_file.read_text().strip()

    def url(self, dbname: str = DB_NAME, port: int | None = None) -> str:
        port = port or self.port
        return f"postgresql://{DB_USER}:{self.password()}@127.0.0.1:{port}/{dbname}"

    def is_initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def is_running(self) -> bool:
        result = self._as_owner(
            [str(self.bindir / "pg_ctl"), "status", "-D", str(self.data)],
            capture_output=True,
        )
        return result.returncode == 0

    # -- commands ----------------------------------------------------------
    def _open_path(self) -> None:
        """Let the owner reach the data directory (and pgBackRest its config) through
        every parent; run on each start, as something may have tightened .local since."""
        local = DEFAULT_DIR.parent
        # .local holds the secret key and this password: its owner's only.
        if self.base.is_relative_to(local):
            os.chmod(local, 0o700)
        for parent in [self.base, *self.base.parents]:
            if parent == Path("/"):
                break
            mode = parent.stat().st_mode
            if self.user and parent == local:
                # Only the service user's group may pass through .local, not everyone.
                os.chown(parent, -1, pwd.getpwnam(self.user).pw_gid)
                os.chmod(parent, 0o710)
            elif self.user and not mode & 0o001:
                os.chmod(parent, mode | 0o001)

    def init(self) -> None:
        if self.is_initialised():
            return
        self.base.mkdir(parents=True, exist_ok=True)
        self._open_path()
        self._chown(self.base)
        self.data.mkdir(exist_ok=True)
        self.run_dir.mkdir(exist_ok=True)
        for path in (self.data, self.run_dir):
            self._chown(path)
        _write_secret(self.password_file, secrets.token_urlsafe(24) + "\n")
        pwfile = self.base / "initdb-pw"
        _write_secret(pwfile, self.password() + "\n")
        self._chown(pwfile)
        try:
            result = self._as_owner(
                [
                    str(self.bindir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    DB_USER,
                    "--pwfile",
                    str(pwfile),
                    "--auth-local=scram-sha-256",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                capture_output=True,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            sys.exit(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        conf = self.data / "postgresql.conf"
        with conf.open("a") as fh:
            fh.write(
                "\n# Trygghetskartan project-local cluster\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.run_dir}'\n"
                # Durability is a product requirement: never trade it for speed.
                "fsync = on\n"
                "synchronous_commit = on\n"
                "max_connections = 100\n"
                "shared_buffers = 256MB\n"
                "work_mem = 32MB\n"
                "maintenance_work_mem = 256MB\n"
            )
        self.start()
        self.createdb(DB_NAME)

    def start(self, port: int | None = None) -> None:
        """Start the cluster; on `port` instead of its own for a private step (restore)."""
        if not self.is_initialised():
            self.init()
            return
        self._open_path()
        if self.configure_backups() and self.is_running():
            # archive_mode only changes with a restart; never restart a cluster
            # others may be using, only reload the new pg_hba.conf.
            self._as_owner(
                [str(self.bindir / "pg_ctl"), "reload", "-D", str(self.data)], capture_output=True
            )
            print(
                "WAL archiving is configured; it starts when PostgreSQL restarts "
                "(make stop && make run)",
                file=sys.stderr,
            )
        if self.is_running():
            return
        # A SIGKILLed postmaster leaves a stale pid file; pg_ctl copes with it.
        argv = [
            str(self.bindir / "pg_ctl"),
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
        ]
        if port is not None:
            argv += ["-o", f"-p {port}"]
        result = self._as_owner(argv, capture_output=True)
        if result.returncode != 0:
            tail = self.log.read_text()[-3000:] if self.log.exists() else ""
            sys.exit(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}\n{tail}")
        if self.backups_enabled() and port is None:
            self.stanza_create()

    def standby_of(self, primary: Cluster) -> None:
        """Make this an empty folder's hot standby of `primary` (pg_basebackup -R) and start it."""
        for path in (self.base, self.run_dir):
            path.mkdir(parents=True, exist_ok=True)
            self._chown(path)
        shutil.copy(primary.password_file, self.password_file)
        source = f"host=127.0.0.1 port={primary.port} user={DB_USER} password={primary.password()}"
        result = self._as_owner(
            [str(self.bindir / "pg_basebackup"), "-D", str(self.data), "-R", "-X", "stream"]
            + ["-c", "fast", "-d", source],
            capture_output=True,
        )
        if result.returncode != 0:
            sys.exit(f"pg_basebackup failed:\n{result.stdout}{result.stderr}")
        # -R wrote standby.signal and primary_conninfo; this copy listens elsewhere
        # and leaves WAL archiving to the primary.
        with (self.data / "postgresql.auto.conf").open("a") as fh:
            fh.write(
                f"port = {self.port}\nunix_socket_directories = '{self.run_dir}'\n"
                "archive_mode = off\nhot_standby = on\n"
            )
        result = self._as_owner(
            [str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data)]
            + ["-l", str(self.log)],
            capture_output=True,
        )
        if result.returncode != 0:
            tail = self.log.read_text()[-3000:] if self.log.exists() else ""
            sys.exit(f"the standby did not start:\n{result.stdout}{result.stderr}\n{tail}")

    def copy_of(self, source: Cluster) -> None:
        """Make this empty folder a copy of the stopped cluster `source`, listening on
        this port; quicker than initdb plus migrations for tests that need many."""
        if source.is_running():
            raise RuntimeError("copy a stopped cluster only: a running one may be mid-write")
        self.base.mkdir(parents=True, exist_ok=True)
        self._open_path()
        # cp -a keeps the owner and modes PostgreSQL insists on.
        subprocess.run(["cp", "-a", f"{source.base}/.", str(self.base)], check=True)
        with (self.data / "postgresql.conf").open("a") as fh:
            # Later lines win: this copy's own port and socket folder.
            fh.write(f"port = {self.port}\nunix_socket_directories = '{self.run_dir}'\n")
        self.start()

    def stop(self) -> None:
        if self.is_initialised() and self.is_running():
            self._as_owner(
                [str(self.bindir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data)],
                capture_output=True,
                check=True,
            )

    # -- backups (pgBackRest) ----------------------------------------------
    def backups_enabled(self) -> bool:
        return self.backups and shutil.which("pgbackrest") is not None

    def _owner_name(self) -> str:
        return self.user or pwd.getpwuid(os.geteuid()).pw_name

    def _write_private(self, path: Path, text: str) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(path, 0o600)
        self._chown(path)

    def write_backup_config(self) -> None:
        """pgBackRest's own configuration, kept with the cluster rather than in /etc."""
        if not self.backup_key.exists():
            self._write_private(self.backup_key, secrets.token_urlsafe(48) + "\n")
        for path in (self.backup_dir, self.base / "pgbackrest"):
            path.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o700)
            self._chown(path)
        retention = int(os.environ.get("TRYGG_BACKUP_RETENTION_FULL", 2))
        work = self.base / "pgbackrest"
        self._write_private(
            self.backup_conf,
            "[global]\n"
            f"repo1-path={self.backup_dir}\n"
            f"repo1-retention-full={retention}\n"
            "repo1-cipher-type=aes-256-cbc\n"
            f"repo1-cipher-pass={self.backup_key.read_text().strip()}\n"
            "compress-type=lz4\n"
            "start-fast=y\n"
            "process-max=2\n"
            f"log-path={work}\n"
            f"lock-path={work}\n"
            f"spool-path={work}\n"
            "log-level-console=warn\n"
            "log-level-file=info\n"
            f"\n[{STANZA}]\n"
            f"pg1-path={self.data}\n"
            f"pg1-port={self.port}\n"
            f"pg1-socket-path={self.run_dir}\n"
            f"pg1-user={DB_USER}\n",
        )

    def configure_backups(self) -> bool:
        """Turn on WAL archiving into pgBackRest; True when postgresql.conf changed."""
        if not self.backups_enabled():
            return False
        self.write_backup_config()
        conf = self.data / "postgresql.conf"
        if BACKUPS_MARK in conf.read_text():
            return False
        with conf.open("a") as fh:
            fh.write(
                f"\n{BACKUPS_MARK}\n"
                "archive_mode = on\n"
                f"archive_command = 'pgbackrest --config={self.backup_conf} "
                f"--stanza={STANZA} archive-push %p'\n"
                f"archive_timeout = {self.archive_timeout}\n"
                "wal_level = replica\n"
            )
        # pgBackRest connects over the socket as the OS user that runs the cluster.
        ident = self.data / "pg_ident.conf"
        with ident.open("a") as fh:
            fh.write(f"pgbackrest {self._owner_name()} {DB_USER}\n")
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all {DB_USER} peer map=pgbackrest\n" + hba.read_text())
        return True

    def pgbackrest(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = ["pgbackrest", f"--config={self.backup_conf}", f"--stanza={STANZA}", *args]
        result = self._as_owner(argv, capture_output=True)
        if check and result.returncode != 0:
            sys.exit(f"pgbackrest {args[0]} failed:\n{result.stdout}{result.stderr}")
        return result

    def stanza_create(self) -> None:
        if not (self.backup_dir / "archive" / STANZA / "archive.info").exists():
            self.pgbackrest("stanza-create")

    def wait_promoted(self, seconds: float = 120, port: int | None = None) -> None:
        """Wait until recovery has ended and the cluster takes writes."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            env = {**os.environ, "PGPASSWORD": self.password()}
            probe = subprocess.run(
                [
                    "psql",
                    "-X",
                    "-At",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port or self.port),
                    "-U",
                    DB_USER,
                    "-d",
                    DB_NAME,
                    "-c",
                    "SELECT pg_is_in_recovery()",
                ],
                text=True,
                capture_output=True,
                env=env,
            )
            if probe.returncode == 0 and probe.stdout.strip() == "f":
                return
            if probe.returncode != 0 and not self.is_running():
                tail = self.log.read_text()[-2000:] if self.log.exists() else ""
                sys.exit(f"the restored cluster stopped during recovery:\n{tail}")
            time.sleep(0.2)
        sys.exit(f"the restored cluster did not leave recovery in {seconds:.0f} s; see {self.log}")

    def restore(
        self,
        target_time: str | None = None,
        to: Path | None = None,
        then: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """Restore the latest backup (or one at a time) and replay WAL up to the end or then.

        `then` (the erasure-log replay) runs with DATABASE_URL set while the restored
        cluster listens on a spare port only: a service configured for the usual
        port cannot serve what the replay is about to erase again.
        """
        if not self.backups_enabled():
            sys.exit("pgbackrest is not installed: run scripts/bootstrap.sh")
        args = ["restore", "--log-level-console=warn"]
        if target_time:
            args += ["--type=time", f"--target={target_time}", "--target-action=promote"]
        if to is not None:
            # A copy must not push WAL into the live cluster's archive.
            to = to.resolve()
            to.mkdir(parents=True, exist_ok=True)
            os.chmod(to, 0o700)
            self._chown(to)
            self.pgbackrest(*args, f"--pg1-path={to}", "--archive-mode=off")
            return
        if self.is_initialised() and self.is_running():
            self.stop()
        if (self.data / "PG_VERSION").exists():
            args.append("--delta")  # reuse the files that did not change
        else:
            self.data.mkdir(parents=True, exist_ok=True)
            os.chmod(self.data, 0o700)
            self._chown(self.data)
        self.pgbackrest(*args)
        if then:
            spare = _spare_port()
            self.start(port=spare)
            self.wait_promoted(port=spare)
            done = subprocess.run(
                then, env={**(env or os.environ), "DATABASE_URL": self.url(port=spare)}, cwd=ROOT
            )
            self.stop()
            if done.returncode != 0:
                sys.exit(
                    f"`{shlex.join(then)}` failed after the restore, so the database stays "
                    "stopped rather than serve what it should erase. Fix the cause and run "
                    "the restore again, or start it (`python3 scripts/pgcluster.py start`) and "
                    "restart the service, whose start-up replays the erasure log."
                )
        self.start()
        self.wait_promoted()

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend, as a crash of the server would."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().splitlines()[0])
        victims = [pid, *_children(pid)]
        for victim in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        for victim in victims:
            for _ in range(200):
                if _gone(victim):
                    break
                time.sleep(0.025)

    def psql(self, sql: str, dbname: str = DB_NAME) -> str:
        env = {**os.environ, "PGPASSWORD": self.password()}
        result = subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-At",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                DB_USER,
                "-d",
                dbname,
                "-c",
                sql,
            ],
            text=True,
            capture_output=True,
            env=env,
        )
        if result.returncode != 0:
            sys.exit(f"psql failed: {result.stderr}")
        return result.stdout

    def createdb(self, name: str) -> None:
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres")
        if not exists.strip():
            self.psql(f'CREATE DATABASE "{name}"', "postgres")
        self.psql("CREATE EXTENSION IF NOT EXISTS postgis", name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dir", type=Path, default=Path(os.environ.get("TRYGG_PG_DIR", DEFAULT_DIR))
    )
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("TRYGG_PG_PORT", DEFAULT_PORT))
    )
    parser.add_argument(
        "--backup-dir",
        type=Path,
        default=Path(os.environ.get("TRYGG_BACKUP_DIR", ROOT / ".local" / "backups")),
    )
    parser.add_argument(
        "--target-time", help="restore: recover up to this time (PostgreSQL syntax)"
    )
    parser.add_argument("--to", type=Path, help="restore: into this new data directory instead")
    parser.add_argument("--yes", action="store_true", help="restore: do not ask")
    parser.add_argument(
        "--then",
        help="restore: run this command (with DATABASE_URL) before the cluster opens its port",
    )
    parser.add_argument(
        "command",
        choices=["init", "start", "stop", "status", "url", "kill", "ensure", "restore"],
    )
    args = parser.parse_args(argv)
    cluster = Cluster(args.dir.resolve(), args.port, args.backup_dir.resolve())
    if args.command in ("init", "ensure"):
        cluster.init()
        cluster.start()
    elif args.command == "start":
        cluster.start()
    elif args.command == "stop":
        cluster.stop()
    elif args.command == "kill":
        cluster.kill()
    elif args.command == "status":
        running = cluster.is_initialised() and cluster.is_running()
        print("running" if running else "stopped")
        sys.exit(0 if running else 3)
    elif args.command == "url":
        print(cluster.url())
    elif args.command == "restore":
        if args.to is None and not (args.yes or os.environ.get("CONFIRM") == "yes"):
            when = args.target_time or "the latest point"
            print(f"This replaces the database in {cluster.data} with the backup at {when}.")
            if input("Type yes to go on: ").strip() != "yes":
                sys.exit("restore cancelled")
        then = shlex.split(args.then) if args.then and args.to is None else None
        cluster.restore(args.target_time, args.to, then)
        print(f"restored into {args.to or cluster.data}")


if __name__ == "__main__":
    main()
