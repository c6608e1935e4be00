"""Every command line in the README works as written in a checkout after `make run`.

The command blocks (fenced ```sh, or untagged) are split into command lines. A
line may only start with a program a fresh checkout has (`make`, `./trygg`,
`curl`, `osmium`, `echo ... |`). The harmless `./trygg` lines run against the
test database, the others must parse and their subcommand's `--help` must work;
`make` targets must exist, `curl` lines against the service must name a route,
and the `osmium` box must cover the service area.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Match

from app.cli import build_parser
from geo.area import default_area
from tests.conftest import TEST_SECRET, Sql

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()
SERVICE = "http://127.0.0.1:8000"

# Run against the test database; the rest only parse (they prompt, download or take long).
RUN = {"--help", "settings", "create-token", "purge"}


def command_lines() -> list[str]:
    """The README's command lines, continuation lines and multi-line quotes joined."""
    lines: list[str] = []
    for lang, block in re.findall(r"```(\w*)\n(.*?)```", README, re.S):
        if lang not in ("", "sh"):
            continue
        pending = ""
        for line in block.splitlines():
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending += line + "\n"
            if line.endswith("\\"):
                continue
            try:
                shlex.split(pending, comments=True)
            except ValueError:  # an open quote: the command goes on
                continue
            lines.append(pending.strip())
            pending = ""
        assert not pending, f"unfinished command in the README: {pending}"
    return lines


def words(line: str) -> list[str]:
    """The words of the line's last pipeline stage."""
    tokens = shlex.split(line.replace("\\\n", " "), comments=True)
    while "|" in tokens:
        tokens = tokens[tokens.index("|") + 1 :]
    return tokens


LINES = command_lines()
TRYGG = [line for line in LINES if words(line)[0] == "./trygg"]


def test_the_readme_has_command_lines_of_every_kind() -> None:
    programs = {words(line)[0] for line in LINES}
    assert programs == {"make", "./trygg", "curl", "osmium"}, programs
    assert len(TRYGG) >= 8


def test_make_targets_exist() -> None:
    targets = set(re.findall(r"^([\w-]+):", MAKEFILE, re.M))
    for line in LINES:
        if words(line)[0] == "make":
            assert words(line)[1] in targets, line


def test_curl_lines_name_routes_of_the_service(app_client: TestClient) -> None:
    checked = 0
    for line in LINES:
        tokens = words(line)
        if tokens[0] != "curl":
            continue
        method = tokens[tokens.index("-X") + 1] if "-X" in tokens else "GET"
        if "-d" in tokens and "-X" not in tokens:
            method = "POST"
        url = next(t for t in tokens if t.startswith("http"))
        if not url.startswith(SERVICE):
            continue  # a download, e.g. the OSM extract
        path = re.sub(r"<\w+>", "9b5c1f9e-4c0e-4f7e-9a55-0d6a7c3b2a11", url[len(SERVICE) :])
        scope = {"type": "http", "path": path, "method": method}
        assert any(route.matches(scope)[0] == Match.FULL for route in app_client.app.routes), line
        checked += 1
    assert checked >= 2


def test_the_osmium_box_covers_the_service_area() -> None:
    (line,) = [line for line in LINES if words(line)[0] == "osmium"]
    tokens = words(line)
    west, south, east, north = map(float, tokens[tokens.index("--bbox") + 1].split(","))
    min_lon, min_lat, max_lon, max_lat = default_area().polygon.bounds
    assert west < min_lon and south < min_lat and east > max_lon and north > max_lat
    imports = [line for line in TRYGG if words(line)[1] == "import-network"]
    assert imports and words(imports[0])[2] == tokens[tokens.index("-o") + 1]


def run(line: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRYGG_SECRET_KEY": TEST_SECRET,
        "PW": "a long enough test password 42",
    }
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", line],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("line", TRYGG)
def test_trygg_lines_parse(line: str) -> None:
    args = words(line)[1:]
    if "--help" in args:
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args(args)
        assert done.value.code == 0
    else:
        build_parser().parse_args(args)


def test_trygg_lines_run(database_url: str, sql: Sql, clean_db: None) -> None:
    for line in TRYGG:
        tokens = words(line)
        sub = tokens[1]
        runs = sub in RUN or "--password-stdin" in tokens
        result = run(line if runs else f"./trygg {sub} --help", database_url)
        assert result.returncode == 0, f"{line}\n{result.stderr}"
    assert sql.scalar("SELECT count(*) FROM staff_users WHERE email = 'admin@kommun.se'") == 1


def test_the_installed_script_works_too(database_url: str) -> None:
    result = run(".venv/bin/trygghetskartan --help", database_url)
    assert result.returncode == 0 and "import-network" in result.stdout


def test_the_cli_names_the_same_extract_as_the_readme() -> None:
    from app.cli import OSM_HINT

    (line,) = [line for line in LINES if words(line)[0] == "osmium"]
    assert " ".join(words(line)) in OSM_HINT
