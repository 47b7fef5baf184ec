"""Importing leases from spreadsheets against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from backend.adapters.spreadsheets import FileTooLarge, UnsupportedFileType
from backend.core.db.database import Database
from backend.core.db.models import JobRun
from backend.core.domain.audit import Origin
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.leasing.db.models import Lease, ScheduleItem
from backend.leasing.domain.leases import LeaseStatus
from backend.leasing.domain.schedule import Frequency
from backend.leasing.services import lease_import, leases
from tests.support.lease_files import EN, NOW, SYSTEM, ZH, csv_bytes, office_template, row, seed_world, xlsx


@pytest.fixture
def world(
    run: Callable[..., Any], make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> dict[str, Any]:
    """A region with one project, three units, a customer and an office contract template."""
    return seed_world(run, make_region, make_project, make_asset, make_customer)


def count(db: Database, model: Any, *where: Any) -> int:
    """Rows of a table, optionally filtered."""
    with db.unit_of_work() as uow:
        assert uow.session is not None
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_an_xlsx_file_with_english_headers_is_previewed_without_writing(
    world: Any, run: Any, db: Database
) -> None:
    data = xlsx([EN, row("L-1"), row("L-2", asset="SH-01-1202", status="draft")])
    report = run(lease_import.preview, data, "leases.xlsx", SYSTEM, now=NOW)
    assert report.problems == []
    assert report.rows == 2
    assert [lease.number for lease in report.leases] == ["L-1", "L-2"]
    assert report.leases[0].schedule_items > 0
    assert count(db, Lease) == 0
    assert count(db, ScheduleItem) == 0


def test_commit_creates_and_signs_in_one_go_and_records_a_job_run(world: Any, run: Any, db: Database) -> None:
    data = xlsx([ZH, row("L-1"), row("L-2", asset="SH-01-1202", status="草稿")])
    report = run(lease_import.commit, data, "leases.xlsx", SYSTEM, now=NOW)
    assert report.committed
    assert len(report.created_ids) == 2
    with db.unit_of_work() as uow:
        signed = uow.leases.find(report.created_ids[0])
        assert signed.status is LeaseStatus.SIGNED
        assert signed.frequency is Frequency.BIMONTHLY
        assert signed.deposit_amount == Decimal("25600.00")
        assert uow.leases.find(report.created_ids[1]).status is LeaseStatus.DRAFT
    assert count(db, ScheduleItem, ScheduleItem.lease_id == report.created_ids[0]) == 6
    runs = count(db, JobRun, JobRun.kind == JobKind.LEASE_IMPORT, JobRun.status == JobStatus.SUCCEEDED)
    assert runs == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_files_are_read_in_utf8_with_or_without_bom_and_in_gbk(
    world: Any, run: Any, encoding: str
) -> None:
    cells = row("合同-1")
    cells[7] = "￥12,800.00"
    data = csv_bytes([ZH, cells], encoding)
    report = run(lease_import.preview, data, "导出.csv", SYSTEM, now=NOW)
    assert report.problems == []
    assert report.leases[0].number == "合同-1"


def test_an_unknown_frequency_is_rejected_naming_the_value_and_the_accepted_ones(
    world: Any, run: Any
) -> None:
    report = run(lease_import.preview, xlsx([ZH, row("L-1", frequency="每周")]), "x.xlsx", SYSTEM, now=NOW)
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, "付款周期")
    assert "每周" in problem.message
    assert "monthly, bimonthly, quarterly" in problem.message


def test_one_invalid_row_makes_commit_write_nothing_but_a_failed_job_run(
    world: Any, run: Any, db: Database
) -> None:
    bad = row("L-2", asset="SH-01-1202")
    bad[5] = "2026-02-30"
    data = xlsx([EN, row("L-1"), bad])
    with pytest.raises(lease_import.ImportRefused) as refused:
        run(lease_import.commit, data, "x.xlsx", SYSTEM, now=NOW)
    assert [(p.row, p.column) for p in refused.value.report.problems] == [(3, "starts_on")]
    assert "3.starts_on" in refused.value.fields
    assert count(db, Lease) == 0
    assert count(db, ScheduleItem) == 0
    assert count(db, JobRun, JobRun.kind == JobKind.LEASE_IMPORT, JobRun.status == JobStatus.FAILED) == 1


def test_duplicate_numbers_in_the_file_and_in_the_database_are_reported(world: Any, run: Any) -> None:
    run(lease_import.commit, xlsx([EN, row("L-1")]), "x.xlsx", SYSTEM, now=NOW)
    data = xlsx(
        [EN, row("L-1", asset="SH-01-1202"), row("L-9", asset="SH-01-1203"), row("L-9", "SH-01-1203")]
    )
    report = run(lease_import.preview, data, "x.xlsx", SYSTEM, now=NOW)
    messages = [(p.row, p.column, p.message) for p in report.problems]
    assert (2, "number", "Lease L-1 already exists.") in messages
    assert (4, "number", "Lease number L-9 is also used on row 3.") in messages


def test_one_asset_in_two_overlapping_signed_rows_is_reported(world: Any, run: Any) -> None:
    report = run(lease_import.preview, xlsx([EN, row("L-1"), row("L-2")]), "x.xlsx", SYSTEM, now=NOW)
    [problem] = report.problems
    assert (problem.row, problem.column) == (3, "assets")
    assert "also let on row 2" in problem.message


def test_an_asset_already_let_in_the_database_is_reported_on_its_row(world: Any, run: Any) -> None:
    run(lease_import.commit, xlsx([EN, row("L-1")]), "x.xlsx", SYSTEM, now=NOW)
    report = run(lease_import.preview, xlsx([EN, row("L-2")]), "x.xlsx", SYSTEM, now=NOW)
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, "assets")
    assert "already let by lease L-1" in problem.message


def test_codes_outside_the_actors_scope_are_unknown(
    world: Any, run: Any, make_region: Any, make_project: Any, make_user: Any
) -> None:
    other = make_project(make_region(), code="BJ-01")
    manager = make_user("project_manager", project_id=other.id)
    actor = Actor(leases_principal(run, manager), Origin.WEB)
    report = run(lease_import.preview, xlsx([EN, row("L-1")]), "x.xlsx", actor, now=NOW)
    columns = {(p.column, p.message) for p in report.problems}
    assert ("project", "Unknown project “SH-01”, or outside your projects.") in columns
    assert ("assets", "Unknown asset “SH-01-1201”, or outside your projects.") in columns


def leases_principal(run: Any, user: Any) -> Any:
    """The principal of a user, as a request would carry it."""

    def principal(uow: Any) -> Any:
        return auth.principal_of(uow.users.find(user.id))

    return run(principal)


def test_progress_is_reported_up_to_the_number_of_rows(world: Any, run: Any) -> None:
    seen: list[tuple[int, int]] = []
    data = xlsx([EN, row("L-1"), row("L-2", asset="SH-01-1202"), row("L-3", asset="SH-01-1203")])
    run(lease_import.preview, data, "x.xlsx", SYSTEM, now=NOW, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3, 3)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_schedule_that_cannot_be_signed_is_reported_on_its_row(world: Any, run: Any) -> None:
    template = office_template("STRICT") | {"required_fields": ["account_manager_id"]}
    run(leases.create_template, template, SYSTEM)
    strict = row("L-1")
    strict[4] = "STRICT"
    report = run(
        lease_import.preview, xlsx([EN, strict, row("L-2", asset="SH-01-1202")]), "x.xlsx", SYSTEM, now=NOW
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "客户经理/account_manager")]
    assert [lease.number for lease in report.leases] == ["L-2"]


def test_unknown_and_missing_columns_are_reported_on_the_header_row(world: Any, run: Any) -> None:
    report = run(lease_import.preview, xlsx([["number", "备注"]]), "x.xlsx", SYSTEM, now=NOW)
    problems = {(p.row, p.column) for p in report.problems}
    assert (1, "备注") in problems
    assert (1, "项目编号/project") in problems


def test_escalation_free_months_and_extra_charges_reach_the_lease(world: Any, run: Any, db: Database) -> None:
    headers = [
        *EN,
        "物业费",
        "免租期（月）",
        "递增比例(%)",
        "Escalation Every Months",
        "客户经理",
        "标签",
        "付款日",
    ]
    data = xlsx([headers, [*row("L-1"), 1500, 2, "5%", 6, "", "重点、VIP", 10]])
    report = run(lease_import.commit, data, "x.xlsx", SYSTEM, now=NOW)
    with db.unit_of_work() as uow:
        lease = uow.leases.find(report.created_ids[0])
        assert {line.charge_type.value for line in lease.current_lines} == {"rent", "service_fee"}
        assert lease.current_concessions[0].ends_on == date(2026, 2, 28)
        assert lease.tags == ["重点", "VIP"]
        assert lease.due_day == 10
        rents = sorted(
            line.monthly_amount for line in lease.current_lines if line.charge_type.value == "rent"
        )
        assert rents == [Decimal("12800.00"), Decimal("13440.00")]


def test_other_file_types_and_oversized_files_are_refused(world: Any, run: Any) -> None:
    with pytest.raises(UnsupportedFileType, match=r"\.xlsx, \.csv"):
        run(lease_import.preview, b"%PDF", "leases.pdf", SYSTEM, now=NOW)
    with pytest.raises(FileTooLarge):
        run(lease_import.preview, b"x" * (11 * 1024 * 1024), "leases.csv", SYSTEM, now=NOW)


def test_a_cell_formatted_as_a_percentage_in_excel_is_read_as_that_percentage(
    world: Any, run: Any, db: Database
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([*EN, "递增比例(%)"])
    sheet.append([*row("L-1"), 0.05])
    sheet.cell(row=2, column=len(EN) + 1).number_format = "0%"
    sheet.cell(row=2, column=6).value = datetime(2026, 1, 1)  # noqa: DTZ001 - Excel dates carry no zone
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(lease_import.commit, buffer.getvalue(), "x.xlsx", SYSTEM, now=NOW)
    with db.unit_of_work() as uow:
        [rent] = [line for line in uow.leases.find(report.created_ids[0]).charge_lines if line.version == 1]
        assert rent.escalation_value == Decimal(5)


def test_a_commit_of_an_unreadable_file_is_recorded_as_a_failed_job_run(
    world: Any, run: Any, db: Database
) -> None:
    with pytest.raises(UnsupportedFileType):
        run(lease_import.commit, b"%PDF", "leases.pdf", SYSTEM, now=NOW)
    with db.unit_of_work() as uow:
        assert uow.session is not None
        [job] = uow.session.scalars(select(JobRun).where(JobRun.kind == JobKind.LEASE_IMPORT)).all()
        assert job.status is JobStatus.FAILED
        assert "accepted: .xlsx, .csv" in job.details["first_problems"][0]["problem"]
