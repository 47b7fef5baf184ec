"""The collections API as finance, legal and a manager use it, scoped to their region, in both languages."""

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import flask_babel
import openpyxl
import pytest

from backend.banking.services import accounts, imports, reconciliation
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.demo.statement_files import BankTransaction, StatementAccount, write_bank_csv
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases
from backend.receivables.services import billing
from tests.conftest import SYSTEM

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)  # the February bill (due 5 Feb) is 33 days overdue, March's 5 days
ACCOUNT = "1001 0001 0926 2626 26"


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), ZONE).astimezone(UTC)


@pytest.fixture
def ledger(
    app: Any,
    run: Callable[..., Any],
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_customer: Any,
) -> dict[str, Any]:
    """East: 星河 owes February and March (10,000.00 each); the statement through yesterday is in."""
    app.extensions["leasekeeper.clock"] = lambda: at(TODAY, 10)
    east, south = make_region("EAST"), make_region("SOUTH")
    project = make_project(east, "SH-LJZ")
    star = make_customer(east, "C-STAR", name="上海星河科技有限公司", email="ap@star.example")
    template = run(
        leases.create_template,
        TEMPLATES_BY_TYPE[ContractType.OFFICE].values()
        | {"code": "M5", "required_fields": [], "frequency": "monthly", "timing": "prepaid", "due_day": 5}
        | {"due_offset_days": 0, "business_day_rule": "none"},
        SYSTEM,
    )
    draft = run(
        leases.create_lease,
        {
            "template_id": template.id,
            "asset_ids": [make_asset(project).id],
            "customer_id": star.id,
            "starts_on": date(2026, 2, 1),
            "ends_on": date(2027, 1, 31),
            "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("10000.00")}],
            "late_fee_rate": Decimal("0.0005"),
            "late_fee_article": "第12条",
        },
        SYSTEM,
    )
    lease = run(leases.sign_lease, draft.id, SYSTEM, now=datetime(2026, 1, 10, tzinfo=UTC))
    run(billing.run_billing, project.id, SYSTEM, now=at(date(2026, 3, 1), 0))
    account_id = run(
        lambda uow: (
            accounts.create_account(
                {
                    "region_id": east.id,
                    "bank_name": "中国工商银行上海分行",
                    "account_number": ACCOUNT,
                    "account_name": "华东资产管理有限公司",
                    "profile_code": "ICBC",
                },
                SYSTEM,
                uow,
            ).id
        )
    )
    fee = BankTransaction(
        booked_on=date(2026, 3, 9), amount=Decimal("-1.00"), memo="账户管理费", reference="F1"
    )
    data = write_bank_csv(
        "ICBC", StatementAccount(number=ACCOUNT, name="华东", opening_balance=Decimal(100)), [fee]
    )
    run(imports.import_statement, account_id, data, "icbc.csv", None, True, SYSTEM, now=at(TODAY, 7))
    run(reconciliation.run, Actor.system(Origin.JOB, "tests"), now=at(TODAY, 7))
    return {"east": east, "south": south, "project": project, "star": star, "lease": lease}


