"""IoT: gateways with their own tokens, meters and door sensors, readings and door events, viewings, flags,
assets waiting for their flags, and the consistency audit's runs and findings.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "iot_gateways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_iot_gateways_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_iot_gateways_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_gateways")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_iot_gateways_token_hash")),
    )
    with op.batch_alter_table("iot_gateways", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_iot_gateways_project_id"), ["project_id"], unique=False)

    op.create_table(
        "iot_audit_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("tallies", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("job_run_id", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_run_id"],
            ["job_runs.id"],
            name=op.f("fk_iot_audit_runs_job_run_id_job_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_iot_audit_runs_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_audit_runs")),
    )
    with op.batch_alter_table("iot_audit_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_iot_audit_runs_period"), ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_iot_audit_runs_state"), ["state"], unique=False)

    op.create_table(
        "iot_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column(
            "kind", sa.Enum("meter", "door", name="devicekind", native_enum=False, length=32), nullable=False
        ),
        sa.Column(
            "meter",
            sa.Enum("electricity", "water", "runtime", name="meterkind", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column(
            "mode",
            sa.Enum("cumulative", "interval", name="metermode", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("interval_minutes", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("gateway_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_value", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_iot_devices_asset_id_assets"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["gateway_id"],
            ["iot_gateways.id"],
            name=op.f("fk_iot_devices_gateway_id_iot_gateways"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_iot_devices_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_devices")),
        sa.UniqueConstraint("code", name=op.f("uq_iot_devices_code")),
    )
    with op.batch_alter_table("iot_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_iot_devices_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_iot_devices_gateway_id"), ["gateway_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_iot_devices_project_id"), ["project_id"], unique=False)

    op.create_table(
        "iot_dirty_assets",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_iot_dirty_assets_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_iot_dirty_assets")),
    )
    op.create_table(
        "iot_viewings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_iot_viewings_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_iot_viewings_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_iot_viewings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_viewings")),
    )
    with op.batch_alter_table("iot_viewings", schema=None) as batch_op:
        batch_op.create_index("ix_iot_viewings_asset_id_starts_at", ["asset_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_iot_viewings_project_id"), ["project_id"], unique=False)

    op.create_table(
        "iot_audit_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "leased_without_lease",
                "vacant_with_lease",
                "delivery_overdue",
                "maintenance_without_work_order",
                "work_order_on_retired",
                "request_stale",
                "request_overdue",
                "iot_flag_open",
                "confirmation_stale",
                name="findingkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("asset_status", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column(
            "task_state",
            sa.Enum("open", "resolved", name="taskstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_iot_audit_findings_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_iot_audit_findings_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_iot_audit_findings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_iot_audit_findings_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["iot_audit_runs.id"],
            name=op.f("fk_iot_audit_findings_run_id_iot_audit_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_audit_findings")),
    )
    with op.batch_alter_table("iot_audit_findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_iot_audit_findings_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(
            "ix_iot_audit_findings_assignee_id_task_state", ["assignee_id", "task_state"], unique=False
        )
        batch_op.create_index(
            "ix_iot_audit_findings_run_id_project_id", ["run_id", "project_id"], unique=False
        )

    op.create_table(
        "iot_door_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "event",
            sa.Enum("open", "close", name="dooreventkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_iot_door_events_asset_id_assets"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["iot_devices.id"],
            name=op.f("fk_iot_door_events_device_id_iot_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_door_events")),
        sa.UniqueConstraint("device_id", "at", "event", name=op.f("uq_iot_door_events_device_id_at_event")),
    )
    with op.batch_alter_table("iot_door_events", schema=None) as batch_op:
        batch_op.create_index("ix_iot_door_events_asset_id_at", ["asset_id", "at"], unique=False)

    op.create_table(
        "iot_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "vacant_consumption",
                "vacant_door",
                "no_consumption",
                "utilisation_drop",
                name="flagkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "open", "answered", "dismissed", "resolved", name="flagstate", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("lease_id", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=False),
        sa.Column("window_to", sa.Date(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_reason", sa.Text(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_iot_flags_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"],
            ["users.id"],
            name=op.f("fk_iot_flags_dismissed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_iot_flags_inspection_id_inspections"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_iot_flags_lease_id_leases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_iot_flags_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_flags")),
    )
    with op.batch_alter_table("iot_flags", schema=None) as batch_op:
        batch_op.create_index("ix_iot_flags_asset_id_kind_state", ["asset_id", "kind", "state"], unique=False)
        batch_op.create_index("ix_iot_flags_project_id_state", ["project_id", "state"], unique=False)
        batch_op.create_index(
            "uq_iot_flags_open_asset_id_kind",
            ["asset_id", "kind"],
            unique=True,
            sqlite_where=sa.text("state IN ('open', 'answered')"),
            postgresql_where=sa.text("state IN ('open', 'answered')"),
        )

    op.create_table(
        "iot_readings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column(
            "source",
            sa.Enum("gateway", "import", "work_order", name="readingsource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_iot_readings_asset_id_assets"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["iot_devices.id"],
            name=op.f("fk_iot_readings_device_id_iot_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_readings")),
        sa.UniqueConstraint("device_id", "read_at", name=op.f("uq_iot_readings_device_id_read_at")),
    )
    with op.batch_alter_table("iot_readings", schema=None) as batch_op:
        batch_op.create_index("ix_iot_readings_asset_id_read_at", ["asset_id", "read_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("iot_readings", schema=None) as batch_op:
        batch_op.drop_index("ix_iot_readings_asset_id_read_at")

    op.drop_table("iot_readings")
    with op.batch_alter_table("iot_flags", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_iot_flags_open_asset_id_kind",
            sqlite_where=sa.text("state IN ('open', 'answered')"),
            postgresql_where=sa.text("state IN ('open', 'answered')"),
        )
        batch_op.drop_index("ix_iot_flags_project_id_state")
        batch_op.drop_index("ix_iot_flags_asset_id_kind_state")

    op.drop_table("iot_flags")
    with op.batch_alter_table("iot_door_events", schema=None) as batch_op:
        batch_op.drop_index("ix_iot_door_events_asset_id_at")

    op.drop_table("iot_door_events")
    with op.batch_alter_table("iot_audit_findings", schema=None) as batch_op:
        batch_op.drop_index("ix_iot_audit_findings_run_id_project_id")
        batch_op.drop_index("ix_iot_audit_findings_assignee_id_task_state")
        batch_op.drop_index(batch_op.f("ix_iot_audit_findings_asset_id"))

    op.drop_table("iot_audit_findings")
    with op.batch_alter_table("iot_viewings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_iot_viewings_project_id"))
        batch_op.drop_index("ix_iot_viewings_asset_id_starts_at")

    op.drop_table("iot_viewings")
    op.drop_table("iot_dirty_assets")
    with op.batch_alter_table("iot_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_iot_devices_project_id"))
        batch_op.drop_index(batch_op.f("ix_iot_devices_gateway_id"))
        batch_op.drop_index(batch_op.f("ix_iot_devices_asset_id"))

    op.drop_table("iot_devices")
    with op.batch_alter_table("iot_audit_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_iot_audit_runs_state"))
        batch_op.drop_index(batch_op.f("ix_iot_audit_runs_period"))

    op.drop_table("iot_audit_runs")
    with op.batch_alter_table("iot_gateways", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_iot_gateways_project_id"))

    op.drop_table("iot_gateways")
