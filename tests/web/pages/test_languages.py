"""Resident pages in every language: choice, direction, switch, review notice, catalogs."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from frontend import catalogs
from frontend.templating import LANGUAGE_INFO, LANGUAGES, pick_language, reviewed
from geo import vocabulary
from geo.redesign import STATUSES
from geo.vocabulary_labels import EXTRA_LANGUAGES, LABELS

RESIDENT_PAGES = ("/", "/karta", "/loften")


def test_every_catalog_is_complete_and_current() -> None:
    """Every extracted message is translated (not fuzzy, same placeholders); nothing stale."""
    assert catalogs.check(catalogs.extract()) == []


def test_every_vocabulary_label_exists_in_every_language() -> None:
    terms = [t for terms in vocabulary.VOCABULARIES.values() for t in terms] + list(STATUSES)
    for lang in EXTRA_LANGUAGES:
        missing = [t.sv for t in terms if t.sv not in LABELS[lang]]
        assert missing == [], lang
    assert set(EXTRA_LANGUAGES) == {code for code in LANGUAGES if code not in ("sv", "en")} - {
        "sv-lattlast"
    }


@pytest.mark.parametrize(
    ("query", "cookie", "header", "wanted"),
    [
        ("ar", None, None, "ar"),
        (None, "so", None, "so"),
        (None, None, "fa-AF,fa;q=0.9", "fa"),
        (None, None, "ti-ER", "ti"),
        ("sv-lattlast", None, "en", "sv-lattlast"),
        ("xx", None, "ar;q=0.5,en;q=0.9", "en"),
    ],
)
def test_language_is_chosen_by_query_cookie_or_header(
    query: str | None, cookie: str | None, header: str | None, wanted: str
) -> None:
    assert pick_language(query, cookie, header, LANGUAGES) == wanted


def test_staff_pages_stay_in_swedish_or_english() -> None:
    assert pick_language("ar", None, None) == "sv"
    assert pick_language(None, "ar", "ar,en;q=0.5") == "en"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_resident_pages_in_every_language(client: TestClient, lang: str) -> None:
    info = LANGUAGE_INFO[lang]
    for path in RESIDENT_PAGES:
        html = client.get(f"{path}?lang={lang}").text
        root = re.search(r"<html[^>]*>", html)
        assert root is not None
        assert f'lang="{info.tag}"' in root.group(0), path
        assert ('dir="rtl"' in root.group(0)) == (info.dir == "rtl"), path
        # Every language is named in itself in the switch, marked with its own lang.
        for other in LANGUAGE_INFO.values():
            assert f'lang="{other.tag}" dir="{other.dir}"' in html
            assert f">{other.name}</a>" in html
        assert "/tillganglighet?lang=" in html  # the statement is linked from every page
        notice = "inte granskad av en person som har språket som modersmål"
        assert (notice in html) == (not reviewed(lang)), path
    assert client.cookies.get("lang") == lang


def test_arabic_report_page_and_labels(client: TestClient) -> None:
    html = client.get("/", headers={"Accept-Language": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in html
    assert "أين تشعر بعدم الأمان؟" in html
    assert "إضاءة ضعيفة" in html  # reason label
    assert "الليل من 22 إلى 06" in html  # time label keeps its hours in RTL text
    assert "لم يراجع هذه الترجمة" in html
    reasons = client.get("/api/v1/reasons").json()
    lighting = reasons["reasons"][0]
    assert lighting["sv"] == "Dålig belysning" and lighting["en"] == "Poor lighting"
    assert {lighting[lang] for lang in EXTRA_LANGUAGES} == {
        "إضاءة ضعيفة",
        "روشنی کم",
        "Iftiin yar",
        "ሕጽረት ብርሃን",
    }


def test_lattlast_report_page(client: TestClient) -> None:
    plain = client.get("/?lang=sv").text
    assert 'href="/?lang=sv-lattlast"' in plain
    easy = client.get("/?lang=sv-lattlast").text
    assert '<html lang="sv">' in easy
    assert "Du skriver inte ditt namn. Du får en kod." in easy
    assert "Vad händer med det du skickar?" in easy
    assert "Dålig belysning" in easy  # labels are already plain Swedish


def test_staff_page_in_a_resident_only_language_falls_back(client: TestClient) -> None:
    answer = client.get("/staff/login?lang=ar")
    assert answer.status_code == 200
    assert '<html lang="sv">' in answer.text
    assert "العربية" not in answer.text  # the switch offers only the staff languages


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_accessibility_statement(client: TestClient, lang: str) -> None:
    answer = client.get(f"/tillganglighet?lang={lang}")
    assert answer.status_code == 200
    text = answer.text
    wanted = "Accessibility statement" if lang == "en" else "Tillgänglighetsredogörelse"
    assert wanted in text
    assert "WCAG 2.1" in text and "digg.se" in text
