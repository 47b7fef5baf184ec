"""Field, second pass: remote reports where a project allows them (with the applicant's reason), English
checklist titles (a combined "中文 English" title is split), and refusals kept with their templates so they
are shown in the reader's language.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:00:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

_COMBINED = re.compile(r"^(.*[\u3400-\u9fff])\s+([^\u3400-\u9fff]+)$")


revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_en", sa.String(length=200), nullable=True))
    _split_titles()

    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("remote_report_allowed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("status_change_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_remote_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("sync_rejections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_template", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("message_params", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("field_templates", sa.JSON(), nullable=True))


def _split_titles() -> None:
    """A title written as "办公单元巡检 Office unit inspection" becomes its Chinese and its English part."""
    checklists = sa.table(
        "checklists",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_en", sa.String),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(checklists.c.id, checklists.c.name)).all():
        found = _COMBINED.match(row.name or "")
        if found:
            connection.execute(
                checklists.update()
                .where(checklists.c.id == row.id)
                .values(name=found.group(1).strip(), name_en=found.group(2).strip())
            )


def _join_titles() -> None:
    """Back to one title: the Chinese and the English part again as "中文 English"."""
    checklists = sa.table("checklists", sa.column("name", sa.String), sa.column("name_en", sa.String))
    joined = sa.func.substr(checklists.c.name + " " + checklists.c.name_en, 1, 200)
    op.get_bind().execute(checklists.update().where(checklists.c.name_en.is_not(None)).values(name=joined))


def downgrade() -> None:
    with op.batch_alter_table("sync_rejections", schema=None) as batch_op:
        batch_op.drop_column("field_templates")
        batch_op.drop_column("message_params")
        batch_op.drop_column("message_template")

    with op.batch_alter_table("status_change_requests", schema=None) as batch_op:
        batch_op.drop_column("report_remote_reason")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("remote_report_allowed")

    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_column("remote_reason")

    _join_titles()
    with op.batch_alter_table("checklists", schema=None) as batch_op:
        batch_op.drop_column("name_en")
