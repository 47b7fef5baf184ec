"""The `leasekeeper import` commands: lease files previewed and committed, and the template workbook."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from backend import create_app
from backend.cli import main
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.leasing.services import leases
from backend.org.domain.org import AssetType, CustomerKind, ProjectCategory
from backend.org.services import customers, org
from tests.support.lease_files import EN, office_template, row, xlsx

SYSTEM = Actor.system(Origin.CLI, "tests")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner on a fresh, migrated SQLite file holding a project, two units, a customer and a template."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    database = create_app().extensions["leasekeeper.db"]
    with database.unit_of_work() as uow:
        region = org.create_region({"code": "EAST", "name": "华东区域"}, SYSTEM, uow)
        project = org.create_project(
            {
                "region_id": region.id,
                "code": "SH-01",
                "name": "陆家嘴中心",
                "city": "上海",
                "category": ProjectCategory.OFFICE,
                "timezone": "Asia/Shanghai",
                "holiday_calendar": "CN",
            },
            SYSTEM,
            uow,
        )
        for code in ("SH-01-1201", "SH-01-1202"):
            values = {
                "project_id": project.id,
                "code": code,
                "asset_type": AssetType.OFFICE,
                "area_m2": Decimal(80),
            }
            org.create_asset(values, SYSTEM, uow)
        customer = {"region_id": region.id, "code": "C0001", "kind": CustomerKind.COMPANY, "name": "星河科技"}
        customers.create_customer(customer, SYSTEM, uow)
        leases.create_template(office_template(), SYSTEM, uow)
    database.dispose()
    return runner


def test_a_clean_file_is_previewed_then_imported_with_commit(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "leases.xlsx"
    path.write_bytes(xlsx([EN, row("L-1"), row("L-2", asset="SH-01-1202", status="draft")]))
    preview = cli.invoke(main, ["import", "leases", str(path)])
    assert preview.exit_code == 0, preview.output
    assert "2 rows checked: 2 leases (1 signed) would be created." in preview.output
    committed = cli.invoke(main, ["import", "leases", str(path), "--commit"])
    assert committed.exit_code == 0, committed.output
    assert "Imported 2 leases (1 signed) from 2 rows." in committed.output
    again = cli.invoke(main, ["import", "leases", str(path)])
    assert again.exit_code == 1
    assert "Lease L-1 already exists." in again.output


def test_problems_are_printed_as_a_table_and_exit_with_1(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "leases.xlsx"
    path.write_bytes(xlsx([EN, row("L-1", frequency="每周")]))
    result = cli.invoke(main, ["import", "leases", str(path), "--commit"])
    assert result.exit_code == 1
    assert "  row  column     problem" in result.output
    assert "    2  frequency  Unknown value “每周”" in result.output
    assert "1 problem in 1 row; nothing was imported." in result.output


def test_a_file_of_another_type_is_refused_naming_the_accepted_ones(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "leases.txt"
    path.write_text("number\n")
    result = cli.invoke(main, ["import", "leases", str(path)])
    assert result.exit_code == 1
    assert "accepted: .xlsx, .csv" in result.output


def test_the_template_workbook_holds_both_headers_and_an_example_row_that_parses(
    cli: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "template.xlsx"
    assert cli.invoke(main, ["import", "template", "--out", str(out)]).exit_code == 0
    sheet = load_workbook(out).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:2] == ["合同编号/number", "项目编号/project"]
    assert sheet.max_row == 2
    checked = cli.invoke(main, ["import", "leases", str(out)])
    assert "No active user named “zhang.wei”." in checked.output
    assert "1 problem in 1 row;" in checked.output


def test_a_database_locked_past_the_busy_timeout_is_a_clear_error_not_a_traceback(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from backend.leasing.services import lease_import_jobs

    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError(
            "INSERT INTO lease_imports …", {}, sqlite3.OperationalError("database is locked")
        )

    monkeypatch.setattr(lease_import_jobs, "queue", locked)
    path = tmp_path / "leases.xlsx"
    path.write_bytes(xlsx([EN, row("L-1")]))
    result = cli.invoke(main, ["import", "leases", str(path), "--commit"])
    assert result.exit_code == 1
    assert "The database is busy: another process kept it locked for too long." in result.output
    assert "Traceback" not in result.output


def test_a_commit_shows_a_progress_bar_per_phase(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "leases.xlsx"
    path.write_bytes(xlsx([EN, row("L-1"), row("L-2", asset="SH-01-1202")]))
    result = CliRunner().invoke(main, ["import", "leases", str(path), "--commit"])
    assert result.exit_code == 0, result.output
    assert "checking" in result.stderr
    assert "moving" in result.stderr
