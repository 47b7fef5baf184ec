"""`leasekeeper leases advance`: the daily lifecycle run, recorded as a job run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main


def test_the_advance_command_reports_the_leases_it_moved_and_its_job_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(main, ["leases", "advance"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "0 leases moved (job run 1)."
    assert runner.invoke(main, ["leases", "advance"]).output.strip() == "0 leases moved (job run 2)."
