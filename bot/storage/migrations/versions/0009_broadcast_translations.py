"""Co-produced translations of broadcasts, and who offered to translate.

Revision ID: 0009_broadcast_translations
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_broadcast_translations"
down_revision = "0001_core"
branch_labels = ("broadcast_translations",)
# The new rows point at broadcasts and payments, so those tables come first.
depends_on = ("0006_broadcasts", "0004_payments")

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "translatorlanguage",
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("language", sa.String(16), primary_key=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "broadcasttranslation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("broadcast_id", sa.Integer(), sa.ForeignKey("broadcast.id"), nullable=False),
        sa.Column("source_language", sa.String(16), nullable=False),
        sa.Column("target_language", sa.String(16), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("requested_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("payment.id"), nullable=True),
        sa.UniqueConstraint("broadcast_id", "target_language", "member_id",
                            name="uq_broadcasttranslation_member"),
    )
    op.create_index("ix_broadcasttranslation_broadcast_id", "broadcasttranslation",
                    ["broadcast_id"])
    op.create_index("ix_broadcasttranslation_member_id", "broadcasttranslation", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_broadcasttranslation_member_id", table_name="broadcasttranslation")
    op.drop_index("ix_broadcasttranslation_broadcast_id", table_name="broadcasttranslation")
    op.drop_table("broadcasttranslation")
    op.drop_table("translatorlanguage")
