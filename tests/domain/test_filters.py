"""ReportFilter.from_mapping follows the same rules as the query parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.filters import ReportFilter
from app.domain.parsing import ParseError


def test_a_bare_date_is_swedish_midnight_and_until_takes_the_whole_day() -> None:
    wanted = ReportFilter.from_mapping({"since": "2026-05-01", "until": "2026-05-01"})
    assert wanted.since == datetime(2026, 4, 30, 22, tzinfo=UTC)
    assert wanted.until == datetime(2026, 5, 1, 22, tzinfo=UTC)


def test_a_time_without_zone_is_swedish_and_datetimes_are_taken_as_they_are() -> None:
    wanted = ReportFilter.from_mapping(
        {"since": "2026-01-10T08:00:00", "until": datetime(2026, 1, 11, tzinfo=UTC)}
    )
    assert wanted.since == datetime(2026, 1, 10, 7, tzinfo=UTC)
    assert wanted.until == datetime(2026, 1, 11, tzinfo=UTC)


def test_codes_and_bbox_from_lists_or_strings() -> None:
    wanted = ReportFilter.from_mapping(
        {"times": "night,morning", "days": ["weekend"], "bbox": [12.3, 58.37, 12.34, 58.39]}
    )
    assert wanted.times == ("morning", "night") and wanted.days == ("weekend",)
    assert wanted.bbox == (12.3, 58.37, 12.34, 58.39)
    assert ReportFilter.from_mapping({"bbox": "12.3,58.37,12.34,58.39"}).bbox == wanted.bbox
    assert ReportFilter.from_mapping({}) == ReportFilter()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"times": ["noon"]}, "times: 'noon'"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"until": "9999-12-31"}, "until"),
        ({"since": "0001-01-01"}, "since"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "since must be before until"),
    ],
)
def test_broken_values_raise_parse_errors(data: dict[str, object], words: str) -> None:
    with pytest.raises(ParseError, match=words):
        ReportFilter.from_mapping(data)
