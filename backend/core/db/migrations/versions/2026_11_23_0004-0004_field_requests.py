"""Field requests: status change requests with evidence, GPS fixes, work orders, project field policy.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:09:38.854509
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "status_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "vacant",
                "reserved",
                "pending_delivery",
                "leased",
                "maintenance",
                "renovation",
                "retired",
                name="assetstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "vacant",
                "reserved",
                "pending_delivery",
                "leased",
                "maintenance",
                "renovation",
                "retired",
                name="assetstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("accuracy_m", sa.Numeric(precision=8, scale=1), nullable=True),
        sa.Column("fence_passed", sa.Boolean(), nullable=True),
        sa.Column("fence_distance_m", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.Column("fence_reason", sa.String(length=32), nullable=True),
        sa.Column("plausibility_flags", sa.JSON(), nullable=False),
        sa.Column("photo_hashes", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "confirmed",
                "rejected",
                "expired",
                "cancelled",
                name="requeststate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("confirmer_id", sa.Integer(), nullable=True),
        sa.Column("scan_verified", sa.Boolean(), nullable=True),
        sa.Column("confirm_latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("confirm_longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("confirm_accuracy_m", sa.Numeric(precision=8, scale=1), nullable=True),
        sa.Column("confirm_fence_passed", sa.Boolean(), nullable=True),
        sa.Column("confirm_fence_distance_m", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.Column("confirm_plausibility_flags", sa.JSON(), nullable=False),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("remote_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["users.id"],
            name=op.f("fk_status_change_requests_applicant_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approvals.id"],
            name=op.f("fk_status_change_requests_approval_id_approvals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_status_change_requests_asset_id_assets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["confirmer_id"],
            ["users.id"],
            name=op.f("fk_status_change_requests_confirmer_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_status_change_requests_device_id_devices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_status_change_requests_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_change_requests")),
    )
    with op.batch_alter_table("status_change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_change_requests_applicant_id"), ["applicant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_status_change_requests_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(
            "ix_status_change_requests_project_id_state", ["project_id", "state"], unique=False
        )
        batch_op.create_index(
            "uq_status_change_requests_open_asset_id",
            ["asset_id"],
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )

    op.create_table(
        "work_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "handover",
                "cleaning",
                "repair",
                "inspection",
                "meter_reading",
                name="workorderkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "in_progress",
                "done",
                "cancelled",
                name="workorderstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("blocks_letting", sa.Boolean(), nullable=False),
        sa.Column(
            "status_before",
            sa.Enum(
                "vacant",
                "reserved",
                "pending_delivery",
                "leased",
                "maintenance",
                "renovation",
                "retired",
                name="assetstatus",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("meter_value", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("meter_unit", sa.String(length=16), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_work_orders_asset_id_assets"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_work_orders_assignee_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["leases.id"], name=op.f("fk_work_orders_lease_id_leases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["users.id"],
            name=op.f("fk_work_orders_opened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_work_orders_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_orders")),
    )
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.create_index("ix_work_orders_asset_id_state", ["asset_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_orders_lease_id"), ["lease_id"], unique=False)
        batch_op.create_index("ix_work_orders_project_id_state", ["project_id", "state"], unique=False)

    op.create_table(
        "gps_fixes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("accuracy_m", sa.Numeric(precision=8, scale=1), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_gps_fixes_device_id_devices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["status_change_requests.id"],
            name=op.f("fk_gps_fixes_request_id_status_change_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_gps_fixes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gps_fixes")),
    )
    with op.batch_alter_table("gps_fixes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gps_fixes_device_id_captured_at", ["device_id", "captured_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_gps_fixes_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("remote_confirmation_allowed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "gps_max_accuracy_m", sa.Numeric(precision=6, scale=1), server_default="50", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "gps_tolerance_m", sa.Numeric(precision=6, scale=1), server_default="10", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "lease_end_status",
                sa.Enum("renovation", "vacant", name="leaseendstatus", native_enum=False, length=32),
                server_default="renovation",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("status_request_ttl_hours", sa.Integer(), server_default="72", nullable=False)
        )


def downgrade() -> None:

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("status_request_ttl_hours")
        batch_op.drop_column("lease_end_status")
        batch_op.drop_column("gps_tolerance_m")
        batch_op.drop_column("gps_max_accuracy_m")
        batch_op.drop_column("remote_confirmation_allowed")

    with op.batch_alter_table("gps_fixes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gps_fixes_user_id"))
        batch_op.drop_index("ix_gps_fixes_device_id_captured_at")

    op.drop_table("gps_fixes")
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_work_orders_project_id_state")
        batch_op.drop_index(batch_op.f("ix_work_orders_lease_id"))
        batch_op.drop_index("ix_work_orders_asset_id_state")

    op.drop_table("work_orders")
    with op.batch_alter_table("status_change_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_status_change_requests_open_asset_id",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.drop_index("ix_status_change_requests_project_id_state")
        batch_op.drop_index(batch_op.f("ix_status_change_requests_asset_id"))
        batch_op.drop_index(batch_op.f("ix_status_change_requests_applicant_id"))

    op.drop_table("status_change_requests")
