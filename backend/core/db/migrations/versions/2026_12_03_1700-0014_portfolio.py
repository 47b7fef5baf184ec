"""Portfolio analytics: monthly KPI snapshots per project and tier, and generated portfolio reports.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portfolio_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("sums", sa.JSON(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_portfolio_snapshots_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_snapshots")),
    )
    op.create_index(op.f("ix_portfolio_snapshots_period"), "portfolio_snapshots", ["period"])
    op.create_index(op.f("ix_portfolio_snapshots_project_id"), "portfolio_snapshots", ["project_id"])
    op.create_index(
        "uq_portfolio_snapshots_period_project_id_tier_version",
        "portfolio_snapshots",
        ["period", "project_id", "tier", "version"],
        unique=True,
    )
    op.create_table(
        "portfolio_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="reportstate",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("xlsx_key", sa.String(length=200), nullable=True),
        sa.Column("pdf_key", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("emailed", sa.Boolean(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("job_run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_run_id"],
            ["job_runs.id"],
            name=op.f("fk_portfolio_reports_job_run_id_job_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_portfolio_reports_requested_by_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_reports")),
    )
    op.create_index(op.f("ix_portfolio_reports_state"), "portfolio_reports", ["state"])
    op.create_index(op.f("ix_portfolio_reports_requested_by_id"), "portfolio_reports", ["requested_by_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_portfolio_reports_requested_by_id"), table_name="portfolio_reports")
    op.drop_index(op.f("ix_portfolio_reports_state"), table_name="portfolio_reports")
    op.drop_table("portfolio_reports")
    op.drop_index("uq_portfolio_snapshots_period_project_id_tier_version", table_name="portfolio_snapshots")
    op.drop_index(op.f("ix_portfolio_snapshots_project_id"), table_name="portfolio_snapshots")
    op.drop_index(op.f("ix_portfolio_snapshots_period"), table_name="portfolio_snapshots")
    op.drop_table("portfolio_snapshots")
