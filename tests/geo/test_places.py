"""Naming hotspots after the nearest named place."""

from __future__ import annotations

from geo.places import Named, name_for

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
