"""ogc report features: each report's GeoJSON pieces kept by triggers

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An OGC items page of staff reports spent most of its time building JSON:
# json_build_object of 13 properties and ST_AsGeoJSON, for every row of every
# page (EXPLAIN ANALYZE, 100 rows: ~13 ms of a 15 ms statement). The text is
# built once, when a report is written, and a page joins the stored pieces.
# The properties are exactly what app/repo/ogc.py served before; free text
# only once released by a moderator ('approved', 'redacted': RELEASED in
# app/repo/moderation.py). Times in UTC whatever the writing session's zone,
# so the stored text never depends on who wrote it.
PROPERTIES = """json_build_object('created_at', r.created_at, 'channel', r.channel,
    'status', r.status, 'text_status', r.text_status, 'kind', r.kind,
    'severity', r.severity, 'reasons', r.reasons, 'times', r.times, 'days', r.days,
    'dark_season', r.dark_season, 'avoids_place', r.avoids_place,
    'description', CASE WHEN r.text_status IN ('approved', 'redacted') THEN r.description END,
    'suggestion', CASE WHEN r.text_status IN ('approved', 'redacted') THEN r.suggestion END)::text"""
GEOMETRY = "ST_AsGeoJSON(r.geom, 7)"

UPSERT = f"""
INSERT INTO report_features (id, properties, geometry)
SELECT r.id, {PROPERTIES}, {GEOMETRY} FROM {{source}} r
ON CONFLICT (id) DO UPDATE
SET properties = EXCLUDED.properties, geometry = EXCLUDED.geometry
"""

APPLY = f"""
CREATE FUNCTION report_features_apply() RETURNS trigger LANGUAGE plpgsql
SET TimeZone = 'UTC' AS $$
BEGIN
    {UPSERT.format(source="new_rows")};
    RETURN NULL;
END
$$
"""

# One statement per INSERT or UPDATE statement on reports (a batch of filed
# reports, an import, a moderation): no per-row trigger. Deletes and
# TRUNCATE ... CASCADE go through the foreign key.
TRIGGERS = [
    "CREATE TRIGGER report_features_insert AFTER INSERT ON reports REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_features_apply()",
    "CREATE TRIGGER report_features_update AFTER UPDATE ON reports REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_features_apply()",
]


def upgrade() -> None:
    op.create_table(
        "report_features",
        sa.Column(
            "id",
            sa.Uuid(),
            sa.ForeignKey(
                "reports.id",
                name=op.f("fk_report_features_id_reports"),
                ondelete="CASCADE",
                onupdate="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("properties", sa.Text(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_features")),
    )
    op.execute(APPLY)
    # Triggers first: they lock out writers until this migration commits, so
    # no report falls between the backfill and the first trigger run.
    for trigger in TRIGGERS:
        op.execute(trigger)
    op.execute("SET LOCAL TimeZone = 'UTC'")
    op.execute(UPSERT.format(source="reports"))


def downgrade() -> None:
    for name in ("insert", "update"):
        op.execute(f"DROP TRIGGER report_features_{name} ON reports")
    op.execute("DROP FUNCTION report_features_apply()")
    op.drop_table("report_features")
