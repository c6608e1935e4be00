#!/usr/bin/env python3
"""Rewrite the settings table in README.md from the Settings model."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.config_doc import markdown_table  # noqa: E402

START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    readme.write_text(pattern.sub(f"{START}\n{markdown_table()}\n{END}", text))


if __name__ == "__main__":
    main()
