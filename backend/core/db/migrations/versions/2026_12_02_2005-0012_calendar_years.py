"""Official holiday arrangements entered as data (a year of a calendar, e.g. CN 2027), and schedule items
marked provisional while their due date rests on a year whose arrangement is not published yet.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 20:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holiday_calendar_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("working_days", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_calendar_years")),
        sa.UniqueConstraint("code", "year", name=op.f("uq_holiday_calendar_years_code_year")),
    )
    with op.batch_alter_table("schedule_items") as batch:
        batch.add_column(sa.Column("provisional", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("schedule_items") as batch:
        batch.drop_column("provisional")
    op.drop_table("holiday_calendar_years")
