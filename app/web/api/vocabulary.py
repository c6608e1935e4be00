"""GET /api/v1/reasons: the codes a report may use, with Swedish and English labels."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.api import shapes
from app.web.openapi import model_doc
from app.web.responses import JsonResponse
from geo import vocabulary

router = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get(
    "/reasons",
    summary="Reasons, times, days and severity with labels",
    responses={
        200: model_doc(shapes.Vocabularies, "Every vocabulary with Swedish and English labels")
    },
)
async def list_vocabularies() -> JsonResponse:
    return JsonResponse(vocabulary.as_json(), headers={"Cache-Control": "public, max-age=3600"})
