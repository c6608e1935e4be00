"""One typed settings object, read from environment variables.

Every variable is prefixed ``TRYGG_`` except ``DATABASE_URL``. The README
documents each field; keep the two in step.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = PROJECT_ROOT / ".local"
# The cluster `make run` creates; scripts/pgcluster.py manages it (TRYGG_PG_DIR moves it).
PGCLUSTER = PROJECT_ROOT / "scripts" / "pgcluster.py"
NO_DATABASE = (
    "DATABASE_URL is not set and this checkout has no project-local cluster (.local/pg). "
    "Run `make run` once to create it, or set DATABASE_URL "
    "(`export DATABASE_URL=$(scripts/database-url.sh)` prints the URL `make` uses)."
)


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class LogAddress(StrEnum):
    none = "none"
    truncated = "truncated"
    full = "full"


class LogFormat(StrEnum):
    auto = "auto"
    text = "text"
    json = "json"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRYGG_", extra="ignore", frozen=True)

    # -- Service --
    env: Environment = Field(
        Environment.development, description="development, test or production."
    )
    host: str = Field("127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(8000, description="Port `serve` listens on.")
    workers: int = Field(1, ge=1, description="Uvicorn worker processes for `serve`.")
    docs_enabled: bool = Field(
        True,
        description="Serve OpenAPI at /docs and /openapi.json. In production only when set.",
    )
    https: bool = Field(
        False, description="Served over https: Secure cookies and HSTS on every response."
    )
    cors_origins: str = Field(
        "",
        description="Comma-separated origins allowed to call the API from browsers. Empty: none.",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses/networks of reverse proxies whose "
        "X-Forwarded-For is believed, e.g. `127.0.0.1,10.0.0.0/8`. Empty: none.",
    )
    max_body_bytes: int = Field(64 * 1024, description="Largest request body accepted (413).")

    # -- Database --
    database_url: str = Field(
        "",
        validation_alias=AliasChoices("DATABASE_URL", "TRYGG_DATABASE_URL"),
        description="PostgreSQL + PostGIS URL. Unset: `make run` and `./trygg` use the "
        "project-local cluster in .local/pg (started if stopped).",
    )
    db_pool_min: int = Field(2, ge=0, description="Connections the pool keeps open.")
    db_pool_max: int = Field(10, ge=1, description="Most connections the pool opens.")
    db_pool_max_idle_seconds: float = Field(
        60.0,
        gt=0,
        description="A connection above `TRYGG_DB_POOL_MIN` that no request needed for this "
        "long is closed, so a burst's extra connections do not stay open.",
    )
    db_timeout_seconds: float = Field(
        3.0,
        gt=0,
        description="Longest wait for a database connection before answering 503.",
    )
    db_statement_timeout_ms: int = Field(
        30000, description="Server-side limit for one statement from a web request."
    )

    # -- Reports --
    service_area: Path | None = Field(
        None,
        description="GeoJSON file with the service-area Polygon (WGS 84). "
        "Default: 4 km x 4 km around central Vänersborg.",
    )
    max_vertices: int = Field(
        2000, ge=4, description="Most positions one report geometry may have."
    )
    description_max_chars: int = Field(2000, description="Longest `description`.")
    suggestion_max_chars: int = Field(1000, description="Longest `suggestion`.")
    idempotency_hours: int = Field(24, description="How long an Idempotency-Key answer is kept.")

    # -- Security and privacy --
    secret_key: str = Field(
        "",
        description="Key for the keyed hashes of client tokens, receipts and idempotency keys. "
        "Required in production; generated into .local/secret_key in development.",
    )
    session_minutes: int = Field(480, ge=1, description="Longest life of a staff login session.")
    session_idle_minutes: int = Field(
        60, ge=1, description="A staff session ends after this long without a request."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins per account (or 4x per address) before 429."
    )
    login_window_minutes: int = Field(
        15, ge=1, description="Window for counting failed logins; also the longest lockout."
    )
    login_account_max_failures: int = Field(
        20,
        ge=1,
        description="Failed logins per account before 429 from addresses it has not logged in "
        "from before; its usual addresses keep only the per-address limits.",
    )
    login_account_window_minutes: int = Field(
        60, ge=1, description="Window for the per-account login limit above."
    )
    login_known_address_days: int = Field(
        90, ge=1, description="How long an address counts as usual after a successful login."
    )

    # -- Rate limits and abuse --
    rate_limit_client_per_hour: int = Field(
        10, ge=0, description="Reports one client token may file per hour (0 turns it off)."
    )
    rate_limit_address_per_hour: int = Field(
        30, ge=0, description="Reports one network address may file per hour (0 turns it off)."
    )
    coordinated_window_minutes: int = Field(
        60,
        ge=1,
        description="Client tokens first seen from one address within this time count as "
        "one group for the 'possibly coordinated' hotspot flag.",
    )

    # -- Hotspots -- Distances in metres, SWEREF 99 TM.
    hotspot_eps: float = Field(
        50.0, gt=0, description="DBSCAN neighbourhood radius for hotspots, metres."
    )
    hotspot_minpoints: int = Field(
        5, ge=2, description="DBSCAN minimum points (deduplicated person-places) for a core."
    )
    hotspot_dedup_distance: float = Field(
        25.0, ge=0, description="One person's points closer than this merge into one, metres."
    )
    hotspot_min_reporters: int = Field(
        3, ge=1, description="Fewest distinct people a hotspot needs (staff view)."
    )
    public_min_reporters: int = Field(
        5, ge=1, description="Fewest distinct people for a hotspot or a count to be public."
    )
    hotspot_mc_runs: int = Field(
        99, ge=1, description="Monte Carlo runs for the hotspot significance threshold."
    )
    hotspot_mc_seed: int = Field(2017, description="Seed of the Monte Carlo significance test.")
    hotspot_max_extent: float = Field(
        250.0, gt=0, description="A hotspot wider than this (metres) is split at density valleys."
    )
    hotspot_coalesce_seconds: float = Field(
        2.0,
        ge=0,
        description="New reports within this time cause one background recompute; after a "
        "quiet spell it starts once no report came for 0.1 s.",
    )
    hotspot_wait_seconds: float = Field(
        20.0,
        ge=0,
        description="How long GET /api/v1/hotspots waits for a fresh result before serving "
        "the last completed one (marked with the header Hotspots-Stale: true).",
    )
    hotspot_recheck_seconds: float = Field(
        60.0, gt=0, description="How often the background worker checks for changed reports."
    )
    hotspot_worker: bool = Field(
        True, description="Recompute hotspots in the background after reports change."
    )
    hotspot_worker_process: bool = Field(
        False,
        description="The background recompute runs in its own process, "
        "`python -m app hotspot-worker` (`make run` starts it and sets this): the server "
        "then only reads completed runs and wakes that process through the database. "
        "False: each server process recomputes in-process (single-process deployments, tests).",
    )
    hotspot_full_recompute_minutes: float = Field(
        10.0,
        ge=0,
        description="How often the background worker recomputes all hotspots; in between, "
        "new reports recompute only their neighbourhood (0: always in full).",
    )

    # -- Patrol planning --
    patrol_station_lon: float = Field(
        12.3234, ge=-180, le=180, description="Default start/end of a patrol: longitude (WGS 84)."
    )
    patrol_station_lat: float = Field(
        58.3808, ge=-90, le=90, description="Default start/end of a patrol: latitude (WGS 84)."
    )
    walking_speed_kmh: float = Field(5.0, gt=0, le=20, description="Patrol walking speed, km/h.")
    patrol_detour_factor: float = Field(
        1.3,
        ge=1,
        le=3,
        description="Without an imported street network, straight-line distances are "
        "multiplied by this to estimate walking distance.",
    )
    patrol_visit_minutes: int = Field(
        15, ge=0, le=120, description="Default minutes spent at each patrol stop."
    )
    patrol_max_stops: int = Field(30, ge=1, le=200, description="Most stops in one patrol plan.")

    # -- Maps and places --
    tile_url: str = Field(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Base-map tile URL template ({z}/{x}/{y}); empty for a plain background. "
        "The only host other than this service that pages contact.",
    )
    tile_attribution: str = Field(
        "© OpenStreetMap contributors", description="Attribution shown for the base-map tiles."
    )
    gazetteer_file: Path | None = Field(
        None,
        description="GeoJSON FeatureCollection of named places (Point features with a `name`) "
        "for the resident page's place search. Default: no file, an empty list.",
    )
    # -- Backups --
    backup_dir: Path = Field(
        LOCAL_DIR / "backups",
        description="pgBackRest repository: base backups and archived WAL, encrypted.",
    )
    backup_config: Path = Field(
        LOCAL_DIR / "pg" / "pgbackrest.conf",
        description="pgBackRest configuration written by the cluster set-up; holds the key.",
    )
    backup_retention_full: int = Field(
        2, ge=1, description="Full backups kept; older ones and their WAL are expired."
    )
    archive_failing_seconds: int = Field(
        600,
        ge=0,
        description="/readyz fails when WAL archiving has failed and the last success is older "
        "than this; 0 turns the check off.",
    )
    backup_full_every: int = Field(
        7 * 24 * 3600,
        ge=0,
        description="Seconds between full backups taken by `python -m app backup-scheduler` "
        "(started by `make run` and by docker compose); 0: no scheduled full backups.",
    )
    backup_incremental_every: int = Field(
        24 * 3600,
        ge=0,
        description="Seconds between scheduled incremental backups; 0: none. With both 0 "
        "the scheduler takes no backups. Archived WAL, not this, bounds what a restore loses.",
    )
    backup_failing_seconds: int = Field(
        3 * 3600,
        ge=0,
        description="/readyz fails when backups (scheduled or by command) have been failing "
        "for longer than this since the last success; 0 turns the check off.",
    )
    erasure_log: Path = Field(
        LOCAL_DIR / "erasure.log",
        description="Append-only log of withdrawals and purges, kept outside the backups and "
        "replayed after a restore.",
    )

    # -- Retention --
    retention_text_days: int = Field(
        365, ge=1, description="Free text of reports is purged after this many days."
    )
    retention_reporter_days: int = Field(
        365, ge=1, description="Reporter hashes of reports are purged after this many days."
    )
    first_seen_days: int = Field(
        30, ge=1, description="How long the hashed first-seen address of a client token is kept."
    )
    hotspot_local_significance: bool = Field(
        True,
        description="Hold back hotspots no bigger than chance clusters of their local "
        "background (staff still see them, marked as held back).",
    )

    # -- Logging and forms --
    form_max_bytes: int = Field(
        16 * 1024,
        ge=1024,
        description="Largest form body (staff login and pages) accepted; larger ones get 413 "
        "before anything is parsed.",
    )
    log_client_address: LogAddress = Field(
        LogAddress.none,
        description="Client address in the access log: none, truncated (IPv4 /24, IPv6 /48) "
        "or full.",
    )
    log_format: LogFormat = Field(
        LogFormat.auto,
        description="Log lines as text or json; auto: json in production, text otherwise.",
    )

    # -- Scaling --
    read_database_url: str = Field(
        "",
        description="PostgreSQL URL of a hot standby for public reads (maps, hotspots, OGC). "
        "Unset: reads use DATABASE_URL. Writes and a resident's own receipts use the primary.",
    )
    public_cache_seconds: int = Field(
        10,
        ge=0,
        description="`Cache-Control: max-age` of public GET answers, so a reverse proxy "
        "absorbs read spikes; 0 sends `no-cache` (revalidate every time).",
    )
    public_hotspot_cache_seconds: float = Field(
        1.0,
        ge=0,
        le=30,
        description="How long one server process reuses an anonymous GET /api/v1/hotspots "
        "answer before asking the database again, so read spikes cost no queries; 0: off.",
    )

    # -- Public map --
    public_min_sources: int = Field(
        2,
        ge=1,
        description="A hotspot is public only when its people come from at least this many "
        "sources (address groups /24 or /48, import batches without tokens); otherwise held.",
    )
    public_burst_hours: float = Field(
        24.0,
        gt=0,
        description="Devices first seen from one address group within this many hours count as "
        "one independent voice; more than 60 % of a place's people within it is a burst.",
    )
    public_repeat_reports: int = Field(
        5,
        ge=2,
        description="People with this many reports at one place count together as one voice "
        "when they dominate it.",
    )
    staff_compute_concurrency: int = Field(
        2,
        ge=1,
        description="Ad-hoc hotspot computations one staff user may have running at once; "
        "beyond it 429 with Retry-After.",
    )
    staff_compute_timeout_seconds: float = Field(
        60.0,
        gt=0,
        description="Statement timeout of an ad-hoc (filtered) hotspot computation.",
    )
    hotspot_keep_filtered_runs: int = Field(
        50,
        ge=1,
        description="Filtered hotspot runs kept (newest first); older ones are pruned.",
    )

    @field_validator("database_url", "read_database_url")
    @classmethod
    def _sqlalchemy_prefix(cls, value: str) -> str:
        # Accept the SQLAlchemy spelling too, but keep a libpq URL internally.
        for prefix in ("postgresql+psycopg://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql://" + value[len(prefix) :]
        return value

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.env is Environment.production and len(self.secret_key) < 32:
            raise ValueError("TRYGG_SECRET_KEY must be set to at least 32 characters in production")
        return self

    @property
    def key(self) -> bytes:
        """The secret for keyed hashes; in development kept in .local/secret_key."""
        if self.secret_key:
            return self.secret_key.encode()
        return _development_key()

    @property
    def docs_on(self) -> bool:
        """OpenAPI is served, except in production unless TRYGG_DOCS_ENABLED says so."""
        if self.env is Environment.production:
            return self.docs_enabled and "docs_enabled" in self.model_fields_set
        return self.docs_enabled

    @property
    def json_logs(self) -> bool:
        if self.log_format is LogFormat.auto:
            return self.env is Environment.production
        return self.log_format is LogFormat.json

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def sqlalchemy_url(self) -> str:
        return "postgresql+psycopg://" + self.database_url.removeprefix("postgresql://")


# The README's settings table is printed group by group, in this order; a test
# checks that every field of `Settings` is in exactly one group.
SETTING_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (title, tuple(names.split()))
    for title, names in (
        (
            "Service",
            "env host port workers docs_enabled https cors_origins trusted_proxies max_body_bytes",
        ),
        (
            "Database",
            "database_url db_pool_min db_pool_max db_pool_max_idle_seconds db_timeout_seconds "
            "db_statement_timeout_ms",
        ),
        (
            "Reports",
            "service_area max_vertices description_max_chars suggestion_max_chars "
            "idempotency_hours",
        ),
        (
            "Security and privacy",
            "secret_key session_minutes session_idle_minutes "
            "login_max_failures login_window_minutes login_account_max_failures "
            "login_account_window_minutes login_known_address_days",
        ),
        (
            "Rate limits and abuse",
            "rate_limit_client_per_hour rate_limit_address_per_hour coordinated_window_minutes",
        ),
        (
            "Hotspots",
            "hotspot_eps hotspot_minpoints hotspot_dedup_distance "
            "hotspot_min_reporters public_min_reporters hotspot_mc_runs hotspot_mc_seed "
            "hotspot_max_extent hotspot_coalesce_seconds hotspot_wait_seconds "
            "hotspot_recheck_seconds hotspot_worker hotspot_worker_process "
            "hotspot_full_recompute_minutes",
        ),
        (
            "Patrol planning",
            "patrol_station_lon patrol_station_lat walking_speed_kmh "
            "patrol_detour_factor patrol_visit_minutes patrol_max_stops",
        ),
        ("Maps and places", "tile_url tile_attribution gazetteer_file"),
        ("Retention", "retention_text_days retention_reporter_days first_seen_days"),
        (
            "Backups",
            "backup_dir backup_config backup_retention_full backup_full_every "
            "backup_incremental_every backup_failing_seconds archive_failing_seconds erasure_log",
        ),
        ("Logging and forms", "form_max_bytes log_client_address log_format"),
        ("Scaling", "read_database_url public_cache_seconds public_hotspot_cache_seconds"),
        (
            "Public map",
            "public_min_sources public_burst_hours public_repeat_reports "
            "staff_compute_concurrency staff_compute_timeout_seconds hotspot_keep_filtered_runs",
        ),
        ("Significance", "hotspot_local_significance"),
    )
)


def local_database_url() -> str | None:
    """The URL of the project-local cluster, started if stopped; None if there is none.

    Asks scripts/pgcluster.py, as scripts/database-url.sh does, so that the
    command line finds the cluster `make run` created without DATABASE_URL.
    """
    pg_dir = Path(os.environ.get("TRYGG_PG_DIR", LOCAL_DIR / "pg"))
    if not PGCLUSTER.exists() or not (pg_dir / "data" / "PG_VERSION").exists():
        return None
    url = ""
    for command in ("ensure", "url"):
        result = subprocess.run(
            [sys.executable, str(PGCLUSTER), command],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"scripts/pgcluster.py {command} failed: {result.stderr.strip()[-500:]}"
            )
        url = result.stdout.strip()
    return url or None


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by its owner only.

    A group-traverse bit already set is kept: the cluster set-up gives `.local`
    0710 to the database user's group so PostgreSQL and pgBackRest reach
    `.local/pg`; taking it away would break WAL archiving and the next start.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700 | (path.stat().st_mode & 0o010))
    return path


def write_secret_once(path: Path, value: str) -> str:
    """Create `path` with `value`, mode 0600 from the start; keep an existing file.

    The file is written under a temporary name and linked into place, so no
    reader ever sees it empty or world-readable, and two processes starting at
    once end up with the same secret.
    """
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(value)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink()
    return path.read_text().strip()


@lru_cache(maxsize=1)
def _development_key() -> bytes:
    path = LOCAL_DIR / "secret_key"
    if path.exists():
        path.chmod(0o600)
        return path.read_text().strip().encode()
    return write_secret_once(path, secrets.token_urlsafe(48)).encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
