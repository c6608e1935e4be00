"""Staff pages under /staff: login, the overview, moderation, users and the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.web.render import language, page


def staff_page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A staff page with the principal and CSRF token; `page()` keeps it out of caches."""
    context.setdefault("principal", getattr(request.state, "principal", None))
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", None))
    response = page(request, language(request), template, **context)
    response.status_code = status
    return response
