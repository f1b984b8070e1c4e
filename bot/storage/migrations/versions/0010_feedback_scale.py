"""Feedback log at scale: indexes for the newest-first page, tags and free text.

With a million feedback rows the staff log must still open in well under a
second. The newest-first page walks (given_on, id). On PostgreSQL the tag
filter uses a GIN index on the tags as JSONB (`@>`), and free-text search a
trigram index on lower(text) (pg_trgm) so `LIKE '%words%'` needs no full
scan. pg_trgm is a trusted extension; when it cannot be installed, the
trigram index is left out and search still works, only slower.

Revision ID: 0010_feedback_scale
Revises: 0001_core
Create Date: 2026-11-25
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0010_feedback_scale"
down_revision = "0001_core"
branch_labels = ("feedback_scale",)
depends_on = ("0005_feedback",)

log = logging.getLogger(__name__)


def _installed(bind: sa.engine.Connection) -> str | None:
    found = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'")).scalar()
    return str(found) if found else None


def _trgm_schema(bind: sa.engine.Connection) -> str | None:
    """The schema pg_trgm lives in, installing it (into public) when we may."""
    if found := _installed(bind):
        return found
    available = bind.execute(sa.text(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar()
    if not available:
        return None
    has_public = bind.execute(sa.text(
        "SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).scalar()
    target = "public" if has_public else str(bind.execute(sa.text("SELECT current_schema()"))
                                             .scalar())
    try:
        with bind.begin_nested():  # a refusal must not abort the whole upgrade
            bind.execute(sa.text(f'CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA "{target}"'))
    except sa.exc.DBAPIError as exc:
        found = _installed(bind)  # another process may have just installed it
        if found is None:
            log.warning("pg_trgm not installed (%s); free-text search will scan",
                        type(exc).__name__)
        return found
    return target


def upgrade() -> None:
    op.create_index("ix_feedbackitem_given_on_id", "feedbackitem", ["given_on", "id"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_feedbackitem_tags_gin ON feedbackitem "
               "USING gin ((tags::jsonb) jsonb_path_ops)")
    schema = _trgm_schema(bind)
    if schema is not None:
        op.execute(f'CREATE INDEX ix_feedbackitem_text_trgm ON feedbackitem '
                   f'USING gin (lower(text) "{schema}".gin_trgm_ops)')
        # A finer sample of lower(text), so the planner can tell a phrase matching
        # thousands of rows (walk the newest-first index) from a rare one (use this).
        op.execute("ALTER INDEX ix_feedbackitem_text_trgm ALTER COLUMN 1 SET STATISTICS 1000")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_feedbackitem_text_trgm")
        op.execute("DROP INDEX IF EXISTS ix_feedbackitem_tags_gin")
    op.drop_index("ix_feedbackitem_given_on_id", table_name="feedbackitem")
