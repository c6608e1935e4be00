"""Heat from a maintained grid of person-places, and a version for cached report tiles

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
# After 0012 (backup runs), merged from a parallel branch.
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The heat grid levels kept: the heat cell is a tile of zoom + 4 (16 of 256
# pixels), so every map zoom finds a level at most one step finer.
LEVELS = "(VALUES (20), (18), (16), (14), (12), (10), (8)) AS l(level)"

# Heat counts published `unsafe` reports once per person and 25 m place (the
# point snapped to 25 m in SWEREF 99 TM), exactly as the old per-request query
# did. `heat_places` keeps how many reports each person-place has; a place
# entering or leaving adds or removes one person in every level's cell, with
# its position (the snapped point, WGS 84) summed so a cell's mean is exact.
DELTAS = """
SELECT COALESCE(reporter_hash, uuid_send(id)) AS who,
       round(ST_X(ST_PointOnSurface(geom_3006)) / 25)::integer AS sx,
       round(ST_Y(ST_PointOnSurface(geom_3006)) / 25)::integer AS sy, {n} AS n
FROM {rows} WHERE status = 'published' AND kind = 'unsafe'
"""

APPLY_HEAT = """
WITH d AS (
    SELECT who, sx, sy, sum(n)::integer AS n FROM ({deltas}) AS t
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0
), placed AS (
    INSERT INTO heat_places AS h (who, sx, sy, reports)
    SELECT who, sx, sy, n FROM d ORDER BY 1, 2, 3
    ON CONFLICT (who, sx, sy) DO UPDATE SET reports = h.reports + EXCLUDED.reports
    RETURNING h.who, h.sx, h.sy, h.reports
), crossed AS (
    -- Each key comes once, so the new count equals the delta only when it was 0.
    SELECT CASE WHEN p.reports = d.n AND d.n > 0 THEN 1
                WHEN p.reports = 0 AND d.n < 0 THEN -1 END AS people,
           ST_Transform(ST_SetSRID(ST_MakePoint(p.sx * 25.0, p.sy * 25.0), 3006), 4326) AS w
    FROM placed p JOIN d USING (who, sx, sy)
)
INSERT INTO heat_grid AS g (level, gx, gy, people, lon_sum, lat_sum)
SELECT l.level, c.gx >> (20 - l.level), c.gy >> (20 - l.level), sum(e.people)::integer,
       sum(e.people * ST_X(e.w)), sum(e.people * ST_Y(e.w))
FROM crossed e CROSS JOIN LATERAL report_grid_cell(e.w) AS c CROSS JOIN {levels}
WHERE e.people IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
ON CONFLICT (level, gx, gy) DO UPDATE
SET people = g.people + EXCLUDED.people, lon_sum = g.lon_sum + EXCLUDED.lon_sum,
    lat_sum = g.lat_sum + EXCLUDED.lat_sum
"""

INSERTED = DELTAS.format(n=1, rows="new_rows")
DELETED = DELTAS.format(n=-1, rows="old_rows")

# The report grid's upsert as 0011 has it, plus a version bump whenever a cell
# changed: cached report tiles are keyed by it (same transaction, so a reader
# never pairs a new version with old counts).
GRID_LEVELS = "(VALUES (20), (17), (14)) AS l(level)"
GRID_UPSERT = """
INSERT INTO report_grid AS g (level, gx, gy, reports, published)
SELECT l.level, c.gx >> (20 - l.level), c.gy >> (20 - l.level), sum(d.n)::integer,
       COALESCE(sum(d.n) FILTER (WHERE d.status = 'published'), 0)::integer
FROM ({deltas}) AS d(geom, status, n)
CROSS JOIN LATERAL report_grid_cell(d.geom) AS c
CROSS JOIN {levels}
GROUP BY 1, 2, 3
HAVING sum(d.n) <> 0 OR sum(d.n) FILTER (WHERE d.status = 'published') <> 0
ORDER BY 1, 2, 3
ON CONFLICT (level, gx, gy) DO UPDATE
SET reports = g.reports + EXCLUDED.reports, published = g.published + EXCLUDED.published
"""
GRID_INSERTED = "SELECT geom, status, 1 FROM new_rows"
GRID_DELETED = "SELECT geom, status, -1 FROM old_rows"
BUMP = """
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed > 0 THEN
        UPDATE data_version SET version = version + 1, changed_at = now()
        WHERE name = 'report_grid';
    END IF;
