"""Payments: rate cards, payments, expenses, the append-only ledger.

Triggers make the ledger append-only for every database client, not just
our ORM: an UPDATE or DELETE fails unless the same transaction holds a row
in `paymentledgerunlock` (erasure and retention only).

Revision ID: 0004_payments
Revises: 0001_core
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_payments"
down_revision = "0001_core"
branch_labels = ("payments",)
depends_on = None

GUARDED = ("paymentratecard", "payment", "paymentexpense", "paymentevent")
MONEY = sa.Numeric(12, 2)

PG_FUNCTION = """
CREATE FUNCTION payment_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM paymentledgerunlock) THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'payment ledger is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END
$$;
"""

SQLITE_TRIGGER = (
    "CREATE TRIGGER {table}_no_{name} BEFORE {action} ON {table} "
    "WHEN NOT EXISTS (SELECT 1 FROM paymentledgerunlock) "
    "BEGIN SELECT RAISE(ABORT, 'payment ledger is append-only'); END"
)


def upgrade() -> None:
    op.create_table(
        "paymentratecard",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("rates", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("organisation", "version", name="uq_paymentratecard_org_version"),
    )
    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("member_pseudonym", sa.String(64), nullable=True),
        sa.Column("activity", sa.String(32), nullable=False),
        sa.Column("activity_date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(6, 2), nullable=True),
        sa.Column("hourly_rate", MONEY, nullable=True),
        sa.Column("fixed_fee", MONEY, nullable=True),
        sa.Column("fee_full", MONEY, nullable=False),
        sa.Column("fee_amount", MONEY, nullable=False),
        sa.Column("choice", sa.String(16), nullable=False),
        sa.Column("choice_reason", sa.String(32), nullable=True),
        sa.Column("expenses_total", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("rate_card_version", sa.String(32), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_payment_idempotency_key"),
    )
    op.create_index("ix_payment_member_id", "payment", ["member_id"])
    op.create_table(
        "paymentexpense",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("payment.id"), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("receipt", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_paymentexpense_payment_id", "paymentexpense", ["payment_id"])
    op.create_table(
        "paymentevent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("payment.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("fee_delta", MONEY, nullable=False),
        sa.Column("expenses_delta", MONEY, nullable=False),
        sa.Column("paid_amount", MONEY, nullable=True),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("actor_pseudonym", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_paymentevent_key"),
    )
    op.create_index("ix_paymentevent_payment_id", "paymentevent", ["payment_id"])
    op.create_index("ix_paymentevent_actor_member_id", "paymentevent", ["actor_member_id"])
    op.create_table(
        "paymentledgerunlock",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    _create_guards()


def _create_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in GUARDED:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION payment_ledger_append_only()"
            )
        return
    for table in GUARDED:  # constant names, no input: safe to format
        for action in ("UPDATE", "DELETE"):
            op.execute(SQLITE_TRIGGER.format(table=table, action=action,
                                             name=action.lower()))


def downgrade() -> None:
    op.drop_index("ix_paymentevent_actor_member_id", table_name="paymentevent")
    op.drop_index("ix_paymentevent_payment_id", table_name="paymentevent")
    op.drop_table("paymentevent")
    op.drop_index("ix_paymentexpense_payment_id", table_name="paymentexpense")
    op.drop_table("paymentexpense")
    op.drop_index("ix_payment_member_id", table_name="payment")
    op.drop_table("payment")
    op.drop_table("paymentratecard")
    op.drop_table("paymentledgerunlock")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS payment_ledger_append_only()")
