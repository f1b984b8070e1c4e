"""Feedback search: a trigram index that also sees which words are next to each other.

pg_trgm splits text into words at spaces, so the index from 0010 could not
tell "the bus was late" from "late ... was ... bus": a phrase of common words
("bus was late") matched thousands of candidate rows, each rechecked on the
heap (p95 ~230 ms at a million rows). This index is on the text with every
space turned into '0' (a character pg_trgm keeps inside words in every
locale), so trigrams span the spaces ("s0w", "s0l") and a phrase narrows the
candidates to a few hundred. The query applies the same translate() to its
pattern and then checks the real substring, so results are unchanged.
It replaces ix_feedbackitem_text_trgm (same job, one index to keep up to date).

Revision ID: 0012_feedback_search
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_feedback_search"
down_revision = "0001_core"
branch_labels = ("feedback_search",)
depends_on = ("0010_feedback_scale",)

# Keep in step with bot.storage.feedback_models.SEARCH_SEPARATOR.
WORDS_INDEX = ("CREATE INDEX ix_feedbackitem_text_words_trgm ON feedbackitem "
               "USING gin (translate(lower(text), ' ', '0') \"{schema}\".gin_trgm_ops)")
OLD_INDEX = ('CREATE INDEX ix_feedbackitem_text_trgm ON feedbackitem '
             'USING gin (lower(text) "{schema}".gin_trgm_ops)')


def _trgm_schema(bind: sa.engine.Connection) -> str | None:
    """Where pg_trgm lives; None when 0010 could not install it (search then scans)."""
    found = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'")).scalar()
    return str(found) if found else None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or (schema := _trgm_schema(bind)) is None:
        return
    op.execute(WORDS_INDEX.format(schema=schema))
    # A fine sample, so the planner tells a phrase matching thousands of rows
    # (walk the newest-first index) from a rare one (use this index).
    op.execute("ALTER INDEX ix_feedbackitem_text_words_trgm ALTER COLUMN 1 SET STATISTICS 1000")
    op.execute("DROP INDEX IF EXISTS ix_feedbackitem_text_trgm")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or (schema := _trgm_schema(bind)) is None:
        return
    op.execute("DROP INDEX IF EXISTS ix_feedbackitem_text_words_trgm")
    op.execute(OLD_INDEX.format(schema=schema))
    op.execute("ALTER INDEX ix_feedbackitem_text_trgm ALTER COLUMN 1 SET STATISTICS 1000")
