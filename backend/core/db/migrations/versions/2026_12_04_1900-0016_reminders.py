"""Reminders: rules per template and date kind, entered critical dates, the engine's tasks, calendar feeds;
who set each lease tag and with what authority; deliveries found by their subject.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_calendar_feeds_token_digest")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    op.create_table(
        "reminder_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column(
            "date_kind",
            sa.Enum(
                "lease_end",
                "renewal_notice",
                "rent_review",
                "deposit_return",
                "insurance_expiry",
                "break_option",
                "other",
                "termination_notice",
                name="datekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["contract_templates.id"],
            name=op.f("fk_reminder_rules_template_id_contract_templates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_reminder_rules_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_rules")),
    )
    with op.batch_alter_table("reminder_rules", schema=None) as batch_op:
        batch_op.create_index(
            "uq_reminder_rules_template_id_date_kind", ["template_id", "date_kind"], unique=True
        )

    op.create_table(
        "critical_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "lease_end",
                "renewal_notice",
                "rent_review",
                "deposit_return",
                "insurance_expiry",
                "break_option",
                "other",
                "termination_notice",
                name="datekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_critical_dates_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_critical_dates_lease_id_leases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_critical_dates")),
    )
    with op.batch_alter_table("critical_dates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_critical_dates_lease_id"), ["lease_id"], unique=False)

    op.create_table(
        "lease_tag_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "manual", "amendment", "import", "unknown", name="tagsource", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("authorised", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_lease_tag_marks_confirmed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_lease_tag_marks_lease_id_leases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_lease_tag_marks_set_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_tag_marks")),
    )
    with op.batch_alter_table("lease_tag_marks", schema=None) as batch_op:
        batch_op.create_index("uq_lease_tag_marks_lease_id_tag", ["lease_id", "tag"], unique=True)

    op.create_table(
        "reminder_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("reminder", "auto_renewal", name="taskkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("lease_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "date_kind",
            sa.Enum(
                "lease_end",
                "renewal_notice",
                "rent_review",
                "deposit_return",
                "insurance_expiry",
                "break_option",
                "other",
                "termination_notice",
                name="datekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("critical_date", sa.Date(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("tier_count", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("fire_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("ack_required", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "acknowledged",
                "escalated",
                "cancelled",
                name="taskstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.String(length=200), nullable=True),
        sa.Column("renewal_lease_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_reminder_tasks_acknowledged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_reminder_tasks_assignee_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_reminder_tasks_lease_id_leases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_reminder_tasks_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_reminder_tasks_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["renewal_lease_id"],
            ["leases.id"],
            name=op.f("fk_reminder_tasks_renewal_lease_id_leases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["job_runs.id"], name=op.f("fk_reminder_tasks_run_id_job_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_tasks")),
    )
    with op.batch_alter_table("reminder_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_reminder_tasks_assignee_id_state", ["assignee_id", "state"], unique=False)
        batch_op.create_index("ix_reminder_tasks_critical_date", ["critical_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_tasks_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            "uq_reminder_tasks_key",
            ["lease_id", "date_kind", "critical_date", "tier", "recipient_id"],
            unique=True,
        )

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_subject_type_subject_id", ["subject_type", "subject_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_subject_type_subject_id")

    with op.batch_alter_table("reminder_tasks", schema=None) as batch_op:
        batch_op.drop_index("uq_reminder_tasks_key")
        batch_op.drop_index(batch_op.f("ix_reminder_tasks_project_id"))
        batch_op.drop_index("ix_reminder_tasks_critical_date")
        batch_op.drop_index("ix_reminder_tasks_assignee_id_state")

    op.drop_table("reminder_tasks")
    with op.batch_alter_table("lease_tag_marks", schema=None) as batch_op:
        batch_op.drop_index("uq_lease_tag_marks_lease_id_tag")

    op.drop_table("lease_tag_marks")
    with op.batch_alter_table("critical_dates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_critical_dates_lease_id"))

    op.drop_table("critical_dates")
    with op.batch_alter_table("reminder_rules", schema=None) as batch_op:
        batch_op.drop_index("uq_reminder_rules_template_id_date_kind")

    op.drop_table("reminder_rules")
    op.drop_table("calendar_feeds")