"""


def _grid(deltas: str) -> str:
    return GRID_UPSERT.format(deltas=deltas, levels=GRID_LEVELS)


def _heat(deltas: str) -> str:
    return APPLY_HEAT.format(deltas=deltas, levels=LEVELS)


APPLY = f"""
CREATE OR REPLACE FUNCTION report_grid_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_grid(GRID_INSERTED)};
        {BUMP}
        {_heat(INSERTED)};
    ELSIF TG_OP = 'DELETE' THEN
        {_grid(GRID_DELETED)};
        {BUMP}
        {_heat(DELETED)};
    ELSE
        {_grid(f"{GRID_DELETED} UNION ALL {GRID_INSERTED}")};
        {BUMP}
        {_heat(f"{DELETED} UNION ALL {INSERTED}")};
    END IF;
    RETURN NULL;
END
$$
"""

OLD_APPLY = f"""
CREATE OR REPLACE FUNCTION report_grid_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_grid(GRID_INSERTED)};
    ELSIF TG_OP = 'DELETE' THEN
        {_grid(GRID_DELETED)};
    ELSE
        {_grid(f"{GRID_DELETED} UNION ALL {GRID_INSERTED}")};
    END IF;
    RETURN NULL;
END
$$
"""

CLEAR = """
CREATE OR REPLACE FUNCTION report_grid_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE report_grid;
    TRUNCATE heat_places;
    TRUNCATE heat_grid;
    UPDATE data_version SET version = version + 1, changed_at = now()
    WHERE name = 'report_grid';
    RETURN NULL;
END
$$
"""

OLD_CLEAR = """
CREATE OR REPLACE FUNCTION report_grid_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE report_grid;
    RETURN NULL;
END
$$
"""

BACKFILL_PLACES = f"""
INSERT INTO heat_places (who, sx, sy, reports)
SELECT who, sx, sy, count(*) FROM ({DELTAS.format(n=1, rows="reports")}) AS t GROUP BY 1, 2, 3
"""

BACKFILL_GRID = f"""
INSERT INTO heat_grid (level, gx, gy, people, lon_sum, lat_sum)
SELECT l.level, c.gx >> (20 - l.level), c.gy >> (20 - l.level), count(*), sum(ST_X(w)),
       sum(ST_Y(w))
FROM heat_places p
CROSS JOIN LATERAL ST_Transform(ST_SetSRID(ST_MakePoint(p.sx * 25.0, p.sy * 25.0), 3006),
                                4326) AS w
CROSS JOIN LATERAL report_grid_cell(w) AS c CROSS JOIN {LEVELS}
GROUP BY 1, 2, 3
"""


def upgrade() -> None:
    op.create_table(
        "heat_places",
        sa.Column("who", sa.LargeBinary(), nullable=False),
        sa.Column("sx", sa.Integer(), nullable=False),
        sa.Column("sy", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("who", "sx", "sy", name=op.f("pk_heat_places")),
    )
    op.create_table(
        "heat_grid",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("gx", sa.Integer(), nullable=False),
        sa.Column("gy", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("lon_sum", postgresql.DOUBLE_PRECISION(), nullable=False),
        sa.Column("lat_sum", postgresql.DOUBLE_PRECISION(), nullable=False),
        sa.PrimaryKeyConstraint("level", "gx", "gy", name=op.f("pk_heat_grid")),
    )
    op.execute("INSERT INTO data_version (name) VALUES ('report_grid')")
    # The triggers of 0011 call these functions: replacing them locks out
    # writers until this migration commits, so no report falls between the
    # backfill and the first trigger run.
    op.execute("LOCK TABLE reports IN SHARE ROW EXCLUSIVE MODE")
    op.execute(APPLY)
    op.execute(CLEAR)
    op.execute(BACKFILL_PLACES)
    op.execute(BACKFILL_GRID)


def downgrade() -> None:
    op.execute(OLD_APPLY)
    op.execute(OLD_CLEAR)
    op.execute("DELETE FROM data_version WHERE name = 'report_grid'")
    op.drop_table("heat_grid")
    op.drop_table("heat_places")
