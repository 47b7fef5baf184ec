"""Receivables (charges, payments, allocations, credit notes, refunds, deposits, document numbers) and
banking (our accounts, statement profiles, statements and their lines, reconciliation decisions); the
templates' billing lead days.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_profiles")),
        sa.UniqueConstraint("code", name=op.f("uq_bank_profiles_code")),
    )
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("bank_name", sa.String(length=100), nullable=False),
        sa.Column("account_number", sa.String(length=64), nullable=False),
        sa.Column("account_name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("profile_code", sa.String(length=32), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_bank_accounts_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_bank_accounts_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
        sa.UniqueConstraint("account_number", name=op.f("uq_bank_accounts_account_number")),
    )
    with op.batch_alter_table("bank_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_accounts_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bank_accounts_region_id"), ["region_id"], unique=False)

    op.create_table(
        "document_sequences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_document_sequences_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_sequences")),
        sa.UniqueConstraint(
            "project_id", "series", "period", name=op.f("uq_document_sequences_project_id_series_period")
        ),
    )
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_account_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("profile_code", sa.String(length=32), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("opening_balance", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("closing_balance", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total_credits", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("total_debits", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_statements_bank_account_id_bank_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["users.id"],
            name=op.f("fk_bank_statements_imported_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
        sa.UniqueConstraint(
            "bank_account_id", "sha256", name=op.f("uq_bank_statements_bank_account_id_sha256")
        ),
    )
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_statements_bank_account_id"), ["bank_account_id"], unique=False
        )

    op.create_table(
        "charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "rent",
                "service_fee",
                "parking",
                "other",
                "one_off",
                "adjustment",
                "late_fee",
                name="chargekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("gross", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("concessions", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_charges_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_charges_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_charges_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_charges_lease_id_leases"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_charges_project_id_projects"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint("number", name=op.f("uq_charges_number")),
    )
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.create_index("ix_charges_customer_id_due_date", ["customer_id", "due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_charges_lease_id"), ["lease_id"], unique=False)
        batch_op.create_index("ix_charges_project_id_due_date", ["project_id", "due_date"], unique=False)

    op.create_table(
        "deposits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("required", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_deposits_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_deposits_lease_id_leases"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_deposits_project_id_projects"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposits")),
        sa.UniqueConstraint("lease_id", name=op.f("uq_deposits_lease_id")),
    )
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deposits_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deposits_project_id"), ["project_id"], unique=False)

    op.create_table(
        "bank_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("bank_account_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("value_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("counterparty_name", sa.String(length=200), nullable=True),
        sa.Column("counterparty_account", sa.String(length=64), nullable=True),
        sa.Column("counterparty_bank", sa.String(length=200), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=True),
        sa.Column("bank_reference", sa.String(length=100), nullable=True),
        sa.Column("balance_after", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "unmatched", "matched", "ignored", "outgoing", name="linestate", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_lines_bank_account_id_bank_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name=op.f("fk_bank_lines_statement_id_bank_statements"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_lines")),
    )
    with op.batch_alter_table("bank_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bank_lines_bank_account_id_dedupe_key", ["bank_account_id", "dedupe_key"], unique=False
        )
        batch_op.create_index(
            "ix_bank_lines_bank_account_id_state_booked_on",
            ["bank_account_id", "state", "booked_on"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_bank_lines_statement_id"), ["statement_id"], unique=False)

    op.create_table(
        "charge_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charge_id", sa.Integer(), nullable=True),
        sa.Column("schedule_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_charge_items_charge_id_charges"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["schedule_item_id"],
            ["schedule_items.id"],
            name=op.f("fk_charge_items_schedule_item_id_schedule_items"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charge_items")),
        sa.UniqueConstraint("schedule_item_id", name=op.f("uq_charge_items_schedule_item_id")),
    )
    with op.batch_alter_table("charge_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charge_items_charge_id"), ["charge_id"], unique=False)

    op.create_table(
        "credit_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("schedule_item_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_credit_notes_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_credit_notes_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_credit_notes_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_credit_notes_lease_id_leases"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_credit_notes_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_item_id"],
            ["schedule_items.id"],
            name=op.f("fk_credit_notes_schedule_item_id_schedule_items"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_notes")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_notes_number")),
        sa.UniqueConstraint("schedule_item_id", name=op.f("uq_credit_notes_schedule_item_id")),
    )
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_notes_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_notes_project_id"), ["project_id"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("bank", "cash", "deposit", name="paymentmethod", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("fee", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("payer_name", sa.String(length=200), nullable=True),
        sa.Column("bank_line_id", sa.Integer(), nullable=True),
        sa.Column("deposit_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["bank_line_id"],
            ["bank_lines.id"],
            name=op.f("fk_payments_bank_line_id_bank_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_payments_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_payments_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["deposit_id"], ["deposits.id"], name=op.f("fk_payments_deposit_id_deposits"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_payments_project_id_projects"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_payments_region_id_regions"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("bank_line_id", name=op.f("uq_payments_bank_line_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payments_customer_id_received_on", ["customer_id", "received_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payments_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_region_id"), ["region_id"], unique=False)

    op.create_table(
        "reconciliation_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_line_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=True),
        sa.Column("fit", sa.String(length=16), nullable=True),
        sa.Column("score", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("fee", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_line_id"],
            ["bank_lines.id"],
            name=op.f("fk_reconciliation_decisions_bank_line_id_bank_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_reconciliation_decisions_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_reconciliation_decisions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["job_runs.id"],
            name=op.f("fk_reconciliation_decisions_run_id_job_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_decisions")),
        sa.UniqueConstraint("bank_line_id", name=op.f("uq_reconciliation_decisions_bank_line_id")),
    )
    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charge_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "source",
            sa.Enum("auto", "manual", name="allocationsource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(payment_id IS NULL) <> (credit_note_id IS NULL)", name=op.f("ck_allocations_one_source")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_allocations_amount_positive")),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_allocations_charge_id_charges"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_allocations_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["credit_notes.id"],
            name=op.f("fk_allocations_credit_note_id_credit_notes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_allocations_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reversed_by_id"],
            ["users.id"],
            name=op.f("fk_allocations_reversed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocations_charge_id"), ["charge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allocations_credit_note_id"), ["credit_note_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allocations_payment_id"), ["payment_id"], unique=False)

    op.create_table(
        "deposit_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "received",
                "applied_to_rent",
                "applied_to_repairs",
                "returned",
                name="movementkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("bank_line_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_deposit_movements_amount_positive")),
        sa.ForeignKeyConstraint(
            ["bank_line_id"],
            ["bank_lines.id"],
            name=op.f("fk_deposit_movements_bank_line_id_bank_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_deposit_movements_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["deposits.id"],
            name=op.f("fk_deposit_movements_deposit_id_deposits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_deposit_movements_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_movements")),
        sa.UniqueConstraint("bank_line_id", name=op.f("uq_deposit_movements_bank_line_id")),
    )
    with op.batch_alter_table("deposit_movements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deposit_movements_deposit_id"), ["deposit_id"], unique=False)

    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_refunds_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_refunds_payment_id_payments"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refunds_payment_id"), ["payment_id"], unique=False)

    with op.batch_alter_table("contract_templates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("billing_lead_days", sa.Integer(), server_default="15", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("contract_templates", schema=None) as batch_op:
        batch_op.drop_column("billing_lead_days")

    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_payment_id"))

    op.drop_table("refunds")
    with op.batch_alter_table("deposit_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deposit_movements_deposit_id"))

    op.drop_table("deposit_movements")
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocations_payment_id"))
        batch_op.drop_index(batch_op.f("ix_allocations_credit_note_id"))
        batch_op.drop_index(batch_op.f("ix_allocations_charge_id"))

    op.drop_table("allocations")
    op.drop_table("reconciliation_decisions")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_region_id"))
        batch_op.drop_index(batch_op.f("ix_payments_project_id"))
        batch_op.drop_index("ix_payments_customer_id_received_on")

    op.drop_table("payments")
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_notes_project_id"))
        batch_op.drop_index(batch_op.f("ix_credit_notes_customer_id"))

    op.drop_table("credit_notes")
    with op.batch_alter_table("charge_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charge_items_charge_id"))

    op.drop_table("charge_items")
    with op.batch_alter_table("bank_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_lines_statement_id"))
        batch_op.drop_index("ix_bank_lines_bank_account_id_state_booked_on")
        batch_op.drop_index("ix_bank_lines_bank_account_id_dedupe_key")

    op.drop_table("bank_lines")
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deposits_project_id"))
        batch_op.drop_index(batch_op.f("ix_deposits_customer_id"))

    op.drop_table("deposits")
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index("ix_charges_project_id_due_date")
        batch_op.drop_index(batch_op.f("ix_charges_lease_id"))
        batch_op.drop_index("ix_charges_customer_id_due_date")

    op.drop_table("charges")
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_statements_bank_account_id"))

    op.drop_table("bank_statements")
    op.drop_table("document_sequences")
    with op.batch_alter_table("bank_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_accounts_region_id"))
        batch_op.drop_index(batch_op.f("ix_bank_accounts_project_id"))

    op.drop_table("bank_accounts")
    op.drop_table("bank_profiles")
