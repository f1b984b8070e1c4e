"""Broadcasts (learning updates) and their recipients.

Revision ID: 0006_broadcasts
Revises: 0001_core
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_broadcasts"
down_revision = "0001_core"
branch_labels = ("broadcasts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("default_language", sa.String(16), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_broadcast_status", "broadcast", ["status"])
    op.create_table(
        "broadcastrecipient",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("broadcast_id", sa.Integer(), sa.ForeignKey("broadcast.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("text_language", sa.String(16), nullable=False),
        sa.Column("platform", sa.String(16), nullable=True),
        sa.Column(
            "outbox_id", sa.Integer(), sa.ForeignKey("outboxmessage.id"), nullable=True
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("broadcast_id", "member_id", name="uq_broadcastrecipient_member"),
    )
    op.create_index("ix_broadcastrecipient_member_id", "broadcastrecipient", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_broadcastrecipient_member_id", table_name="broadcastrecipient")
    op.drop_table("broadcastrecipient")
    op.drop_index("ix_broadcast_status", table_name="broadcast")
    op.drop_table("broadcast")
