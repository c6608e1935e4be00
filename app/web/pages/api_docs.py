"""/docs (Swagger UI) and /redoc: served with the npm packages from this service, no CDN."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse

from frontend import vendor

router = APIRouter(include_in_schema=False)

OPENAPI_URL = "/openapi.json"
TITLE = "Trygghetskartan API"


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title=TITLE,
        swagger_js_url=vendor.url("swagger-ui-dist", "swagger-ui-bundle.js"),
        swagger_css_url=vendor.url("swagger-ui-dist", "swagger-ui.css"),
        swagger_favicon_url=vendor.url("swagger-ui-dist", "favicon-32x32.png"),
        # No badge that would send the document to an outside validator.
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
    )


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url=OPENAPI_URL,
        title=TITLE,
        redoc_js_url=vendor.url("redoc", "bundles/redoc.standalone.js"),
        redoc_favicon_url=vendor.url("swagger-ui-dist", "favicon-32x32.png"),
        with_google_fonts=False,
    )
