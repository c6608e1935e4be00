"""Report counts and heat per Web Mercator grid cell, kept by triggers on `reports`.

Cells are the tiles of zoom `level`: the staff report tiles below zoom 15 are
sums of `report_grid` (levels 20, 17 and 14), and the staff map's heat layer
sums `heat_grid` (levels 20 to 8, every second), so either costs a few
thousand index rows however many reports there are; heat with a reason, time
or day filter sums `heat_code_grid`. Migrations 0011, 0013 and 0017 hold the
triggers.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, SmallInteger, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION

from app.db.tables.reports import metadata

report_grid = Table(
    "report_grid",
    metadata,
    Column("level", SmallInteger, primary_key=True),
    Column("gx", Integer, primary_key=True),
    Column("gy", Integer, primary_key=True),
    # Every report, hidden ones too (staff see them), and the published ones.
    Column("reports", Integer, nullable=False),
    Column("published", Integer, nullable=False),
)

# How many published `unsafe` reports each person has at each 25 m place
# (SWEREF 99 TM, snapped): a place counts once in the heat however often.
heat_places = Table(
    "heat_places",
    metadata,
    Column("who", LargeBinary, primary_key=True),
    Column("sx", Integer, primary_key=True),
    Column("sy", Integer, primary_key=True),
    Column("reports", Integer, nullable=False),
)

# Person-places per cell, with the sums of their positions (WGS 84) for the mean.
heat_grid = Table(
    "heat_grid",
    metadata,
    Column("level", SmallInteger, primary_key=True),
    Column("gx", Integer, primary_key=True),
    Column("gy", Integer, primary_key=True),
    Column("people", Integer, nullable=False),
    Column("lon_sum", DOUBLE_PRECISION, nullable=False),
    Column("lat_sum", DOUBLE_PRECISION, nullable=False),
)

# Per dimension (reasons, times, days): how many of a person-place's reports
# carry each code (migration 0020).
heat_code_places = Table(
    "heat_code_places",
    metadata,
    Column("dim", Text, primary_key=True),
    Column("who", LargeBinary, primary_key=True),
    Column("sx", Integer, primary_key=True),
    Column("sy", Integer, primary_key=True),
    Column("code", Text, primary_key=True),
    Column("reports", Integer, nullable=False),
)

# Person-places per cell and dimension by the set of codes they have there: a
# filter sums the rows whose `codes` overlap the chosen ones.
heat_code_grid = Table(
    "heat_code_grid",
    metadata,
    Column("dim", Text, primary_key=True),
    Column("level", SmallInteger, primary_key=True),
    Column("gx", Integer, primary_key=True),
    Column("gy", Integer, primary_key=True),
    Column("codes", ARRAY(Text), primary_key=True),
    Column("people", Integer, nullable=False),
    Column("lon_sum", DOUBLE_PRECISION, nullable=False),
    Column("lat_sum", DOUBLE_PRECISION, nullable=False),
)
