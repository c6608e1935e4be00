"""CSV with WKT geometry (WGS 84 lon/lat), safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from app.services.exports.attributes import columns, flat

# A cell starting with one of these is run as a formula by spreadsheet programs
# (OWASP "CSV injection"); tab and carriage return can hide such a start.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    names = [name for name, _ in columns()] + ["wkt"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        values = flat(row)
        values["wkt"] = row["wkt"]
        writer.writerow([neutralise(values[name]) for name in names])
    # A BOM so spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()
