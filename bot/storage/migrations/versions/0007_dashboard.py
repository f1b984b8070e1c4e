"""Staff dashboard: login links, web sessions, passwords, audit log, login attempts.

Revision ID: 0007_dashboard
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_dashboard"
down_revision = "0001_core"
branch_labels = ("dashboard",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboardlogintoken",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_dashboardlogintoken_hash"),
    )
    op.create_index("ix_dashboardlogintoken_member_id", "dashboardlogintoken", ["member_id"])
    op.create_table(
        "dashboardsession",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_dashboardsession_hash"),
    )
    op.create_index("ix_dashboardsession_member_id", "dashboardsession", ["member_id"])
    op.create_table(
        "dashboardpassword",
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("username", name="uq_dashboardpassword_username"),
    )
    op.create_table(
        "dashboardauditlog",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_dashboardauditlog_at", "dashboardauditlog", ["at"])
    op.create_index("ix_dashboardauditlog_actor_id", "dashboardauditlog", ["actor_id"])
    op.create_index("ix_dashboardauditlog_subject_id", "dashboardauditlog", ["subject_id"])
    op.create_table(
        "dashboardloginattempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dashboardloginattempt_key_hash", "dashboardloginattempt", ["key_hash"])
    op.create_index("ix_dashboardloginattempt_at", "dashboardloginattempt", ["at"])


def downgrade() -> None:
    op.drop_index("ix_dashboardloginattempt_at", table_name="dashboardloginattempt")
    op.drop_index("ix_dashboardloginattempt_key_hash", table_name="dashboardloginattempt")
    op.drop_table("dashboardloginattempt")
    op.drop_index("ix_dashboardauditlog_subject_id", table_name="dashboardauditlog")
    op.drop_index("ix_dashboardauditlog_actor_id", table_name="dashboardauditlog")
    op.drop_index("ix_dashboardauditlog_at", table_name="dashboardauditlog")
    op.drop_table("dashboardauditlog")
    op.drop_table("dashboardpassword")
    op.drop_index("ix_dashboardsession_member_id", table_name="dashboardsession")
    op.drop_table("dashboardsession")
    op.drop_index("ix_dashboardlogintoken_member_id", table_name="dashboardlogintoken")
    op.drop_table("dashboardlogintoken")
