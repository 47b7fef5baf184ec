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
    sent = re.search(r"Reminders: (\d+) sent for the critical dates already due", first.output)
    assert sent is not None, first.output
    assert int(sent.group(1)) > 0
    signals = re.search(
        r"IoT signals: (\d+) meters and door sensors, (\d+) readings .*; (\d+) flags raised", first.output
    )
    assert signals is not None, first.output
    assert min(int(signals.group(n)) for n in (1, 2, 3)) > 0
    second = cli.invoke(main, ["demo"])
    assert "already holds data" in second.output
    assert "rm.east" in second.output
    audited = cli.invoke(main, ["iot", "audit"])
    assert audited.exit_code == 0, audited.output
    assert re.search(r"Audit \d+ \(done\): \d+ of [\d]+ assets disagree", audited.output)
    flagged = cli.invoke(main, ["iot", "flags", "--project", "SH-LJZ"])
    assert flagged.exit_code == 0, flagged.output
    assert "raised: {}" in flagged.output  # the demo raised them already: nothing new


def test_the_worker_runs_every_due_job_once_and_jobs_list_shows_them(cli: CliRunner) -> None:
    cli.invoke(main, ["db", "upgrade"])

    first = cli.invoke(main, ["worker", "--once"])
    again = cli.invoke(main, ["worker", "--once"])
    listed = cli.invoke(main, ["jobs", "list"])

    assert first.exit_code == 0, first.output
    for job in ("requests.expire", "sync.prune", "schedules.dry_run"):
        assert re.search(rf"^{re.escape(job)} +\S+ +succeeded", first.output, re.M), first.output
    # Each slot ran once: only the every-minute job may have a new slot if the minute turned in between.
    repeated = [line for line in again.output.splitlines() if "succeeded" in line]
    assert all(line.startswith("collections.device_commands") for line in repeated), again.output
    assert listed.exit_code == 0, listed.output
    assert re.search(r"^requests\.expire +0 \* \* \* \* +UTC +\S+ \S+ +succeeded 1$", listed.output, re.M)
    assert re.search(r"^deliveries +continuous", listed.output, re.M)
    run_id = re.search(r"^ +(\d+) requests\.expire +succeeded", listed.output, re.M)
    assert run_id is not None, listed.output
    shown = cli.invoke(main, ["jobs", "show", run_id.group(1)])
    assert re.search(r"^job +requests\.expire$", shown.output, re.M)
    assert re.search(r"^attempt +1$", shown.output, re.M)
    refused = cli.invoke(main, ["jobs", "retry", run_id.group(1)])
    assert refused.exit_code == 1
    assert "Only a failed run can be retried." in refused.output
    missing = cli.invoke(main, ["jobs", "show", "999999"])
    assert missing.exit_code == 1
