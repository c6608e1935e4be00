"""Report counts per Web Mercator grid cell, kept by triggers, for aggregated tiles

Revision ID: 0011
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
# Re-chained after the other branches' migrations when merged.
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The grid levels kept (zoom levels whose tiles are the cells); see app/repo/ogc_tiles.py.
LEVELS = "(VALUES (20), (17), (14)) AS l(level)"

# The level-20 cell of a report's point (a line or area counts at its point on
# surface), with the Web Mercator formulas; the other levels shift it right.
CELL = """
CREATE FUNCTION report_grid_cell(g geometry, OUT gx integer, OUT gy integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT least(greatest(floor((ST_X(p) + 180) / 360 * 1048576), 0), 1048575)::integer,
       least(greatest(floor((1 - asinh(tan(radians(
           least(greatest(ST_Y(p), -85.0511287798), 85.0511287798)))) / pi()) / 2 * 1048576),
           0), 1048575)::integer
FROM (SELECT CASE WHEN GeometryType(g) = 'POINT' THEN g ELSE ST_PointOnSurface(g) END) AS s(p)
$$
"""

# Add the signed counts of `deltas` (geom, status, n) to their cells, in key
# order so that concurrent writers lock cells in the same order.
UPSERT = """
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

INSERTED = "SELECT geom, status, 1 FROM new_rows"
DELETED = "SELECT geom, status, -1 FROM old_rows"
# Every updated row moves out of its old cell and into its new one; when
# neither the place nor the status changed the two cancel out (HAVING).
UPDATED = f"{DELETED} UNION ALL {INSERTED}"

APPLY = f"""
CREATE FUNCTION report_grid_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {UPSERT.format(deltas=INSERTED, levels=LEVELS)};
    ELSIF TG_OP = 'DELETE' THEN
        {UPSERT.format(deltas=DELETED, levels=LEVELS)};
    ELSE
        {UPSERT.format(deltas=UPDATED, levels=LEVELS)};
    END IF;
    RETURN NULL;
END
$$
"""

CLEAR = """
CREATE FUNCTION report_grid_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE report_grid;
    RETURN NULL;
END
$$
"""

TRIGGERS = [
    "CREATE TRIGGER report_grid_insert AFTER INSERT ON reports REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_grid_apply()",
    "CREATE TRIGGER report_grid_delete AFTER DELETE ON reports REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_grid_apply()",
    "CREATE TRIGGER report_grid_update AFTER UPDATE ON reports REFERENCING OLD TABLE AS "
    "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_grid_apply()",
    "CREATE TRIGGER report_grid_truncate AFTER TRUNCATE ON reports "
    "FOR EACH STATEMENT EXECUTE FUNCTION report_grid_clear()",
]

BACKFILL = f"""
INSERT INTO report_grid (level, gx, gy, reports, published)
SELECT l.level, c.gx >> (20 - l.level), c.gy >> (20 - l.level), count(*),
       count(*) FILTER (WHERE r.status = 'published')
FROM reports r CROSS JOIN LATERAL report_grid_cell(r.geom) AS c CROSS JOIN {LEVELS}
GROUP BY 1, 2, 3
"""


def upgrade() -> None:
    op.create_table(
        "report_grid",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("gx", sa.Integer(), nullable=False),
        sa.Column("gy", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("published", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", "gx", "gy", name=op.f("pk_report_grid")),
    )
    op.execute(CELL)
    op.execute(APPLY)
    op.execute(CLEAR)
    # Triggers first: they lock out writers until this migration commits, so
    # no report falls between the backfill and the first trigger run.
    for trigger in TRIGGERS:
        op.execute(trigger)
    op.execute(BACKFILL)


def downgrade() -> None:
    for name in ("insert", "delete", "update", "truncate"):
        op.execute(f"DROP TRIGGER report_grid_{name} ON reports")
    op.execute("DROP FUNCTION report_grid_clear()")
    op.execute("DROP FUNCTION report_grid_apply()")
    op.execute("DROP FUNCTION report_grid_cell(geometry)")
    op.drop_table("report_grid")
