"""Alembic, driven from code: upgrade, downgrade, and whether a database is current."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    """An Alembic configuration for this code base and a database (no alembic.ini needed)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"
    )
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate a database up to a revision."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate a database down to a revision (`base` empties it)."""
    command.downgrade(alembic_config(database_url), revision)


def schema_state(engine: Engine) -> str:
    """`current`, `outdated` (migrations pending) or `unreachable`; cheap enough for every probe."""
    try:
        with engine.connect() as connection:
            try:
                current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except SQLAlchemyError:
                current = None  # no version table: never migrated
    except SQLAlchemyError:
        return "unreachable"
    return "current" if current == head_revision() else "outdated"


@cache
def head_revision() -> str | None:
    """The newest revision in the code base."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
