"""`leasekeeper checklists seed`: installs one default checklist per asset type, once."""

from __future__ import annotations

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


def test_seeding_checklists_twice_installs_them_once(cli: CliRunner) -> None:
    assert cli.invoke(main, ["db", "upgrade"]).exit_code == 0
    first = cli.invoke(main, ["checklists", "seed"])
    assert first.exit_code == 0, first.output
    assert "9 checklists installed, 0 already present." in first.output
    again = cli.invoke(main, ["checklists", "seed"])
    assert "0 checklists installed, 9 already present." in again.output
