"""Translated strings the page scripts show, handed to them as JSON data.

Each call is `_("...")` so `pybabel extract` finds the messages here too.
"""

from __future__ import annotations

from collections.abc import Callable

Gettext = Callable[[str], str]


def report_strings(_: Gettext) -> dict[str, str]:
    return {
        "draw_line": _("Rita en sträcka (en väg eller stig)"),
        "draw_area": _("Rita ett område (till exempel en park)"),
        "cancel": _("Avbryt"),
        "finish": _("Klar"),
        "undo": _("Ta bort senaste punkten"),
        "line_start": _("Klicka där sträckan börjar."),
        "line_cont": _("Klicka för att fortsätta sträckan."),
        "line_end": _("Klicka på sista punkten igen för att avsluta."),
        "area_start": _("Klicka där området börjar."),
        "area_cont": _("Klicka för att fortsätta området."),
        "area_end": _("Klicka på första punkten för att stänga området."),
        "line_error": _("Linjerna får inte korsa varandra."),
        "marker_title": _("Vald plats. Flytta med piltangenterna."),
        "point_at": _("Vald plats: punkt på latitud {lat}, longitud {lon}."),
        "line_chosen": _("Vald plats: en sträcka."),
        "area_chosen": _("Vald plats: ett område."),
        "place_chosen": _("Vald plats: {name}."),
        "no_place": _("Ingen plats vald ännu."),
        "no_geolocation": _("Din webbläsare kan inte ge din position. Välj platsen på annat sätt."),
        "geolocation_failed": _("Din position gick inte att hämta. Välj platsen på annat sätt."),
        "locating": _("Hämtar din position …"),
        "bad_coords": _(
            "Skriv latitud och longitud som decimaltal, till exempel 58.3808 och 12.3234."
        ),
        "need_place": _("Välj en plats: en punkt, en sträcka eller ett område."),
        "need_reason": _("Välj minst ett skäl."),
        "need_time": _("Välj minst en tid på dygnet."),
        "sending": _("Skickar …"),
        "server_error": _("Något gick fel. Försök igen om en stund."),
        "network_error": _("Ingen kontakt med tjänsten. Kontrollera anslutningen och försök igen."),
        "withdrawn": _("Rapporten är återkallad och borttagen."),
        "withdraw_failed": _("Ingen rapport med det id:t och den kvittokoden."),
        "status_published": _("Rapporten är publicerad och räknas på kartan."),
        "status_hidden": _("Rapporten är dold av en moderator."),
        "moderation_none": _("Den har ingen fritext."),
        "moderation_pending": _("Fritexten väntar på granskning."),
        "moderation_approved": _("Fritexten är granskad och godkänd."),
        "moderation_redacted": _("Fritexten är granskad; delar av den är borttagna."),
        "receipt_code": _("Din kvittokod är {code}."),
        # The API explains problems in English; residents get these, the detail in brackets.
        "bad_place": _("Platsen går inte att använda. Välj en plats inom centrala Vänersborg."),
        "bad_field": _("Kontrollera det här svaret."),
    }


def map_strings(_: Gettext) -> dict[str, str]:
    return {
        "hotspot": _("Plats {rank}"),
        "reporters": _("{n} personer har rapporterat här"),
        "reports": _("{n} rapporter"),
        "reasons": _("Varför platsen känns otrygg"),
        "profile": _("När på dygnet (timme 0–23)"),
        "weekday": _("Vardagar"),
        "weekend": _("Helger"),
        "none": _("Inga platser matchar filtret."),
        "loading": _("Hämtar platser …"),
        "count": _("{n} platser visas."),
        "load_error": _("Platserna gick inte att hämta. Försök igen."),
        "show": _("Visa på kartan"),
        "score": _("Poäng {score}"),
        "severity": _("Medelallvar {s}"),
        "description": _("Beskrivning"),
        "suggestion": _("Förslag"),
        "report": _("Rapport"),
        "cells": _("{n} rapporter i rutan. Zooma in för att se enskilda rapporter."),
        "raw_count": _("{n} rapporter i vyn."),
        "held": _("Visas inte publikt: {reasons}"),
        "held_significance": _(
            "signifikanstestet: {reporters} personer, {threshold} krävs här, "
            "{expected} väntade av slumpen, p = {p}"
        ),
    }


def staff_strings(_: Gettext) -> dict[str, str]:
    return {
        "kind_unsafe": _("Otrygg plats"),
        "kind_safe": _("Trygg plats"),
        "severity_of": _("Allvar {s} av 3"),
        "created": _("Rapporterad {date}"),
        "shape_line": _("Sträcka"),
        "shape_area": _("Område"),
        "times": _("Tider"),
        "mean_severity": _("Medelallvar {s}"),
        "hotspot_id": _("Id {id}"),
        "plan_made": _("Patrullplanen är klar: {n} platser."),
        "plan_failed": _("Patrullplanen gick inte att göra: {detail}"),
        "plan_print": _("Utskrift"),
        "plan_gpx": _("GPX för GPS"),
        "plan_geojson": _("GeoJSON"),
        "reports_loading": _("Hämtar rapporter …"),
        "reports_error": _("Rapporterna gick inte att hämta."),
    }


def period_label(_: Gettext, code: str) -> str:
    """A public period code (last12, 2025, 2025-summer; app.domain.periods) in words."""
    if code == "last12":
        return _("Senaste 12 månaderna")
    year, _dash, season = code.partition("-")
    if not season:
        return _("Året {year}").format(year=year)
    names = {
        "winter": _("Vintern {start}/{year}"),
        "spring": _("Våren {year}"),
        "summer": _("Sommaren {year}"),
        "autumn": _("Hösten {year}"),
    }
    return names[season].format(start=int(year) - 1, year=year)
