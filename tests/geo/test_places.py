"""Naming hotspots after the nearest named place."""

from __future__ import annotations

from geo.places import Named, name_for, place_name

NAMED = [Named("Torget", 0, 0), Named("Resecentrum", 300, 0), Named("Skräcklan", 0, 350)]


def test_nearest_name_within_reach() -> None:
    assert name_for(20, 10, NAMED) == "Torget"
    assert name_for(280, 20, NAMED) == "Resecentrum"
    assert name_for(5000, 5000, NAMED) is None
    assert name_for(0, 0, []) is None


def test_a_taken_name_gets_the_second_nearest() -> None:
    assert name_for(10, 60, NAMED, taken={"Torget"}) == "Torget vid Skräcklan"
    assert name_for(10, 60, NAMED, taken={"Torget", "Torget vid Skräcklan"}) == (
        "Torget vid Resecentrum"
    )


def test_street_and_place_together() -> None:
    assert place_name(10, 10, NAMED, ("Storgatan", 5.0)) == "Torget"
    assert place_name(0, 220, NAMED, ("Järnvägsgatan", 10.0)) == "Järnvägsgatan vid Skräcklan"
    assert place_name(0, 2000, NAMED, ("Järnvägsgatan", 10.0)) == "Järnvägsgatan"
    assert place_name(0, 100, NAMED, ("Järnvägsgatan", 500.0)) == "Torget"
    assert place_name(0, 2000, [], None) is None
