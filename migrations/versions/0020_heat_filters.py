"""Heat with a reason, time or day filter from a maintained grid, as heat without filters

Revision ID: 0020
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The levels of heat_grid (0013).
LEVELS = "(VALUES (20), (18), (16), (14), (12), (10), (8)) AS l(level)"

# A person-place (0013: one person, one 25 m place) counts under a filter on
# one dimension (reasons, times or days) when any of its published `unsafe`
# reports has any of the chosen codes. `heat_code_places` keeps how many
# reports of each place carry each code; `heat_code_grid` counts the places of
# a cell by the set of codes they have in that dimension (`codes`, sorted), so
# a filter sums the rows whose set overlaps the chosen codes: a place is in
# exactly one row per dimension, so it is never counted twice.
DELTAS = """
SELECT c.dim, c.code, r.who, r.sx, r.sy, {n} AS n
FROM (SELECT COALESCE(reporter_hash, uuid_send(id)) AS who,
             round(ST_X(ST_PointOnSurface(geom_3006)) / 25)::integer AS sx,
             round(ST_Y(ST_PointOnSurface(geom_3006)) / 25)::integer AS sy,
             reasons, times, days
      FROM {rows} WHERE status = 'published' AND kind = 'unsafe') AS r
CROSS JOIN LATERAL (
    SELECT 'reasons', unnest(r.reasons) UNION ALL SELECT 'times', unnest(r.times)
    UNION ALL SELECT 'days', unnest(r.days)
) AS c(dim, code)
"""

# A place whose set of codes changed leaves the row of its old set and joins
# that of its new one. Old counts are read before the second statement adds
# the deltas; the places table is joined through its primary key, so a big
# statement stays linear (0014) whatever the plan of the first, small call.
MOVE = """
WITH d AS (
    SELECT dim, code, who, sx, sy, sum(n)::integer AS n FROM ({deltas}) AS t
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0
), places AS (
    SELECT DISTINCT dim, who, sx, sy FROM d
), counts AS (
    SELECT dim, who, sx, sy, code, sum(was) AS was, sum(n) AS n
    FROM (SELECT h.dim, h.who, h.sx, h.sy, h.code, h.reports AS was, 0 AS n
          FROM places p JOIN heat_code_places h USING (dim, who, sx, sy)
          UNION ALL SELECT dim, who, sx, sy, code, 0, n FROM d) AS u
    GROUP BY 1, 2, 3, 4, 5
), sets AS (
    SELECT dim, sx, sy,
           array_agg(code ORDER BY code) FILTER (WHERE was > 0) AS before,
           array_agg(code ORDER BY code) FILTER (WHERE was + n > 0) AS after
    FROM counts GROUP BY dim, who, sx, sy
), moves AS (
    SELECT dim, before AS codes, -1 AS people, sx, sy FROM sets
    WHERE before IS NOT NULL AND before IS DISTINCT FROM after
    UNION ALL
    SELECT dim, after, 1, sx, sy FROM sets
    WHERE after IS NOT NULL AND before IS DISTINCT FROM after
), placed AS (
    SELECT dim, codes, people,
           ST_Transform(ST_SetSRID(ST_MakePoint(sx * 25.0, sy * 25.0), 3006), 4326) AS w
    FROM moves
)
INSERT INTO heat_code_grid AS g (dim, level, gx, gy, codes, people, lon_sum, lat_sum)
SELECT e.dim, l.level, c.gx >> (20 - l.level), c.gy >> (20 - l.level), e.codes,
       sum(e.people)::integer, sum(e.people * ST_X(e.w)), sum(e.people * ST_Y(e.w))
FROM placed e CROSS JOIN LATERAL report_grid_cell(e.w) AS c CROSS JOIN {levels}
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (dim, level, gx, gy, codes) DO UPDATE
SET people = g.people + EXCLUDED.people, lon_sum = g.lon_sum + EXCLUDED.lon_sum,
    lat_sum = g.lat_sum + EXCLUDED.lat_sum
