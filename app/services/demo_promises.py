"""Demo promises: the three areas of Vänersborg's 2017 medborgarlöfte.

The wording is the kommun's announcement "Polisen och Vänersborg lovar satsa
för en tryggare kommun" (published 2016-12-29); the English is a translation.
The public-space promise is linked to the current public hotspots and to all
redesign sites, so /loften shows progress computed from the demo data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.db.pool import Database
from app.repo import promises as store
from app.repo import sites as site_store
from app.services import hotspots as hotspot_service

SOURCE = (
    "Vänersborgs kommun 2016-12-29: Polisen och Vänersborg lovar satsa för en tryggare "
    "kommun (medborgarlöfte 2017, efter samtal med 305 invånare)"
)
LINKED_HOTSPOTS = 5


@dataclass(frozen=True)
class DemoPromise:
    area_sv: str
    area_en: str
    text_sv: str
    text_en: str
    links_places: bool


PROMISES: tuple[DemoPromise, ...] = (
    DemoPromise(
        "Det ska vara tryggare att vistas ute",
        "It should be safer to be out and about",
        "För att öka tryggheten i det offentliga rummet kommer polisen att patrullera platser "
        "som upplevs som otrygga, till exempel centrala Vänersborg. Polisens volontärer, "
        "ordningsvakter, fältare och fritidspersonal kommer också att vara närvarande och bidra "
        "i det trygghetsskapande arbetet. Kommunen lovar att se över vilka platser som kan "
        "behöva utformas annorlunda för att öka tryggheten.",
        "To make public space feel safer, the police will patrol places that people experience "
        "as unsafe, for example central Vänersborg. Police volunteers, security guards, youth "
        "outreach and leisure workers will also be present and help make places safer. The "
        "kommun promises to review which places may need to be redesigned to feel safer.",
        True,
    ),
    DemoPromise(
        "Insatser inom integrationsområdet",
        "Integration efforts",
        "Insatser inom integrationsområdet kommer att fortsätta. Kommunen kommer bland annat "
        "att fortsätta ge samhällsinformation från boende-, kultur- och "
        "utbildningsverksamheterna till nyanlända.",
        "Integration efforts will continue. Among other things, the kommun will keep giving "
        "newly arrived residents information about housing, culture and education.",
        False,
    ),
    DemoPromise(
        "Organiserad brottslighet ska minska",
        "Organised crime should decrease",
        "Polisen och kommunen kommer att arbeta aktivt mot den organiserade brottsligheten. "
        "Det handlar både om olika insatser och förebyggande arbete.",
        "The police and the kommun will work actively against organised crime, both through "
        "direct action and through prevention.",
        False,
    ),
)


async def load_demo_promises(db: Database, year: int | None = None) -> int:
    """Replace this year's demo promises; returns how many were stored."""
    year = year or dt.date.today().year
    hotspots = await hotspot_service.list_hotspots(db, {}, public=True)
    hotspot_ids = [str(h["id"]) for h in hotspots[:LINKED_HOTSPOTS]]
    site_ids = [row["id"] for row in await site_store.list_sites(db)]
    await store.delete_year(db, year, SOURCE)
    for position, promise in enumerate(PROMISES):
        await store.insert_promise(
            db,
            {
                "year": year,
                "position": position,
                "area_sv": promise.area_sv,
                "area_en": promise.area_en,
                "text_sv": promise.text_sv,
                "text_en": promise.text_en,
                "hotspot_ids": hotspot_ids if promise.links_places else [],
                "site_ids": site_ids if promise.links_places else [],
                "source": SOURCE,
            },
        )
    return len(PROMISES)
