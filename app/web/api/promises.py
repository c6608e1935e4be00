"""The year's promises (medborgarlöften): admins record them, everyone sees progress.

Progress is computed from the data every time, never typed in: patrols carried
out at the linked hotspots, linked sites by status, and unsafe reports at the
linked places this year against the same part of last year.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from app.domain.parsing import LOCAL_TZ
from app.errors import NotFound, Unprocessable
from app.repo import promises as store
from app.security.access import Principal, require
from app.services import promises
from app.web import params
from app.web.api import shapes
from app.web.deps import DbDep, JsonBody, validate_body
from app.web.openapi import json_body_doc, model_doc
from app.web.responses import JsonResponse

router = APIRouter(prefix="/api/v1/promises", tags=["promises"])

Admin = Annotated[Principal, require("promises:manage")]
NOT_FOUND = "No promise with that id."


class PromiseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    position: int = Field(0, ge=0, le=1000)
    area_sv: str = Field(min_length=1, max_length=300)
    area_en: str = Field(min_length=1, max_length=300)
    text_sv: str = Field(min_length=1, max_length=5000)
    text_en: str = Field(min_length=1, max_length=5000)
    hotspot_ids: list[str] = Field(default_factory=list, max_length=100)
    site_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    source: str | None = Field(None, max_length=500)


class PromisePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(None, ge=2000, le=2100)
    position: int | None = Field(None, ge=0, le=1000)
    area_sv: str | None = Field(None, min_length=1, max_length=300)
    area_en: str | None = Field(None, min_length=1, max_length=300)
    text_sv: str | None = Field(None, min_length=1, max_length=5000)
    text_en: str | None = Field(None, min_length=1, max_length=5000)
    hotspot_ids: list[str] | None = Field(None, max_length=100)
    site_ids: list[uuid.UUID] | None = Field(None, max_length=100)
    source: str | None = Field(None, max_length=500)


def _promise_id(raw: str) -> uuid.UUID:
    return params.path_uuid(raw, NOT_FOUND)


@router.get(
    "",
    summary="The promises of a year with progress computed from the data",
    responses={200: model_doc(shapes.PromiseYear, "The year's promises")},
)
async def list_promises(
    db: DbDep, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> Response:
    return JsonResponse(await promises.promises_for_year(db, year))


@router.post(
    "",
    status_code=201,
    summary="Record a promise (admin)",
    responses={201: model_doc(shapes.Promise, "The new promise")},
    openapi_extra=json_body_doc(PromiseBody),
)
async def create_promise(body: JsonBody, db: DbDep, _: Admin) -> Response:
    parsed: PromiseBody = validate_body(PromiseBody, body)
    await promises.check_sites(db, parsed.site_ids)
    promise_id = await store.insert_promise(db, parsed.model_dump())
    row = await store.get_promise(db, promise_id)
    assert row is not None
    today = dt.datetime.now(LOCAL_TZ).date()
    return JsonResponse(
        await promises.promise_json(db, row, today),
        status_code=201,
        headers={"Location": f"/api/v1/promises/{promise_id}"},
    )


@router.patch(
    "/{promise_id}",
    summary="Change a promise (admin)",
    responses={200: model_doc(shapes.Promise, "The changed promise")},
    openapi_extra=json_body_doc(PromisePatch),
)
async def patch_promise(promise_id: str, body: JsonBody, db: DbDep, _: Admin) -> Response:
    pid = _promise_id(promise_id)
    parsed: PromisePatch = validate_body(PromisePatch, body)
    values = parsed.model_dump(exclude_unset=True)
    for key, value in values.items():
        if value is None and key != "source":
            raise Unprocessable(f"{key} cannot be null")
    if values.get("site_ids"):
        await promises.check_sites(db, values["site_ids"])
    if values and not await store.update_promise(db, pid, values):
        raise NotFound(NOT_FOUND)
    row = await store.get_promise(db, pid)
    if row is None:
        raise NotFound(NOT_FOUND)
    return JsonResponse(await promises.promise_json(db, row, dt.datetime.now(LOCAL_TZ).date()))


@router.delete("/{promise_id}", status_code=204, summary="Remove a promise (admin)")
async def delete_promise(promise_id: str, db: DbDep, _: Admin) -> Response:
    if not await store.delete_promise(db, _promise_id(promise_id)):
        raise NotFound(NOT_FOUND)
    return Response(status_code=204)
