"""Feedback: requests, items (answers and free feedback) and answer markers.

Revision ID: 0005_feedback
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_feedback"
down_revision = "0001_core"
branch_labels = ("feedback",)
depends_on = None

# Random item ids: BIGINT on PostgreSQL, INTEGER (the rowid itself) on SQLite.
ITEM_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "feedbackrequest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("auto_send", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_feedbackrequest_session_id", "feedbackrequest", ["session_id"])
    op.create_index("ix_feedbackrequest_status", "feedbackrequest", ["status"])
    op.create_table(
        "feedbackitem",
        sa.Column("id", ITEM_ID, primary_key=True, autoincrement=False),
        sa.Column(
            "request_id", sa.Integer(), sa.ForeignKey("feedbackrequest.id"), nullable=True
        ),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.String(500), nullable=True),
        sa.Column("public_response", sa.String(500), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_feedbackitem_request_id", "feedbackitem", ["request_id"])
    op.create_index("ix_feedbackitem_member_id", "feedbackitem", ["member_id"])
    op.create_index("ix_feedbackitem_session_id", "feedbackitem", ["session_id"])
    op.create_index("ix_feedbackitem_given_on", "feedbackitem", ["given_on"])
    op.create_index("ix_feedbackitem_status", "feedbackitem", ["status"])
    op.create_table(
        "feedbackanswered",
        sa.Column(
            "request_id", sa.Integer(), sa.ForeignKey("feedbackrequest.id"), primary_key=True
        ),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("feedbackanswered")
    for name in ("status", "given_on", "session_id", "member_id", "request_id"):
        op.drop_index(f"ix_feedbackitem_{name}", table_name="feedbackitem")
    op.drop_table("feedbackitem")
    op.drop_index("ix_feedbackrequest_status", table_name="feedbackrequest")
    op.drop_index("ix_feedbackrequest_session_id", table_name="feedbackrequest")
    op.drop_table("feedbackrequest")
