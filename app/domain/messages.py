"""Validation problems in plain words that say how to fix the input.

pydantic's own texts ("Extra inputs are not permitted", "Input should be a
valid date or datetime, input is too short") describe the parser, not the
fix; every 422 of the service words its messages through `plain_message`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

NUL_MESSAGE = "must not contain the NUL character (\\u0000); remove it"


@dataclass(frozen=True)
class FieldError:
    """One problem with one input: `field` names it (dotted path), `message` says how to fix."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


_FIXED = {
    "missing": "is required",
    "extra_forbidden": "is not an accepted field; remove it (check the spelling)",
    "string_type": "must be a string",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number, e.g. 3",
    "int_from_float": "must be a whole number, without a fractional part",
    "float_type": "must be a number",
    "float_parsing": "must be a number, e.g. 12.5",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "date_type": "must be a date written as YYYY-MM-DD, e.g. 2026-05-01",
    "date_parsing": "must be a date written as YYYY-MM-DD, e.g. 2026-05-01",
    "date_from_datetime_parsing": "must be a date written as YYYY-MM-DD, e.g. 2026-05-01",
    "date_from_datetime_inexact": "must be a date without a time, e.g. 2026-05-01",
    "datetime_type": "must be a date-time, e.g. 2026-05-01T20:00:00+02:00",
    "datetime_parsing": "must be a date-time, e.g. 2026-05-01T20:00:00+02:00",
    "datetime_from_date_parsing": "must be a date-time, e.g. 2026-05-01T20:00:00+02:00",
    "uuid_type": "must be an id (a UUID such as 3f2b7c1e-8d4a-4c55-9a7e-0b1c2d3e4f50)",
    "uuid_parsing": "must be an id (a UUID such as 3f2b7c1e-8d4a-4c55-9a7e-0b1c2d3e4f50)",
    "json_invalid": "is not valid JSON",
    "string_unicode": "must be valid UTF-8 text",
}


def plain_message(err: Mapping[str, Any]) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in plain words."""
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    if kind in _FIXED:
        return _FIXED[kind]
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", "is not valid")))
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": ("ge", "at least"),
            "greater_than": ("gt", "more than"),
            "less_than_equal": ("le", "at most"),
            "less_than": ("lt", "less than"),
        }[kind]
        return f"must be {words[1]} {ctx.get(words[0])}"
    if kind in ("too_short", "too_long"):
        limit = ctx.get("min_length" if kind == "too_short" else "max_length")
        if kind == "too_short" and limit in (None, 1):
            return "must not be empty"
        return f"must have {'at least' if kind == 'too_short' else 'at most'} {limit} items"
    if kind == "string_too_short":
        limit = ctx.get("min_length", 1)
        return "must not be empty" if limit == 1 else f"must be at least {limit} characters long"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected', 'the documented values')}"
    # Anything else: pydantic's text without its "Input should be" preamble.
    text = str(err.get("msg", "is not valid"))
    return "must be " + text[len("Input should be ") :] if text.startswith("Input") else text


def field_name(loc: Iterable[Any], skip: Sequence[str] = ()) -> str:
    """A dotted field path as reports use it (`properties.reasons.0`); `body` for the whole."""
    return ".".join(str(part) for part in loc if part not in skip) or "body"


def plain_errors(exc: ValidationError) -> list[FieldError]:
    """Every problem of a ValidationError, with its field and a plain message."""
    return [
        FieldError(field_name(e["loc"]), plain_message(e)) for e in exc.errors(include_url=False)
    ]


def find_nul(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string holding a NUL character, or None."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = find_nul(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = find_nul(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
