"""Lease imports run by the worker: the import (state, progress, file, report) and its staged rows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lease_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("commit", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "checking",
                "committing",
                "succeeded",
                "failed",
                name="importstate",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("phase", sa.String(length=32), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("job_run_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_run_id"],
            ["job_runs.id"],
            name=op.f("fk_lease_imports_job_run_id_job_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_lease_imports_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_imports")),
    )
    with op.batch_alter_table("lease_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lease_imports_state"), ["state"], unique=False)
    op.create_table(
        "lease_import_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["lease_imports.id"],
            name=op.f("fk_lease_import_rows_import_id_lease_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_import_rows")),
    )
    with op.batch_alter_table("lease_import_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lease_import_rows_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lease_import_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lease_import_rows_import_id"))
    op.drop_table("lease_import_rows")
    with op.batch_alter_table("lease_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lease_imports_state"))
    op.drop_table("lease_imports")