"""

COUNT = """
INSERT INTO heat_code_places AS h (dim, who, sx, sy, code, reports)
SELECT dim, who, sx, sy, code, sum(n)::integer FROM ({deltas}) AS t
GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (dim, who, sx, sy, code) DO UPDATE SET reports = h.reports + EXCLUDED.reports
"""

INSERTED = DELTAS.format(n=1, rows="new_rows")
DELETED = DELTAS.format(n=-1, rows="old_rows")


def _both(deltas: str) -> str:
    return f"{MOVE.format(deltas=deltas, levels=LEVELS)};\n{COUNT.format(deltas=deltas)}"


APPLY = f"""
CREATE FUNCTION heat_codes_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_both(INSERTED)};
    ELSIF TG_OP = 'DELETE' THEN
        {_both(DELETED)};
    ELSE
        {_both(f"{DELETED} UNION ALL {INSERTED}")};
    END IF;
    RETURN NULL;
END
$$
"""

CLEAR = """
CREATE FUNCTION heat_codes_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE heat_code_places;
    TRUNCATE heat_code_grid;
    RETURN NULL;
END
$$
"""

TRIGGERS = [
    "CREATE TRIGGER heat_codes_insert AFTER INSERT ON reports REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION heat_codes_apply()",
    "CREATE TRIGGER heat_codes_delete AFTER DELETE ON reports REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION heat_codes_apply()",
    "CREATE TRIGGER heat_codes_update AFTER UPDATE ON reports REFERENCING OLD TABLE AS "
    "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION heat_codes_apply()",
    "CREATE TRIGGER heat_codes_truncate AFTER TRUNCATE ON reports "
    "FOR EACH STATEMENT EXECUTE FUNCTION heat_codes_clear()",
]

BACKFILL_PLACES = f"""
INSERT INTO heat_code_places (dim, who, sx, sy, code, reports)
SELECT dim, who, sx, sy, code, count(*) FROM ({DELTAS.format(n=1, rows="reports")}) AS t
GROUP BY 1, 2, 3, 4, 5
"""

BACKFILL_GRID = f"""
INSERT INTO heat_code_grid (dim, level, gx, gy, codes, people, lon_sum, lat_sum)
SELECT s.dim, l.level, c.gx >> (20 - l.level), c.gy >> (20 - l.level), s.codes, count(*),
       sum(ST_X(w)), sum(ST_Y(w))
FROM (SELECT dim, sx, sy, array_agg(code ORDER BY code) AS codes
      FROM heat_code_places WHERE reports > 0 GROUP BY dim, who, sx, sy) AS s
CROSS JOIN LATERAL ST_Transform(ST_SetSRID(ST_MakePoint(s.sx * 25.0, s.sy * 25.0), 3006),
                                4326) AS w
CROSS JOIN LATERAL report_grid_cell(w) AS c CROSS JOIN {LEVELS}
GROUP BY 1, 2, 3, 4, 5
"""


def upgrade() -> None:
    op.create_table(
        "heat_code_places",
        sa.Column("dim", sa.Text(), nullable=False),
        sa.Column("who", sa.LargeBinary(), nullable=False),
        sa.Column("sx", sa.Integer(), nullable=False),
        sa.Column("sy", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dim", "who", "sx", "sy", "code", name=op.f("pk_heat_code_places")),
    )
    op.create_table(
        "heat_code_grid",
        sa.Column("dim", sa.Text(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("gx", sa.Integer(), nullable=False),
        sa.Column("gy", sa.Integer(), nullable=False),
        sa.Column("codes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("lon_sum", postgresql.DOUBLE_PRECISION(), nullable=False),
        sa.Column("lat_sum", postgresql.DOUBLE_PRECISION(), nullable=False),
        sa.PrimaryKeyConstraint(
            "dim", "level", "gx", "gy", "codes", name=op.f("pk_heat_code_grid")
        ),
    )
    # No report may fall between the backfill and the triggers' first run.
    op.execute("LOCK TABLE reports IN SHARE ROW EXCLUSIVE MODE")
    op.execute(APPLY)
    op.execute(CLEAR)
    for trigger in TRIGGERS:
        op.execute(trigger)
    op.execute(BACKFILL_PLACES)
    op.execute(BACKFILL_GRID)


def downgrade() -> None:
    for name in ("insert", "delete", "update", "truncate"):
        op.execute(f"DROP TRIGGER heat_codes_{name} ON reports")
    op.execute("DROP FUNCTION heat_codes_clear()")
    op.execute("DROP FUNCTION heat_codes_apply()")
    op.drop_table("heat_code_grid")
    op.drop_table("heat_code_places")
