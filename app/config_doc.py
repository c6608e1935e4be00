"""The settings tables for the README, generated from the Settings model, group by group."""

from __future__ import annotations

from pathlib import Path

from pydantic.fields import FieldInfo

from app.config import PROJECT_ROOT, SETTING_GROUPS, Settings


def env_name(field: str) -> str:
    if field == "database_url":
        return "DATABASE_URL"
    return "TRYGG_" + field.upper()


def groups() -> list[tuple[str, list[str]]]:
    """(heading, field names) in README order; a field in no group comes last, under Other."""
    grouped = [(title, list(names)) for title, names in SETTING_GROUPS]
    listed = {name for _, names in grouped for name in names}
    other = [name for name in Settings.model_fields if name not in listed]
    return grouped + ([("Other", other)] if other else [])


def _row(name: str, info: FieldInfo) -> str:
    default = info.default
    shown = "" if default in (None, "") else str(getattr(default, "value", default))
    if isinstance(default, Path) and default.is_relative_to(PROJECT_ROOT):
        # Paths inside the checkout are shown relative to it, the same in every clone.
        shown = str(default.relative_to(PROJECT_ROOT))
    if info.default_factory is not None:
        shown = "(computed)"
    description = (info.description or "").replace("|", "\\|").replace("\n", " ")
    return f"| `{env_name(name)}` | `{shown}` | {description} |"


def markdown_table() -> str:
    """One small table per group, each under a `###` heading."""
    sections = []
    for title, names in groups():
        lines = [f"### {title}", "", "| variable | default | meaning |", "|---|---|---|"]
        lines += [_row(name, Settings.model_fields[name]) for name in names]
        sections.append("\n".join(lines))
    return "\n\n".join(sections)
