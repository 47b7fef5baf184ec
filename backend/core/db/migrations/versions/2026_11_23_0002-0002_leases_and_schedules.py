"""Leases: templates, leases, charge lines, concessions, schedules, amendments, approvals, job runs,
notifications, domain events, code aliases and price indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:42:52
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "code_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("alias", sa.String(length=100), nullable=False),
        sa.Column("canonical", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_aliases")),
        sa.UniqueConstraint("domain", "alias", name=op.f("uq_code_aliases_domain_alias")),
    )
    op.create_table(
        "contract_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "contract_type",
            sa.Enum(
                "office",
                "retail",
                "apartment",
                "warehouse",
                "equipment",
                name="contracttype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("required_fields", sa.JSON(), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum(
                "monthly",
                "bimonthly",
                "quarterly",
                "semiannual",
                "annual",
                "one_off",
                name="frequency",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "timing",
            sa.Enum("prepaid", "arrears", name="timing", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("due_day", sa.Integer(), nullable=True),
        sa.Column("due_offset_days", sa.Integer(), nullable=False),
        sa.Column(
            "business_day_rule",
            sa.Enum(
                "none",
                "following",
                "modified_following",
                name="businessdayrule",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "anchor",
            sa.Enum("lease_start", "calendar", name="periodanchor", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("prorate", sa.Boolean(), nullable=False),
        sa.Column(
            "rounding",
            sa.Enum("half_up", "half_even", "down", "up", name="roundingmode", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("deposit_months", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("notice_period_days", sa.Integer(), nullable=False),
        sa.Column("reminder_days", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_templates")),
        sa.UniqueConstraint("code", name=op.f("uq_contract_templates_code")),
    )
    op.create_table(
        "price_index_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_index_values")),
        sa.UniqueConstraint("series", "month", name=op.f("uq_price_index_values_series_month")),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("lease_amendment", name="approvalkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "cancelled",
                "expired",
                name="approvalstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_approvals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_approvals_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_approvals_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index("ix_approvals_project_id_status", ["project_id", "status"], unique=False)

    op.create_table(
        "domain_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_domain_events_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_events")),
    )
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_domain_events_name"), ["name"], unique=False)

    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "schedule.generate",
                "schedule.dry_run",
                "lease.import",
                "lease.lifecycle",
                name="jobkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "running", "succeeded", "failed", "retried", name="jobstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("subject_type", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("retry_of_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_job_runs_project_id_projects"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_job_runs_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["retry_of_id"],
            ["job_runs.id"],
            name=op.f("fk_job_runs_retry_of_id_job_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index("ix_job_runs_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_runs_project_id"), ["project_id"], unique=False)

    op.create_table(
        "leases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "signed",
                "active",
                "expiring",
                "renewed",
                "terminated",
                "ended",
                name="leasestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column(
            "frequency",
            sa.Enum(
                "monthly",
                "bimonthly",
                "quarterly",
                "semiannual",
                "annual",
                "one_off",
                name="frequency",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "timing",
            sa.Enum("prepaid", "arrears", name="timing", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("due_day", sa.Integer(), nullable=True),
        sa.Column("due_offset_days", sa.Integer(), nullable=False),
        sa.Column(
            "business_day_rule",
            sa.Enum(
                "none",
                "following",
                "modified_following",
                name="businessdayrule",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "anchor",
            sa.Enum("lease_start", "calendar", name="periodanchor", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("prorate", sa.Boolean(), nullable=False),
        sa.Column(
            "rounding",
            sa.Enum("half_up", "half_even", "down", "up", name="roundingmode", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("deposit_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("notice_period_days", sa.Integer(), nullable=True),
        sa.Column("auto_renew", sa.Boolean(), nullable=False),
        sa.Column("renewal_term_months", sa.Integer(), nullable=True),
        sa.Column("account_manager_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("renewed_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_manager_id"],
            ["users.id"],
            name=op.f("fk_leases_account_manager_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_leases_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_leases_project_id_projects"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["renewed_from_id"],
            ["leases.id"],
            name=op.f("fk_leases_renewed_from_id_leases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["users.id"], name=op.f("fk_leases_signed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["contract_templates.id"],
            name=op.f("fk_leases_template_id_contract_templates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leases")),
        sa.UniqueConstraint("number", name=op.f("uq_leases_number")),
    )
    with op.batch_alter_table("leases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leases_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_leases_project_id_status", ["project_id", "status"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "schedule.failed",
                "approval.requested",
                "approval.decided",
                name="notificationkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("subject_type", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_notifications_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_id_read_at", ["user_id", "read_at"], unique=False)

    op.create_table(
        "lease_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending_approval",
                "applied",
                "rejected",
                "cancelled",
                name="amendmentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approvals.id"],
            name=op.f("fk_lease_amendments_approval_id_approvals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_lease_amendments_lease_id_leases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_lease_amendments_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_amendments")),
        sa.UniqueConstraint("lease_id", "version", name=op.f("uq_lease_amendments_lease_id_version")),
    )
    with op.batch_alter_table("lease_amendments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lease_amendments_lease_id"), ["lease_id"], unique=False)

    op.create_table(
        "charge_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "charge_type",
            sa.Enum(
                "rent", "service_fee", "parking", "other", name="chargetype", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("monthly_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column(
            "frequency",
            sa.Enum(
                "monthly",
                "bimonthly",
                "quarterly",
                "semiannual",
                "annual",
                "one_off",
                name="frequency",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "escalation_kind",
            sa.Enum("percent", "fixed", "cpi", name="escalationkind", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("escalation_every_months", sa.Integer(), nullable=True),
        sa.Column("escalation_value", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("escalation_floor_percent", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("escalation_cap_percent", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("escalation_index", sa.String(length=32), nullable=True),
        sa.Column("created_by_amendment_id", sa.Integer(), nullable=True),
        sa.Column("replaced_by_amendment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_amendment_id"],
            ["lease_amendments.id"],
            name=op.f("fk_charge_lines_created_by_amendment_id_lease_amendments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_charge_lines_lease_id_leases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_amendment_id"],
            ["lease_amendments.id"],
            name=op.f("fk_charge_lines_replaced_by_amendment_id_lease_amendments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charge_lines")),
    )
    with op.batch_alter_table("charge_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charge_lines_lease_id"), ["lease_id"], unique=False)

    op.create_table(
        "concessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column(
            "charge_type",
            sa.Enum(
                "rent", "service_fee", "parking", "other", name="chargetype", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("percent", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("extends_term", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_by_amendment_id", sa.Integer(), nullable=True),
        sa.Column("replaced_by_amendment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_amendment_id"],
            ["lease_amendments.id"],
            name=op.f("fk_concessions_created_by_amendment_id_lease_amendments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_concessions_lease_id_leases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_amendment_id"],
            ["lease_amendments.id"],
            name=op.f("fk_concessions_replaced_by_amendment_id_lease_amendments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concessions")),
    )
    with op.batch_alter_table("concessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concessions_lease_id"), ["lease_id"], unique=False)

    op.create_table(
        "lease_assets",
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_lease_assets_asset_id_assets"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_lease_assets_lease_id_leases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("lease_id", "asset_id", name=op.f("pk_lease_assets")),
    )
    with op.batch_alter_table("lease_assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lease_assets_asset_id"), ["asset_id"], unique=False)

    op.create_table(
        "schedule_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("lease_version", sa.Integer(), nullable=False),
        sa.Column("line_key", sa.String(length=32), nullable=False),
        sa.Column(
            "charge_type",
            sa.Enum(
                "rent", "service_fee", "parking", "other", name="chargetype", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("months", sa.Numeric(precision=12, scale=6), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("is_concession", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_schedule_items_lease_id_leases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_schedule_items_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_items")),
    )
    with op.batch_alter_table("schedule_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_schedule_items_lease_id_period_start", ["lease_id", "period_start"], unique=False
        )
        batch_op.create_index(
            "ix_schedule_items_project_id_due_date", ["project_id", "due_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("schedule_items", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_items_project_id_due_date")
        batch_op.drop_index("ix_schedule_items_lease_id_period_start")

    op.drop_table("schedule_items")
    with op.batch_alter_table("lease_assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lease_assets_asset_id"))

    op.drop_table("lease_assets")
    with op.batch_alter_table("concessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concessions_lease_id"))

    op.drop_table("concessions")
    with op.batch_alter_table("charge_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charge_lines_lease_id"))

    op.drop_table("charge_lines")
    with op.batch_alter_table("lease_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lease_amendments_lease_id"))

    op.drop_table("lease_amendments")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_read_at")

    op.drop_table("notifications")
    with op.batch_alter_table("leases", schema=None) as batch_op:
        batch_op.drop_index("ix_leases_project_id_status")
        batch_op.drop_index(batch_op.f("ix_leases_customer_id"))

    op.drop_table("leases")
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_runs_project_id"))
        batch_op.drop_index("ix_job_runs_kind_status")

    op.drop_table("job_runs")
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_domain_events_name"))

    op.drop_table("domain_events")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index("ix_approvals_project_id_status")

    op.drop_table("approvals")
    op.drop_table("price_index_values")
    op.drop_table("contract_templates")
    op.drop_table("code_aliases")
