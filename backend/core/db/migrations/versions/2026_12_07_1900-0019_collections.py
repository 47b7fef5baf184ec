"""Collections: dunning policies per project and customer tier, standings, each run's notices, promises to
pay, grace periods, disputes, legal cases, account managers' tasks, late-fee accruals and postings; a late-fee
clause on leases, a language on customers, whom a waiting bank line's payer points to; equipment lock requests,
credit consents and signals.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:  # noqa: PLR0915 - a statement per table and index
    op.create_table(
        "collection_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("bills", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("next_step_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_collection_cases_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["users.id"],
            name=op.f("fk_collection_cases_opened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_collection_cases_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_collection_cases_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_cases")),
    )
    with op.batch_alter_table("collection_cases", schema=None) as batch_op:
        batch_op.create_index("ix_collection_cases_customer_id_state", ["customer_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_collection_cases_project_id"), ["project_id"], unique=False)

    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("charge_ids", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "resolved", name="disputestate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_disputes_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_disputes_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_disputes_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_disputes_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_project_id"), ["project_id"], unique=False)

    op.create_table(
        "dunning_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "customer_tier",
            sa.Enum("key_account", "standard", name="customertier", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("formal_from", sa.Integer(), nullable=False),
        sa.Column("legal_from", sa.Integer(), nullable=False),
        sa.Column("lock_from", sa.Integer(), nullable=False),
        sa.Column("repeat_days", sa.Integer(), nullable=False),
        sa.Column("tolerance_days", sa.Integer(), nullable=False),
        sa.Column("pay_within_hours", sa.Integer(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("templates", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_dunning_policies_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_dunning_policies_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_policies")),
        sa.UniqueConstraint(
            "project_id", "customer_tier", name=op.f("uq_dunning_policies_project_id_customer_tier")
        ),
    )
    op.create_table(
        "dunning_standings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("tier_since", sa.Date(), nullable=True),
        sa.Column("last_notice_on", sa.Date(), nullable=True),
        sa.Column("last_run_on", sa.Date(), nullable=True),
        sa.Column("last_action", sa.String(length=16), nullable=True),
        sa.Column("last_reason", sa.String(length=32), nullable=True),
        sa.Column("oldest_days", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_dunning_standings_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_dunning_standings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_standings")),
        sa.UniqueConstraint(
            "project_id", "customer_id", name=op.f("uq_dunning_standings_project_id_customer_id")
        ),
    )
    with op.batch_alter_table("dunning_standings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dunning_standings_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "grace_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "requested",
                "approved",
                "rejected",
                "cancelled",
                name="gracestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_grace_periods_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_grace_periods_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_grace_periods_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_grace_periods_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grace_periods")),
    )
    with op.batch_alter_table("grace_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grace_periods_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grace_periods_project_id"), ["project_id"], unique=False)

    op.create_table(
        "payment_promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("open", "kept", "broken", "cancelled", name="promisestate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("paid", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_promises_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_payment_promises_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_payment_promises_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_payment_promises_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_promises")),
    )
    with op.batch_alter_table("payment_promises", schema=None) as batch_op:
        batch_op.create_index("ix_payment_promises_customer_id_state", ["customer_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_promises_project_id"), ["project_id"], unique=False)

    op.create_table(
        "dunning_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("previous_tier", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=True),
        sa.Column("bills", sa.JSON(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("oldest_days", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("held_by_lines", sa.JSON(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_dunning_notices_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_dunning_notices_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["job_runs.id"], name=op.f("fk_dunning_notices_run_id_job_runs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_dunning_notices_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_notices")),
        sa.UniqueConstraint(
            "project_id",
            "customer_id",
            "run_on",
            name=op.f("uq_dunning_notices_project_id_customer_id_run_on"),
        ),
    )
    with op.batch_alter_table("dunning_notices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dunning_notices_customer_id_run_on", ["customer_id", "run_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dunning_notices_run_id"), ["run_id"], unique=False)

    op.create_table(
        "collection_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_collection_tasks_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_collection_tasks_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"],
            ["users.id"],
            name=op.f("fk_collection_tasks_done_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["dunning_notices.id"],
            name=op.f("fk_collection_tasks_notice_id_dunning_notices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_collection_tasks_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_tasks")),
        sa.UniqueConstraint("notice_id", name=op.f("uq_collection_tasks_notice_id")),
    )
    with op.batch_alter_table("collection_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_collection_tasks_assignee_id_state", ["assignee_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_collection_tasks_project_id"), ["project_id"], unique=False)

    op.create_table(
        "late_fee_accruals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charge_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("exact", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("posted", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("waived", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("through", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"],
            ["charges.id"],
            name=op.f("fk_late_fee_accruals_charge_id_charges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_late_fee_accruals_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_late_fee_accruals_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_fee_accruals")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_late_fee_accruals_charge_id")),
    )
    with op.batch_alter_table("late_fee_accruals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_late_fee_accruals_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_late_fee_accruals_project_id"), ["project_id"], unique=False)

    op.create_table(
        "late_fee_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("accrual_id", sa.Integer(), nullable=False),
        sa.Column("charge_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accrual_id"],
            ["late_fee_accruals.id"],
            name=op.f("fk_late_fee_postings_accrual_id_late_fee_accruals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["charge_id"],
            ["charges.id"],
            name=op.f("fk_late_fee_postings_charge_id_charges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["job_runs.id"],
            name=op.f("fk_late_fee_postings_run_id_job_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_fee_postings")),
    )
    with op.batch_alter_table("late_fee_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_late_fee_postings_accrual_id"), ["accrual_id"], unique=False)
        batch_op.create_index("ix_late_fee_postings_charge_id_end_on", ["charge_id", "end_on"], unique=False)

    op.create_table(
        "bank_line_payers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_line_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_line_id"],
            ["bank_lines.id"],
            name=op.f("fk_bank_line_payers_bank_line_id_bank_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_bank_line_payers_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_line_payers")),
        sa.UniqueConstraint(
            "bank_line_id", "customer_id", name=op.f("uq_bank_line_payers_bank_line_id_customer_id")
        ),
    )
    with op.batch_alter_table("bank_line_payers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_line_payers_customer_id"), ["customer_id"], unique=False)

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=10), nullable=False, server_default="zh_CN"))

    with op.batch_alter_table("leases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("late_fee_rate", sa.Numeric(precision=10, scale=8), nullable=True))
        batch_op.add_column(
            sa.Column("late_fee_basis", sa.String(length=16), nullable=False, server_default="per_day")
        )
        batch_op.add_column(
            sa.Column("late_fee_grace_days", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("late_fee_cap_rate", sa.Numeric(precision=6, scale=4), nullable=True))
        batch_op.add_column(sa.Column("late_fee_article", sa.String(length=64), nullable=True))
    op.create_table(
        "credit_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("document", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_credit_consents_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_credit_consents_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_credit_consents_revoked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_consents")),
    )
    with op.batch_alter_table("credit_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_consents_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "credit_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["credit_consents.id"],
            name=op.f("fk_credit_signals_consent_id_credit_consents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_credit_signals_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_signals")),
        sa.UniqueConstraint(
            "customer_id",
            "provider",
            "reference",
            name=op.f("uq_credit_signals_customer_id_provider_reference"),
        ),
    )
    with op.batch_alter_table("credit_signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_signals_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "device_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("overdue_days", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_device_locks_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_device_locks_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_device_locks_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_device_locks_lease_id_leases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_device_locks_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_device_locks_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_locks")),
    )
    with op.batch_alter_table("device_locks", schema=None) as batch_op:
        batch_op.create_index("ix_device_locks_lease_id_state", ["lease_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_locks_project_id"), ["project_id"], unique=False)


def downgrade() -> None:  # noqa: PLR0915 - a statement per table and index
    with op.batch_alter_table("device_locks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_locks_project_id"))
        batch_op.drop_index("ix_device_locks_lease_id_state")

    op.drop_table("device_locks")
    with op.batch_alter_table("credit_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_signals_customer_id"))

    op.drop_table("credit_signals")
    with op.batch_alter_table("credit_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_consents_customer_id"))

    op.drop_table("credit_consents")
    with op.batch_alter_table("leases", schema=None) as batch_op:
        batch_op.drop_column("late_fee_article")
        batch_op.drop_column("late_fee_cap_rate")
        batch_op.drop_column("late_fee_grace_days")
        batch_op.drop_column("late_fee_basis")
        batch_op.drop_column("late_fee_rate")

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("locale")

    with op.batch_alter_table("bank_line_payers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_line_payers_customer_id"))

    op.drop_table("bank_line_payers")

    with op.batch_alter_table("late_fee_postings", schema=None) as batch_op:
        batch_op.drop_index("ix_late_fee_postings_charge_id_end_on")
        batch_op.drop_index(batch_op.f("ix_late_fee_postings_accrual_id"))

    op.drop_table("late_fee_postings")
    with op.batch_alter_table("late_fee_accruals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_late_fee_accruals_project_id"))
        batch_op.drop_index(batch_op.f("ix_late_fee_accruals_customer_id"))

    op.drop_table("late_fee_accruals")
    with op.batch_alter_table("collection_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_tasks_project_id"))
        batch_op.drop_index("ix_collection_tasks_assignee_id_state")

    op.drop_table("collection_tasks")
    with op.batch_alter_table("dunning_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dunning_notices_run_id"))
        batch_op.drop_index("ix_dunning_notices_customer_id_run_on")

    op.drop_table("dunning_notices")
    with op.batch_alter_table("payment_promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_promises_project_id"))
        batch_op.drop_index("ix_payment_promises_customer_id_state")

    op.drop_table("payment_promises")
    with op.batch_alter_table("grace_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grace_periods_project_id"))
        batch_op.drop_index(batch_op.f("ix_grace_periods_customer_id"))

    op.drop_table("grace_periods")
    with op.batch_alter_table("dunning_standings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dunning_standings_customer_id"))

    op.drop_table("dunning_standings")
    op.drop_table("dunning_policies")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disputes_project_id"))
        batch_op.drop_index(batch_op.f("ix_disputes_customer_id"))

    op.drop_table("disputes")
    with op.batch_alter_table("collection_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_cases_project_id"))
        batch_op.drop_index("ix_collection_cases_customer_id_state")

    op.drop_table("collection_cases")
