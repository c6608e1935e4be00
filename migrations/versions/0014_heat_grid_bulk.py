"""Heat grid trigger in linear time for bulk statements (COPY of an import, purge, erasure)

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0013's trigger paired each person-place's delta with its upserted count by a
# join of two CTEs. A transition table has no statistics, and PL/pgSQL keeps
# the plan of the function's first call (often one API report), so that join
# ran as a nested loop: quadratic in the rows of one statement. An import of
# 20,000 reports spent minutes there and hit the statement timeout. The two
# sets are now paired by one aggregate over their union (each key is once in
# each), which is a sort or a hash whatever the estimates.

LEVELS = "(VALUES (20), (18), (16), (14), (12), (10), (8)) AS l(level)"

DELTAS = """
SELECT COALESCE(reporter_hash, uuid_send(id)) AS who,
       round(ST_X(ST_PointOnSurface(geom_3006)) / 25)::integer AS sx,
       round(ST_Y(ST_PointOnSurface(geom_3006)) / 25)::integer AS sy, {n} AS n
FROM {rows} WHERE status = 'published' AND kind = 'unsafe'
"""

HEAT_HEAD = """
WITH d AS (
    SELECT who, sx, sy, sum(n)::integer AS n FROM ({deltas}) AS t
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0
), placed AS (
    INSERT INTO heat_places AS h (who, sx, sy, reports)
    SELECT who, sx, sy, n FROM d ORDER BY 1, 2, 3
    ON CONFLICT (who, sx, sy) DO UPDATE SET reports = h.reports + EXCLUDED.reports
    RETURNING h.who, h.sx, h.sy, h.reports
)"""

# 0013: a join of the two CTEs (quadratic when planned as a nested loop).
OLD_CROSSED = """, crossed AS (
    -- Each key comes once, so the new count equals the delta only when it was 0.
    SELECT CASE WHEN p.reports = d.n AND d.n > 0 THEN 1
                WHEN p.reports = 0 AND d.n < 0 THEN -1 END AS people,
           ST_Transform(ST_SetSRID(ST_MakePoint(p.sx * 25.0, p.sy * 25.0), 3006), 4326) AS w
    FROM placed p JOIN d USING (who, sx, sy)
)"""

# Each key is once in d and once in placed: one aggregate pairs its delta with
# its new count. The new count equals the delta only when it was 0; only
# places whose count crossed zero add or remove a person.
CROSSED = """, paired AS (
    SELECT sx, sy, sum(n) AS n, sum(reports) AS reports
    FROM (SELECT who, sx, sy, n, 0 AS reports FROM d
          UNION ALL SELECT who, sx, sy, 0, reports FROM placed) AS u
    GROUP BY who, sx, sy
), crossed AS (
    SELECT CASE WHEN n > 0 THEN 1 ELSE -1 END AS people,
           ST_Transform(ST_SetSRID(ST_MakePoint(sx * 25.0, sy * 25.0), 3006), 4326) AS w
    FROM paired WHERE (reports = n AND n > 0) OR (reports = 0 AND n < 0)
)"""

HEAT_TAIL = """
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

# The report grid's upsert and version bump, unchanged from 0013.
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


def _apply(crossed: str) -> str:
    def grid(deltas: str) -> str:
        return GRID_UPSERT.format(deltas=deltas, levels=GRID_LEVELS)

    def heat(deltas: str) -> str:
        return (HEAT_HEAD + crossed + HEAT_TAIL).format(deltas=deltas, levels=LEVELS)

    return f"""
CREATE OR REPLACE FUNCTION report_grid_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        {grid(GRID_INSERTED)};
        {BUMP}
        {heat(INSERTED)};
    ELSIF TG_OP = 'DELETE' THEN
        {grid(GRID_DELETED)};
        {BUMP}
        {heat(DELETED)};
    ELSE
        {grid(f"{GRID_DELETED} UNION ALL {GRID_INSERTED}")};
        {BUMP}
        {heat(f"{DELETED} UNION ALL {INSERTED}")};
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    # Replacing the function waits for writers of reports and keeps them out
    # until this migration commits; the counts it maintains do not change.
    op.execute(_apply(CROSSED))


def downgrade() -> None:
    op.execute(_apply(OLD_CROSSED))
