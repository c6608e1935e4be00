"""Texts of the staff pages (Swedish and English only), handed to pages and scripts.

Kept apart from frontend/strings.py, whose messages every resident language
must translate (frontend/catalogs.py RESIDENT_SOURCES). Each call is `_("...")`
so `pybabel extract` finds the messages. Words follow frontend/TERMS.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from frontend.strings import Gettext
from geo.routing import HELD_KARP, HEURISTIC


def role_names(_: Gettext) -> dict[str, str]:
    """Staff roles as shown on pages (frontend/TERMS.md); the codes stay in the API."""
    return {
        "police": _("polis"),
        "planner": _("planerare"),
        "moderator": _("moderator"),
        "admin": _("administratör"),
        "coordinator": _("säkerhetssamordnare"),
    }


def method_names(_: Gettext) -> dict[str, str]:
    """The patrol plan's `method` codes in words."""
    return {
        HELD_KARP: _("exakt (Held-Karp)"),
        HEURISTIC: _("närmaste granne med förbättringar (heuristik)"),
    }


def patrol_strings(_: Gettext) -> dict[str, Any]:
    """Texts for the patrol page's script: the method and the routing note."""
    return {
        "methods": method_names(_),
        "method": _("Ordningsmetod"),
        "note_network": _("Sträckorna följer gatunätet."),
        "note_off_network": _(
            "Några sträckor går inte att följa i gatunätet; de är fågelvägen gånger {f}."
        ),
        "note_straight": _(
            "Inget gatunät är importerat: avstånden är fågelvägen gånger en omvägsfaktor på {f}."
        ),
        "run_saved": _("Patrullen {date} är registrerad."),
        "run_undo": _("Ångra registreringen"),
        "run_undone": _("Registreringen är borttagen."),
    }


def routing_note(_: Gettext, routing: Mapping[str, Any], number: Callable[[float], str]) -> str:
    """The plan's routing note in the page's language (the API's `note` is English)."""
    texts = patrol_strings(_)
    factor = number(routing.get("detour_factor") or 0)
    if routing.get("network") == "network":
        note = texts["note_network"]
        if routing.get("detour_factor"):
            note += " " + texts["note_off_network"].format(f=factor)
        return str(note)
    return str(texts["note_straight"]).format(f=factor)
