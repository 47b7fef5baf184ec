"""Migrations: up, down and up again matching the models; the audit log stays append-only."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from backend.core.db import migrate
from backend.core.db.base import Base
from backend.core.db.session import make_engine


@pytest.fixture
def empty_database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    """A database with no tables at all."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"lk_empty_{tmp_path.name.replace('-', '_')[-40:]}"
    yield server.create_database(name)
    server.drop_database(name)


def test_migrations_go_up_down_and_up_again(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    assert "assets" in inspect(engine).get_table_names()
    migrate.downgrade(empty_database_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_database_url)
    assert migrate.schema_state(engine) == "current"
    engine.dispose()


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_readiness_reports_a_database_that_needs_migrating(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    assert migrate.schema_state(engine) == "outdated"
    engine.dispose()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET actor_name = 'someone else'", "DELETE FROM audit_log"]
)
def test_the_database_itself_refuses_to_change_the_audit_log(
    statement: str, database_url: str, make_region: Any
) -> None:
    make_region("EAST")
    engine = make_engine(database_url)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar() == 1
    engine.dispose()
