"""The README stays true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import SETTING_GROUPS, Settings
from app.config_doc import markdown_table

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_opens_with_exactly_the_two_commands() -> None:
    first_block = re.search(r"```\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]


def test_settings_table_matches_the_settings_model() -> None:
    table = README.split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0]
    assert table.strip() == markdown_table().strip(), (
        "README settings table is stale: run scripts/update_readme_settings.py"
    )


def test_every_setting_is_in_exactly_one_group() -> None:
    grouped = [name for _, names in SETTING_GROUPS for name in names]
    assert sorted(grouped) == sorted(Settings.model_fields), (
        "add the setting to its group in app.config.SETTING_GROUPS"
    )


def test_settings_table_has_a_heading_per_group() -> None:
    table = markdown_table()
    for title, _ in SETTING_GROUPS:
        assert f"### {title}\n" in table
    assert "### Other" not in table
