"""staff users, sessions, tokens, audit log, rate limits, moderation

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import geoalchemy2  # noqa: F401
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit log is append-only: even the service's own role cannot change or
# delete an entry (TRUNCATE by the owner stays possible for test databases).
APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('via', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index('ix_audit_log_action', 'audit_log', ['action'], unique=False)
    op.create_index('ix_audit_log_at', 'audit_log', ['at'], unique=False)
    op.create_table('rate_counters',
    sa.Column('key_hash', sa.LargeBinary(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hits', sa.Integer(), server_default='0', nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key_hash', 'window_start', name=op.f('pk_rate_counters')),
    # Unlogged: no WAL and no fsync per report; losing counters in a crash is fine.
    prefixes=['UNLOGGED'],
    )
    op.create_index('ix_rate_counters_expires_at', 'rate_counters', ['expires_at'], unique=False)
    op.create_table('reporter_first_seen',
    sa.Column('reporter_hash', sa.LargeBinary(), nullable=False),
    sa.Column('address_hash', sa.LargeBinary(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('reporter_hash', name=op.f('pk_reporter_first_seen')),
    # Unlogged: no WAL and no fsync per report; losing counters in a crash is fine.
    prefixes=['UNLOGGED'],
    )
    op.create_index('ix_reporter_first_seen_address_hash', 'reporter_first_seen', ['address_hash'], unique=False)
    op.create_index('ix_reporter_first_seen_first_seen_at', 'reporter_first_seen', ['first_seen_at'], unique=False)
    op.create_table('staff_users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('roles', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("email = lower(email) AND position('@' in email) > 1", name=op.f('ck_staff_users_email')),
    sa.CheckConstraint("roles <@ ARRAY['police', 'planner', 'moderator', 'admin']::text[]", name=op.f('ck_staff_users_roles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users'))
    )
    op.create_index('uq_staff_users_email', 'staff_users', ['email'], unique=True)
    op.create_table('api_tokens',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.LargeBinary(), nullable=False),
    sa.Column('name', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_api_tokens_user_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens'))
    )
    op.create_index('ix_api_tokens_user_id', 'api_tokens', ['user_id'], unique=False)
    op.create_index('uq_api_tokens_token_hash', 'api_tokens', ['token_hash'], unique=True)
    op.create_table('staff_sessions',
    sa.Column('id_hash', sa.LargeBinary(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_user_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_staff_sessions'))
    )
    op.create_index('ix_staff_sessions_expires_at', 'staff_sessions', ['expires_at'], unique=False)
    op.create_index('ix_staff_sessions_user_id', 'staff_sessions', ['user_id'], unique=False)
    op.create_table('moderation_actions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('previous', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('reverted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("action IN ('approve', 'redact', 'hide', 'unhide', 'reject_text')", name=op.f('ck_moderation_actions_action')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_moderation_actions_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_actions'))
    )
    op.create_index('ix_moderation_actions_report_id', 'moderation_actions', ['report_id'], unique=False)
    op.execute(APPEND_ONLY)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index('ix_moderation_actions_report_id', table_name='moderation_actions')
    op.drop_table('moderation_actions')
    op.drop_index('ix_staff_sessions_user_id', table_name='staff_sessions')
    op.drop_index('ix_staff_sessions_expires_at', table_name='staff_sessions')
    op.drop_table('staff_sessions')
    op.drop_index('uq_api_tokens_token_hash', table_name='api_tokens')
    op.drop_index('ix_api_tokens_user_id', table_name='api_tokens')
    op.drop_table('api_tokens')
    op.drop_index('uq_staff_users_email', table_name='staff_users')
    op.drop_table('staff_users')
    op.drop_index('ix_reporter_first_seen_first_seen_at', table_name='reporter_first_seen')
    op.drop_index('ix_reporter_first_seen_address_hash', table_name='reporter_first_seen')
    op.drop_table('reporter_first_seen')
    op.drop_index('ix_rate_counters_expires_at', table_name='rate_counters')
    op.drop_table('rate_counters')
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_index('ix_audit_log_action', table_name='audit_log')
    op.drop_table('audit_log')
