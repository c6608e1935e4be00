"""The safety walk protocol as a PDF (WeasyPrint; needs Pango from the system)."""

from __future__ import annotations

import asyncio

from weasyprint import HTML


def _pdf(html: str) -> bytes:
    return bytes(HTML(string=html).write_pdf())


async def protocol_pdf(html: str) -> bytes:
    # Layout takes a moment: keep it off the event loop.
    return await asyncio.to_thread(_pdf, html)
