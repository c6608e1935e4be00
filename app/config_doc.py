"""The settings table for the README, generated from the Settings model."""

from __future__ import annotations

from app.config import Settings


def env_name(field: str) -> str:
    if field == "database_url":
        return "DATABASE_URL"
    return "TRYGG_" + field.upper()


def markdown_table() -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        default = info.default
        shown = "" if default in (None, "") else str(getattr(default, "value", default))
        if info.default_factory is not None:
            shown = "(computed)"
        description = (info.description or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{env_name(name)}` | `{shown}` | {description} |")
    return "\n".join(lines)
