"""Onboarding: profiles, the consent ledger, one-time codes and code attempts.

Revision ID: 0002_onboarding
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_onboarding"
down_revision = "0001_core"
branch_labels = ("onboarding",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile",
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("pronouns", sa.String(40), nullable=True),
        sa.Column("introduce_as", sa.String(16), nullable=True),
        sa.Column("introduce_as_text", sa.String(200), nullable=True),
        sa.Column("checkin_frequency", sa.String(16), nullable=True),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("needs_other", sa.String(300), nullable=True),
        sa.Column("ways_to_take_part", sa.JSON(), nullable=False),
        sa.Column("payment_preference", sa.String(16), nullable=True),
        sa.Column("onboarding_step", sa.String(32), nullable=True),
        sa.Column("onboarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "consentrecord",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("wording_version", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_consentrecord_member_id", "consentrecord", ["member_id"])
    op.create_table(
        "onetimecode",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("code_hash", name="uq_onetimecode_hash"),
    )
    op.create_index("ix_onetimecode_member_id", "onetimecode", ["member_id"])
    op.create_table(
        "codeattempts",
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("codeattempts")
    op.drop_index("ix_onetimecode_member_id", table_name="onetimecode")
    op.drop_table("onetimecode")
    op.drop_index("ix_consentrecord_member_id", table_name="consentrecord")
    op.drop_table("consentrecord")
    op.drop_table("profile")