def test_finance_runs_dunning_reads_the_workbench_and_records_a_promise(
    ledger: dict[str, Any], make_user: Any, bearer_client: Any
) -> None:
    finance = bearer_client(make_user("finance", username="finance.east", region_id=ledger["east"].id))
    project_id, star_id = ledger["project"].id, ledger["star"].id

    # One click on the customer first (the field's workbench), then the project's run leaves them alone.
    one = finance.post("/api/collections/runs", json={"project_id": project_id, "customer_id": star_id})
    assert (one.status_code, one.json["by_action"]) == (201, {"notice": 1})
    twice = finance.post("/api/collections/runs", json={"project_id": project_id, "customer_id": star_id})
    assert twice.status_code == 409
    ran = finance.post("/api/collections/runs", json={"project_id": project_id})
    assert ran.status_code == 201, ran.json
    assert ran.json["customers"] == 0
    assert ran.json["run_on"] == "2026-03-10"
    ran = one
    # Late fees through 9 March at 0.05 % a day: February's bill 6 Feb–9 Mar, 32 days × 5.00;
    # March's 6–9 Mar, 4 days × 5.00 → 160.00 + 20.00.
    assert (ran.json["late_fee_bills"], ran.json["late_fees"]) == (2, "180.00")
    again = finance.post("/api/collections/runs", json={"project_id": project_id})
    assert (again.status_code, again.json["customers"], again.json["late_fees"]) == (201, 0, "0.00")

    [standing] = finance.get(f"/api/collections/standings?project_id={project_id}").json
    # 33 days overdue on first sight: one step only, the friendly reminder (in Chinese by default).
    assert (standing["customer_id"], standing["tier"], standing["oldest_days"]) == (star_id, "friendly", 33)
    assert standing["tier_name"] == "友好提醒"
    assert standing["overdue"] == {"CNY": "20000.00"}
    [notice] = finance.get(f"/api/collections/notices?customer_id={star_id}").json
    assert (notice["action"], notice["channels"], notice["targets"]) == (
        "notice",
        ["email"],
        ["ap@star.example"],
    )
    assert [bill["open"] for bill in notice["bills"]] == ["10000.00", "10000.00"]
    assert "若有付款已完成，请忽略此消息" in notice["body"]

    # A late fee is waived only once someone else approves: finance asks, the regional manager decides.
    february = notice["bills"][0]["charge_id"]
    fee = finance.get(f"/api/collections/charges/{february}/late-fee").json
    assert (fee["posted"], fee["waived"], fee["through"]) == ("160.00", "0.00", "2026-03-09")
    too_much = {"charge_id": february, "amount": "160.01", "reason": "客户首次逾期"}
    assert finance.post("/api/collections/late-fee-waivers", json=too_much).status_code == 422
    asked = finance.post("/api/collections/late-fee-waivers", json={**too_much, "amount": "60.00"})
    assert asked.status_code == 201, asked.json
    assert finance.get(f"/api/collections/charges/{february}/late-fee").json["waived"] == "0.00"
    assert finance.post(f"/api/approvals/{asked.json['id']}/approve", json={}).status_code in {403, 409}
    manager = bearer_client(make_user("regional_manager", username="rm.east", region_id=ledger["east"].id))
    approved = manager.post(f"/api/approvals/{asked.json['id']}/approve", json={"note": "同意"})
    assert approved.status_code == 200, approved.json
    fee = finance.get(f"/api/collections/charges/{february}/late-fee").json
    assert (fee["posted"], fee["waived"], fee["owed"]) == ("160.00", "60.00", "100.00")
    assert [(p["kind"], p["amount"]) for p in fee["postings"]] == [
        ("accrual", "160.00"),
        ("waiver", "-60.00"),
    ]

    bad = finance.post(
        "/api/collections/promises",
        json={
            "project_id": project_id,
            "customer_id": star_id,
            "promised_on": "2026-03-01",
            "amount": "30000.00",
        },
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"promised_on", "amount"}
    assert "20,000.00" in bad.json["errors"]["json"]["amount"][0]
    made = finance.post(
        "/api/collections/promises",
        json={
            "project_id": project_id,
            "customer_id": star_id,
            "promised_on": "2026-03-15",
            "amount": "20000.00",
        },
    )
    assert made.status_code == 201, made.json
    assert (made.json["state"], made.json["made_on"]) == ("open", "2026-03-10")
    assert [p["id"] for p in finance.get("/api/collections/promises?state=open").json] == [made.json["id"]]

    profile = finance.get(f"/api/collections/customers/{star_id}/credit")
    assert profile.status_code == 200, profile.json
    assert profile.json["features"]["bills"] == 2
    assert profile.json["features"]["late_bills"] == 2
    assert all(reason["message"] for reason in profile.json["reasons"])
    lease_health = finance.get(f"/api/collections/leases/{ledger['lease'].id}/health")
    assert lease_health.status_code == 200, lease_health.json
    assert lease_health.json["renewal"]["recommendation"] in {
        "retain",
        "normal_follow_up",
        "prepare_to_release",
    }

    south = bearer_client(make_user("finance", username="finance.south", region_id=ledger["south"].id))
    assert south.get("/api/collections/standings").json == []
    assert south.get(f"/api/collections/notices/{notice['id']}").status_code == 404
    assert south.get(f"/api/collections/customers/{star_id}/credit").status_code == 404
    assert south.post("/api/collections/runs", json={"project_id": project_id}).status_code == 404
    inspector = bearer_client(make_user("inspector", username="inspector", project_id=project_id))
    assert inspector.get("/api/collections/standings").status_code == 403

    # The month's high-risk report: 星河, both bills late (a 50 % chance or more), the reader's region only.
    workbook = finance.get("/api/collections/reports/high-risk?month=2026-03&format=xlsx")
    assert workbook.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(workbook.data), read_only=True)
    assert sheets.sheetnames == ["按项目", "客户"]
    rows = list(sheets["客户"].iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "客户", "项目", "级别")
    assert [(row[0], row[2], row[3], row[4]) for row in rows[1:]] == [("C-STAR", "SH-LJZ", "友好提醒", 33)]
    pdf = finance.get("/api/collections/reports/high-risk?month=2026-03&format=pdf")
    assert (pdf.status_code, pdf.data[:5]) == (200, b"%PDF-")
    theirs = south.get("/api/collections/reports/high-risk?month=2026-03&format=xlsx")
    assert (
        list(openpyxl.load_workbook(io.BytesIO(theirs.data)).worksheets[1].iter_rows(values_only=True))[1:]
        == []
    )
    assert finance.get("/api/collections/reports/high-risk?month=2026-13&format=xlsx").status_code == 422
    leases = finance.get(f"/api/collections/reports/lease-health?project_id={project_id}&format=xlsx")
    assert leases.status_code == 200
    lease_rows = list(
        openpyxl.load_workbook(io.BytesIO(leases.data)).worksheets[1].iter_rows(values_only=True)
    )
    assert [row[0] for row in lease_rows[1:]] == [ledger["lease"].number]
    assert (
        south.get(f"/api/collections/reports/lease-health?project_id={project_id}&format=pdf").status_code
        == 404
    )


