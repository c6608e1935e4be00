"""Audit actions are named `noun:verb`, never a bare word, and old names migrate."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import psycopg

from tests.test_migrations import _run

APP = Path(__file__).resolve().parents[2] / "app"
NAME = re.compile(r"^[a-z_]+:[a-z_]+$")


def _recorded_actions() -> list[tuple[str, str]]:
    """(where, action) for every `audit.record(db, who, "action", ...)` in app/."""
    found = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                continue
            where = f"{path.relative_to(APP.parent)}:{node.lineno}"
            for arg in node.args[2:3]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((where, arg.value))
                elif isinstance(arg, ast.JoinedStr):  # f"moderation:{action}"
                    head = arg.values[0]
                    assert isinstance(head, ast.Constant), where
                    found.append((where, f"{head.value}verb"))
                elif isinstance(arg, ast.IfExp):  # "audit:export" if csv else "audit:read"
                    found += [(where, ast.literal_eval(b)) for b in (arg.body, arg.orelse)]
                else:  # a name computed elsewhere cannot be checked here: flag it
                    found.append((where, ast.unparse(arg)))
    return found


def test_every_action_is_noun_colon_verb() -> None:
    actions = _recorded_actions()
    assert len(actions) > 15
    wrong = [f"{where}: {action}" for where, action in actions if not NAME.match(action)]
    assert not wrong, "audit actions must be noun:verb:\n" + "\n".join(wrong)


def test_migration_renames_old_actions_and_back(scratch_url: str) -> None:  # noqa: F811
    _run(scratch_url, "upgrade", "0004")
    with psycopg.connect(scratch_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO audit_log (actor, via, action) VALUES "
            "('a', 'token', 'sites.export'), ('a', 'token', 'patrol_plan.print'), "
            "('a', 'token', 'reports:read'), ('a', 'session', 'login'), ('a', 'session', 'logout')"
        )
    _run(scratch_url, "upgrade", "0005")
    assert _actions(scratch_url) == [
        "sites:export",
        "patrol_plans:print",
        "reports:read",
        "session:login",
        "session:logout",
    ]
    _run(scratch_url, "downgrade", "0004")
    assert _actions(scratch_url) == [
        "sites.export",
        "patrol_plan.print",
        "reports:read",
        "login",
        "logout",
    ]


def _actions(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT action FROM audit_log ORDER BY id").fetchall()
        # The append-only trigger is back on after the migration.
        trigger = conn.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_log_append_only'"
        ).fetchone()
    assert trigger == ("O",)
    return [r[0] for r in rows]
