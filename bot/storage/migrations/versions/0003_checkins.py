"""Check-ins, sessions and safeguarding alerts.

Revision ID: 0003_checkins
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_checkins"
down_revision = "0001_core"
branch_labels = ("checkins",)
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "checkinplan",
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("at_time", sa.String(5), nullable=True),
        sa.Column("anchor", sa.Date(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "checkin",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("send_at", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("contact_wanted", sa.Boolean(), nullable=True),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("member_id", "due_at", name="uq_checkin_member_due"),
    )
    op.create_index("ix_checkin_member_id", "checkin", ["member_id"])
    op.create_index("ix_checkin_send_at", "checkin", ["send_at"])
    op.create_index("ix_checkin_status", "checkin", ["status"])
    op.create_table(
        "projectgroup",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("name", name="uq_projectgroup_name"),
    )
    op.create_table(
        "groupmember",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("projectgroup.id"), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("added_at", TS, nullable=False),
    )
    op.create_table(
        "groupsession",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("link", sa.String(500), nullable=True),
        sa.Column("place", sa.String(300), nullable=True),
        sa.Column("access_info", sa.String(500), nullable=True),
        sa.Column("prepare", sa.String(1000), nullable=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("projectgroup.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_groupsession_starts_at", "groupsession", ["starts_at"])
    op.create_table(
        "sessionrsvp",
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("groupsession.id"),
                  primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "sessionreminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("groupsession.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("send_at", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("fired_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("session_id", "member_id", "offset_minutes", "due_at",
                            name="uq_reminder_once"),
    )
    op.create_index("ix_sessionreminder_session_id", "sessionreminder", ["session_id"])
    op.create_index("ix_sessionreminder_member_id", "sessionreminder", ["member_id"])
    op.create_index("ix_sessionreminder_send_at", "sessionreminder", ["send_at"])
    op.create_index("ix_sessionreminder_status", "sessionreminder", ["status"])
    op.create_table(
        "safeguardingalert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("checkin_id", sa.Integer(), sa.ForeignKey("checkin.id"), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=True),
        sa.Column("said", sa.String(1000), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("notified", sa.JSON(), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("acknowledged_at", TS, nullable=True),
        sa.Column("next_escalation_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
    )
    op.create_index("ix_safeguardingalert_member_id", "safeguardingalert", ["member_id"])
    op.create_index("ix_safeguardingalert_status", "safeguardingalert", ["status"])
    op.create_index("ix_safeguardingalert_next_escalation_at", "safeguardingalert",
                    ["next_escalation_at"])
    op.create_table(
        "safeguardingnote",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("safeguardingalert.id"),
                  nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_safeguardingnote_alert_id", "safeguardingnote", ["alert_id"])


def downgrade() -> None:
    op.drop_table("safeguardingnote")
    op.drop_table("safeguardingalert")
    op.drop_table("sessionreminder")
    op.drop_table("sessionrsvp")
    op.drop_table("groupsession")
    op.drop_table("groupmember")
    op.drop_table("projectgroup")
    op.drop_table("checkin")
    op.drop_table("checkinplan")