def test_a_policy_names_a_bad_placeholder_and_the_run_refuses_without_yesterdays_statement(
    ledger: dict[str, Any], make_user: Any, bearer_client: Any, app: Any
) -> None:
    finance = bearer_client(make_user("finance", username="finance.east", region_id=ledger["east"].id))
    project_id = ledger["project"].id
    policies = finance.get(f"/api/collections/policies/{project_id}").json
    assert {(p["customer_tier"], p["formal_from"], p["legal_from"], p["stored"]) for p in policies} == {
        ("standard", 16, 31, False),
        ("key_account", 16, 31, False),
    }
    finance.patch("/api/auth/me", json={"locale": "en"})
    flask_babel.refresh()
    refused = finance.put(
        f"/api/collections/policies/{project_id}/standard",
        json={"templates": {"friendly.first.en": {"subject": "Rent", "body": "Dear ${custmer}"}}},
    )
    assert refused.status_code == 422
    [message] = refused.json["errors"]["json"]["templates.friendly.first.en.body"]
    assert "${custmer}" in message
    assert "${customer}" in message
    assert finance.put(f"/api/collections/policies/{project_id}/standard", json={}).status_code == 422
    out_of_order = finance.put(f"/api/collections/policies/{project_id}/standard", json={"formal_from": 40})
    assert out_of_order.status_code == 422
    assert "formal_from" in out_of_order.json["errors"]["json"]
    saved = finance.put(
        f"/api/collections/policies/{project_id}/standard",
        json={
            "repeat_days": 5,
            "templates": {"friendly.first.en": {"subject": "Rent", "body": "Dear ${customer}"}},
        },
    )
    assert saved.status_code == 200, saved.json
    assert (saved.json["repeat_days"], saved.json["stored"]) == (5, True)

    # Third-party credit information only under a recorded consent; without a provider set up, a clear 409.
    star_id = ledger["star"].id
    assert finance.get(f"/api/collections/customers/{star_id}/credit-consents").json == []
    consent = finance.post(
        f"/api/collections/customers/{star_id}/credit-consents",
        json={"granted_on": "2026-03-01", "expires_on": "2027-02-28", "document": "档案柜 A-12 授权书"},
    )
    assert consent.status_code == 201, consent.json
    assert [
        c["current"] for c in finance.get(f"/api/collections/customers/{star_id}/credit-consents").json
    ] == [True]
    fetched = finance.post(f"/api/collections/customers/{star_id}/credit-signals/fetch")
    assert fetched.status_code == 409
    assert "CREDIT_SIGNALS_URL" in fetched.json["message"]
    assert finance.get(f"/api/collections/customers/{star_id}/credit-signals").json == []
    assert finance.get("/api/collections/device-locks").json == []

    # The next day nobody imported 10 March's statement: the run refuses, naming the account; nothing written.
    app.extensions["leasekeeper.clock"] = lambda: at(date(2026, 3, 11), 10)
    late = finance.post("/api/collections/runs", json={"project_id": project_id})
    assert late.status_code == 409
    assert "2026-03-10" in late.json["message"]
    assert ACCOUNT in late.json["message"]
    assert finance.get("/api/collections/notices").json == []
