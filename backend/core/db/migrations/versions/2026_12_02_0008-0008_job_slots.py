"""Scheduled job slots, claimed by one worker at a time; job runs name their job, slot, attempt and worker.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOT_STATES = ("due", "running", "succeeded", "failed", "gave_up", "skipped")


def upgrade() -> None:
    op.create_table(
        "job_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("scope_key", sa.String(length=32), nullable=False),
        sa.Column("slot_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*SLOT_STATES, name="slotstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_slots")),
        sa.UniqueConstraint("job", "scope_key", "slot_at", name=op.f("uq_job_slots_job_scope_key_slot_at")),
    )
    with op.batch_alter_table("job_slots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_slots_state_next_attempt_at", ["state", "next_attempt_at"], unique=False
        )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("slot_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("slot_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempt", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("worker", sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f("ix_job_runs_slot_id"), ["slot_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_job_runs_slot_id_job_slots"), "job_slots", ["slot_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_job_runs_slot_id_job_slots"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_job_runs_slot_id"))
        batch_op.drop_column("worker")
        batch_op.drop_column("attempt")
        batch_op.drop_column("slot_at")
        batch_op.drop_column("slot_id")
        batch_op.drop_column("job")
    with op.batch_alter_table("job_slots", schema=None) as batch_op:
        batch_op.drop_index("ix_job_slots_state_next_attempt_at")
    op.drop_table("job_slots")
