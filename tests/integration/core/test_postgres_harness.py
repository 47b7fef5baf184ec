"""Checks that the throwaway PostgreSQL server used by the test suite really works."""

import os

import psycopg
import pytest

from tests.support.postgres import PostgresServer, postgres_unavailable_reason

pytestmark = pytest.mark.postgres

DBNAME = "harness_check"


def _require_postgres() -> None:
    """Skip without PostgreSQL binaries, except in CI where a missing server is a bug."""
    reason = postgres_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def test_server_creates_database_answers_queries_and_cleans_up() -> None:
    """Start a server, query a fresh database, then drop it and stop the server."""
    _require_postgres()
    server = PostgresServer()
    server.start()
    try:
        directory = server.directory
        port = server.port
        url = server.create_database(DBNAME)
        assert url == f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DBNAME}"
        assert server.url(DBNAME) == url

        with psycopg.connect(host=server.host, port=port, user="postgres", dbname=DBNAME) as conn:
            row = conn.execute("select version()").fetchone()
        assert row is not None
        assert "PostgreSQL" in row[0]

        server.drop_database(DBNAME)
        with psycopg.connect(host=server.host, port=port, user="postgres", dbname="postgres") as conn:
            found = conn.execute("select 1 from pg_database where datname = %s", (DBNAME,)).fetchone()
        assert found is None
    finally:
        server.stop()

    assert not directory.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=port, user="postgres", connect_timeout=2).close()
