"""The leasekeeper command: migrate, create users, seed demo data once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose application uses a fresh SQLite file."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    return CliRunner()


def test_db_upgrade_then_users_create_from_stdin(cli: CliRunner) -> None:
    assert cli.invoke(main, ["db", "upgrade"]).exit_code == 0
    created = cli.invoke(
        main,
        ["users", "create", "--username", "Alice", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    assert created.exit_code == 0, created.output
    assert "Created user alice" in created.output


def test_users_create_names_the_field_that_is_wrong(cli: CliRunner) -> None:
    cli.invoke(main, ["db", "upgrade"])
    refused = cli.invoke(
        main,
        ["users", "create", "--username", "bob", "--role", "regional_manager", "--password-stdin"],
        input="short\n",
    )
    assert refused.exit_code == 1
    assert "password: Use at least 10 characters." in refused.output


def test_a_malformed_role_option_is_refused(cli: CliRunner) -> None:
    cli.invoke(main, ["db", "upgrade"])
    refused = cli.invoke(
        main, ["users", "create", "--username", "bob", "--role", "finance:city=3", "--password-stdin"]
    )
    assert refused.exit_code == 2
    assert "role:region=ID" in refused.output


def test_demo_seeds_once_and_prints_the_logins(cli: CliRunner) -> None:
    cli.invoke(main, ["db", "upgrade"])
    first = cli.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert re.search(r"3 regions, 12 projects, [\d,]+ assets", first.output)
    assert "leasekeeper-demo" in first.output
    second = cli.invoke(main, ["demo"])
    assert "already holds data" in second.output
    assert "rm.east" in second.output
