"""Portfolio analytics: the running month's sums per project and tier, refreshed by the worker.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portfolio_live_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("sums", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_portfolio_live_cells_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_live_cells")),
    )
    op.create_index(op.f("ix_portfolio_live_cells_project_id"), "portfolio_live_cells", ["project_id"])
    op.create_index(op.f("ix_portfolio_live_cells_computed_at"), "portfolio_live_cells", ["computed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_portfolio_live_cells_computed_at"), table_name="portfolio_live_cells")
    op.drop_index(op.f("ix_portfolio_live_cells_project_id"), table_name="portfolio_live_cells")
    op.drop_table("portfolio_live_cells")
