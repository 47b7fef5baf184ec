"""Inspections: versioned checklists per asset type, inspections with their GPS check, answers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:09:52.112855
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checklists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "asset_type",
            sa.Enum(
                "office",
                "shop",
                "apartment",
                "warehouse_unit",
                "parking_space",
                "machinery",
                "vehicle",
                "medical_equipment",
                "it_equipment",
                name="assettype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklists")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_checklists_code_version")),
    )
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.create_index("ix_checklists_asset_type_active", ["asset_type", "active"], unique=False)

    op.create_table(
        "checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label_zh", sa.String(length=200), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("pass_fail", "number", "text", "photo", name="itemkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("number_min", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("number_max", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("number_unit", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklists.id"],
            name=op.f("fk_checklist_items_checklist_id_checklists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_items")),
        sa.UniqueConstraint("checklist_id", "key", name=op.f("uq_checklist_items_checklist_id_key")),
    )
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_items_checklist_id"), ["checklist_id"], unique=False)

    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("checklist_version", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("accuracy_m", sa.Numeric(precision=8, scale=1), nullable=True),
        sa.Column("fence_passed", sa.Boolean(), nullable=True),
        sa.Column("fence_distance_m", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.Column("fence_reason", sa.String(length=32), nullable=True),
        sa.Column("plausibility_flags", sa.JSON(), nullable=False),
        sa.Column(
            "result",
            sa.Enum("pass", "fail", name="inspectionresult", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_inspections_asset_id_assets"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklists.id"],
            name=op.f("fk_inspections_checklist_id_checklists"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_inspections_device_id_devices"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["users.id"],
            name=op.f("fk_inspections_inspector_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_inspections_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspections_asset_id_submitted_at", ["asset_id", "submitted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspections_checklist_id"), ["checklist_id"], unique=False)
        batch_op.create_index(
            "ix_inspections_device_id_captured_at", ["device_id", "captured_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspections_inspector_id"), ["inspector_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_project_id"), ["project_id"], unique=False)

    op.create_table(
        "inspection_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("pass_fail", "number", "text", "photo", name="itemkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("number_value", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.Column("photo_hashes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_answers_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_answers")),
        sa.UniqueConstraint(
            "inspection_id", "item_key", name=op.f("uq_inspection_answers_inspection_id_item_key")
        ),
    )
    with op.batch_alter_table("inspection_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_answers_inspection_id"), ["inspection_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inspection_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_answers_inspection_id"))

    op.drop_table("inspection_answers")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_project_id"))
        batch_op.drop_index(batch_op.f("ix_inspections_inspector_id"))
        batch_op.drop_index("ix_inspections_device_id_captured_at")
        batch_op.drop_index(batch_op.f("ix_inspections_checklist_id"))
        batch_op.drop_index("ix_inspections_asset_id_submitted_at")

    op.drop_table("inspections")
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_items_checklist_id"))

    op.drop_table("checklist_items")
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.drop_index("ix_checklists_asset_type_active")

    op.drop_table("checklists")
