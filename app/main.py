"""The FastAPI application factory and its lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.config import Environment, Settings, get_settings
from app.db.pool import Database, DatabaseUnavailable, check_durability, open_read_database
from app.repo.schema_version import current_revision, head_revision
from app.services import erasure
from app.services.group_commit import GroupCommit
from app.services.hotspots.worker import HotspotWorker
from app.services.hotspots.worker_process import Messenger
from app.web import routers
from app.web.answer_cache import AnswerCache
from app.web.errors import install_error_handlers
from app.web.middleware import install_middleware
from app.web.openapi import install_openapi
from app.web.pages import api_docs
from app.web.responses import JsonResponse
from geo.area import load_area

log = logging.getLogger("app")


class StartupError(RuntimeError):
    """The service cannot start; the message says what to fix."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if not settings.database_url:
        raise StartupError("DATABASE_URL is not set; `make run` sets it for the local cluster")
    db = Database(settings)
    try:
        # Fail fast with a clear message when the database is not there at start.
        await db.open(wait=True)
    except Exception as exc:
        await db.close()
        raise StartupError(f"cannot reach the database at start-up: {exc}") from exc
    try:
        await check_durability(db)
        revision = await current_revision(db)
        if revision != app.state.schema_head:
            raise StartupError(
                f"database schema is at {revision}, the code needs {app.state.schema_head}: "
                "run `python -m app migrate`"
            )
        # Withdrawals and purges that a restore brought back go again before serving.
        await erasure.replay(db, settings)
    except (DatabaseUnavailable, StartupError, RuntimeError):
        await db.close()
        raise
    app.state.db = db
    app.state.group_commit = GroupCommit(db)
    # Public reads from a hot standby when one is configured; else the primary.
    read_db = await open_read_database(settings, db)
    app.state.read_db = read_db
    # New reports mark hotspots stale; the worker recomputes them in the background.
    # With hotspot_worker_process that runs elsewhere and a Messenger wakes it.
    worker: HotspotWorker | None = None
    if settings.hotspot_worker:
        kind = Messenger if settings.hotspot_worker_process else HotspotWorker
        worker = kind(db, settings)
    if worker is not None:
        app.state.on_report_stored = worker.notify
        worker.start()
    # Everything loaded so far lives as long as the server process: out of the
    # garbage collector's sight, a full collection no longer walks it. Measured: a
    # full collection of the started app (~220k objects) took 120-180 ms of CPU, a
    # pause of every request in flight (docs/RELIABILITY.md). Not in tests: they
    # start many apps in one process, and a frozen old app would never be freed.
    if settings.env is not Environment.test:
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        if worker is not None:
            await worker.stop()
        if read_db is not db:
            await read_db.close()
        await db.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    docs = settings.docs_on
    app = FastAPI(
        title="Trygghetskartan",
        summary="Residents report places in central Vänersborg where they feel unsafe.",
        version="0.1.0",
        lifespan=lifespan,
        default_response_class=JsonResponse,
        # /docs and /redoc are our own pages: their scripts come from this service.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    app.state.area = load_area(settings.service_area)
    app.state.schema_head = head_revision()
    # Later features (hotspot recomputation) hook in here; a stored report calls it.
    app.state.on_report_stored = lambda: None
    # Anonymous hotspot answers, reused for a second under a read spike.
    app.state.hotspot_answers = AnswerCache(settings.public_hotspot_cache_seconds)
    install_error_handlers(app)
    for router in routers.ALL:
        app.include_router(router)
    if docs:
        app.include_router(api_docs.router)
    install_openapi(app)
    install_middleware(app, settings)
    return app
