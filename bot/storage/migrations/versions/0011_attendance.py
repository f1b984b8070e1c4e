"""Session attendance: who really came, marked by staff.

Revision ID: 0011_attendance
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_attendance"
down_revision = "0001_core"
branch_labels = ("attendance",)
depends_on = ("0003_checkins",)  # groupsession lives there

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sessionattendance",
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("groupsession.id"), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_index("ix_sessionattendance_member_id", "sessionattendance", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_sessionattendance_member_id", table_name="sessionattendance")
    op.drop_table("sessionattendance")
