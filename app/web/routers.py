"""Every router of the service, listed once, in the order they are matched."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.api import (
    audit,
    health,
    hotspots,
    map_data,
    moderation,
    ogc,
    ogc_items,
    ogc_tiles,
    open311,
    open311_keys,
    patrol_plans,
    place_names,
    presence,
    promises,
    reports,
    sites,
    staff_reports,
    tokens,
    users,
    vocabulary,
    walks,
)
from app.web.pages import accessibility, patrol, public, staff_map, static
from app.web.pages import presence as presence_page
from app.web.pages import promises as promises_page
from app.web.pages import sites as sites_page
from app.web.pages import walks as walks_page
from app.web.pages.staff import audit as audit_page
from app.web.pages.staff import home as staff_home
from app.web.pages.staff import login as staff_login
from app.web.pages.staff import moderation as moderation_page
from app.web.pages.staff import users as users_page

ALL: tuple[APIRouter, ...] = (
    health.router,
    # GIS clients page and tile through these at hundreds of requests a second:
    # matched early, as routes are tried in order (all under /ogc, no overlap).
    ogc_items.router,
    ogc_tiles.router,
    ogc.router,
    vocabulary.router,
    reports.router,
    hotspots.router,
    patrol_plans.router,
    place_names.router,
    presence.router,
    walks.router,
    presence_page.router,
    walks_page.router,
    sites.router,
    promises.router,
    promises_page.router,
    patrol.router,
    sites_page.router,
    static.router,
    public.router,
    accessibility.router,
    staff_map.router,
    map_data.router,
    staff_reports.router,
    users.router,
    tokens.router,
    audit.router,
    moderation.router,
    open311.router,
    open311_keys.router,
    # Staff pages last: login first, then the pages behind it.
    staff_login.router,
    staff_home.router,
    moderation_page.router,
    users_page.router,
    audit_page.router,
)
