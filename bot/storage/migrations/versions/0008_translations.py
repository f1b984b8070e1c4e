"""Translation reviews: approvals and corrections, the basis for paying reviewers.

Revision ID: 0008_translations
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_translations"
down_revision = "0001_core"
branch_labels = ("translations",)
depends_on = None

TS = sa.DateTime(timezone=True)
INDEXED = ("lang", "reviewer", "member_id", "sitting")


def upgrade() -> None:
    op.create_table(
        "translationreview",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("msgid", sa.Text(), nullable=False),
        sa.Column("msgctxt", sa.String(64), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("old_forms", sa.JSON(), nullable=True),
        sa.Column("new_forms", sa.JSON(), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("sitting", sa.String(32), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    for name in INDEXED:
        op.create_index(f"ix_translationreview_{name}", "translationreview", [name])


def downgrade() -> None:
    for name in INDEXED:
        op.drop_index(f"ix_translationreview_{name}", table_name="translationreview")
    op.drop_table("translationreview")
