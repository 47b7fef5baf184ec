"""The leasekeeper labels commands: print a project's sheet with progress, verify a sheet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from backend.cli import main
from qr_tools.render import LabelContent, draw_label

ENVIRONMENT = {
    "SECRET_KEY": "cli-test-secret",
    "LABEL_SIGNING_KEYS": "2026:cli-label-secret-2026,2025:cli-label-secret-2025",
    "LOG_LEVEL": "WARNING",
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo data, seeded once for the module (the commands here only read it)."""
    path = tmp_path_factory.mktemp("cli-labels") / "demo.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENVIRONMENT.items() | {"DATABASE_URL": f"sqlite:///{path}"}.items():
            patch.setenv(name, value)
        runner = CliRunner()
        assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
        assert runner.invoke(main, ["demo"]).exit_code == 0
    return path


@pytest.fixture
def cli(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cjk_font: Path) -> CliRunner:
    """A runner on a copy of the demo database."""
    copy = tmp_path / "cli.sqlite3"
    shutil.copyfile(seeded, copy)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def test_a_printed_sheet_verifies_with_one_line_per_code_and_a_summary(
    cli: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "labels.pdf"
    printed = cli.invoke(
        main, ["labels", "--project", "1", "--status", "leased", "--layout", "a4-4x10", "--out", str(out)]
    )
    assert printed.exit_code == 0, printed.output
    count = int(printed.output.split("Wrote ")[1].split()[0])
    verified = cli.invoke(main, ["labels", "verify", str(out)])
    assert verified.exit_code == 0, verified.output
    lines = verified.output.strip().splitlines()
    assert len(lines) == count + 1
    assert all(line.endswith("OK (key 2026)") for line in lines[:-1])
    assert lines[-1] == f"{count} codes, {count} valid, 0 with problems."


def test_verify_fails_on_a_foreign_code(cli: CliRunner, tmp_path: Path, cjk_font: Path) -> None:
    image = tmp_path / "photo.png"
    draw_label(LabelContent("https://example.org/a/X1?s=1AAAAAAAA", "X1", "?"), 591, 354, cjk_font).save(
        image
    )
    result = cli.invoke(main, ["labels", "verify", str(image)])
    assert result.exit_code == 1
    assert "foreign" in result.output
    assert "1 codes, 0 valid, 1 with problems." in result.output


def test_an_image_without_codes_fails_verification(cli: CliRunner, tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    result = cli.invoke(main, ["labels", "verify", str(blank)])
    assert result.exit_code == 1
    assert "0 codes" in result.output


def test_an_unknown_project_is_named_and_no_file_is_left(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "labels.pdf"
    result = cli.invoke(main, ["labels", "--project", "NO-SUCH", "--out", str(out)])
    assert result.exit_code == 1
    assert "Project not found" in result.output
    assert list(tmp_path.glob("labels.pdf*")) == []


def test_printing_without_project_or_output_is_a_usage_error(cli: CliRunner) -> None:
    result = cli.invoke(main, ["labels", "--layout", "a4-3x8"])
    assert result.exit_code == 2
    assert "--project" in result.output
