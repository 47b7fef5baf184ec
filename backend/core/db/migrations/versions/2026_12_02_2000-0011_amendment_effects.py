"""Amendments that stay money-correct: a re-based escalation keeps its original step anchor, and an
amendment records its effect on the schedule (differences per period, adjustments of billed periods),
shown to the deciders of its approval.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("charge_lines") as batch:
        batch.add_column(sa.Column("escalation_anchor", sa.Date(), nullable=True))
    with op.batch_alter_table("lease_amendments") as batch:
        batch.add_column(sa.Column("effect", sa.JSON(), nullable=True))
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("details")
    with op.batch_alter_table("lease_amendments") as batch:
        batch.drop_column("effect")
    with op.batch_alter_table("charge_lines") as batch:
        batch.drop_column("escalation_anchor")
