"""From a bank's CSV to a reconciled ledger through the API, with the scoping finance staff rely on.

A finance user of the east region imports an ICBC export of the region's account: a payment naming its
bill, a parent company's payment under a registered payer name, two bills paid at once, one short of a
bank fee, a stray receipt. The reconciliation settles what the rules allow and leaves the rest on the
difference list; the stray line is matched by hand, learning the payer, and unmatched again. Finance of
another region sees none of it.
"""

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.demo.statement_files import BankTransaction, StatementAccount, write_bank_csv
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases
from backend.receivables.services import billing
from tests.conftest import SYSTEM

BILLED_AT = datetime(2026, 3, 21, 0, 0, tzinfo=UTC)
ACCOUNT_NUMBER = "1001 0001 0926 2626 26"


@pytest.fixture
def ledger(
    run: Callable[..., Any], make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> dict[str, Any]:
    """East: two tenants with monthly bills due on the 5th; south: one tenant; bills issued on 21 March."""
    east, south = make_region("EAST"), make_region("SOUTH")
    p_east, p_south = make_project(east, "SH-LJZ"), make_project(south, "GZ-TH")
    star = make_customer(
        east,
        "C-STAR",
        name="上海星河科技有限公司",
        bank_accounts=[
            {
                "bank_name": "招商银行",
                "account_number": "6214 8301 2345 6789",
                "account_name": "上海星河科技有限公司",
            }
        ],
        payer_names=[{"name": "星河控股集团有限公司"}],
    )
    moon = make_customer(east, "C-MOON", name="上海明月餐饮管理有限公司")
    sun = make_customer(south, "C-SUN", name="广州太阳贸易有限公司")
    template = run(
        leases.create_template,
        TEMPLATES_BY_TYPE[ContractType.OFFICE].values()
        | {
            "code": "M5",
            "required_fields": [],
            "frequency": "monthly",
            "timing": "prepaid",
            "due_day": 5,
            "due_offset_days": 0,
            "business_day_rule": "none",
        },
        SYSTEM,
    )
    signed = {}
    for name, customer, project, rent in (
        ("star", star, p_east, "10000.00"),
        ("moon", moon, p_east, "6000.00"),
        ("sun", sun, p_south, "8000.00"),
    ):
        draft = run(
            leases.create_lease,
            {
                "template_id": template.id,
                "asset_ids": [make_asset(project).id],
                "customer_id": customer.id,
                "starts_on": date(2026, 2, 1),
                "ends_on": date(2027, 1, 31),
                "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal(rent)}],
                "deposit_amount": Decimal(rent) * 2,
            },
            SYSTEM,
        )
        signed[name] = run(leases.sign_lease, draft.id, SYSTEM, now=datetime(2026, 1, 10, tzinfo=UTC))
    for project in (p_east, p_south):
        run(billing.run_billing, project.id, SYSTEM, now=BILLED_AT)
    return {
        "east": east,
        "south": south,
        "p_east": p_east,
        "p_south": p_south,
        "leases": signed,
        "star": star,
        "moon": moon,
        "sun": sun,
    }


def _bills(client: Any, customer_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/charges?customer_id={customer_id}&sort=due_date")
    assert response.status_code == 200, response.json
    return list(response.json)


def test_an_imported_statement_reconciles_by_rule_and_by_hand_within_the_region(
    ledger: dict[str, Any], make_user: Any, bearer_client: Any
) -> None:
    finance = bearer_client(make_user("finance", username="finance.east", region_id=ledger["east"].id))
    star_bills = _bills(finance, ledger["star"].id)  # due 5 Feb, 5 Mar, 5 Apr: 10,000.00 each
    moon_bills = _bills(finance, ledger["moon"].id)  # 6,000.00 each
    assert [b["amount"] for b in star_bills] == ["10000.00"] * 3
    account = _open_account(finance, ledger)
    transactions = [
        # Names star's February bill; from star's registered account.
        BankTransaction(
            booked_on=date(2026, 3, 3),
            amount=Decimal("10000.00"),
            counterparty_name="上海星河科技有限公司",
            counterparty_account="6214830123456789",
            memo=f"房租 {star_bills[0]['number']}",
            reference="R1",
        ),
        # The parent company pays star's March bill, short of a 12.00 bank fee.
        BankTransaction(
            booked_on=date(2026, 3, 6),
            amount=Decimal("9988.00"),
            counterparty_name="星河控股集团有限公司",
            memo="代付租金",
            reference="R2",
        ),
        # Moon pays February and March at once, under a variant of its name.
        BankTransaction(
            booked_on=date(2026, 3, 7),
            amount=Decimal("12000.00"),
            counterparty_name="上海明月餐饮管理有限责任公司",
            memo="2-3月租金",
            reference="R3",
        ),
        # Nobody we know.
        BankTransaction(
            booked_on=date(2026, 3, 8),
            amount=Decimal("6000.00"),
            counterparty_name="王小明",
            counterparty_account="6222020200112233",
            memo="租金",
            reference="R4",
        ),
        BankTransaction(
            booked_on=date(2026, 3, 9), amount=Decimal("-15.00"), memo="账户管理费", reference="R5"
        ),
    ]
    data = write_bank_csv(
        "ICBC",
        StatementAccount(
            number=ACCOUNT_NUMBER, name="华东资产管理有限公司", opening_balance=Decimal("50000.00")
        ),
        transactions,
    )
    form = {"bank_account_id": str(account.json["id"]), "commit": "false"}
    preview = finance.post("/api/bank-statements", data={**form, "file": (_file(data), "icbc-202603.csv")})
    assert preview.status_code == 200, preview.json
    assert (preview.json["line_count"], preview.json["total_credits"]) == (5, "37988.00")
    assert preview.json["closing_balance"] == "87973.00"  # 50,000.00 + 37,988.00 − 15.00
    committed = finance.post(
        "/api/bank-statements", data={**form, "commit": "true", "file": (_file(data), "icbc-202603.csv")}
    )
    assert committed.status_code == 201, committed.json
    again = finance.post(
        "/api/bank-statements", data={**form, "commit": "true", "file": (_file(data), "icbc-202603.csv")}
    )
    assert again.status_code == 409

    run = finance.post("/api/reconciliation-runs", json={})
    assert run.status_code == 201, run.json
    assert (run.json["matched"], run.json["fees"]) == (3, "12.00")

    star_after = {b["number"]: b for b in _bills(finance, ledger["star"].id)}
    assert star_after[star_bills[0]["number"]]["open_amount"] == "0.00"
    assert star_after[star_bills[1]["number"]]["open_amount"] == "0.00"  # 9,988.00 + the 12.00 fee
    assert [b["open_amount"] for b in _bills(finance, ledger["moon"].id)] == ["0.00", "0.00", "6000.00"]

    differences = finance.get("/api/bank-lines")
    assert differences.status_code == 200
    (stray,) = differences.json
    assert stray["counterparty_name"] == "王小明"
    assert stray["decision"]["outcome"] in {"unmatched", "suggested"}

    matched = finance.post(
        f"/api/bank-lines/{stray['id']}/match",
        json={
            "customer_id": ledger["moon"].id,
            "learn": "account",
            "allocations": [{"charge_id": moon_bills[2]["id"], "amount": "6000.00"}],
        },
    )
    assert matched.status_code == 200, matched.json
    assert matched.json["state"] == "matched"
    assert finance.get("/api/bank-lines").json == []
    customer = finance.get(f"/api/customers/{ledger['moon'].id}").json
    assert "6222020200112233" in [a["account_number"] for a in customer["bank_accounts"]]

    undone = finance.post(f"/api/bank-lines/{stray['id']}/unmatch")
    assert undone.status_code == 200, undone.json
    assert _bills(finance, ledger["moon"].id)[2]["open_amount"] == "6000.00"
    # The payer's account is registered now, yet the next run leaves the line to the person who unmatched it.
    assert finance.post("/api/reconciliation-runs", json={}).json["matched"] == 0
    (back,) = finance.get("/api/bank-lines").json
    assert (back["id"], back["decision"]["rule"]) == (stray["id"], "manual")

    south = bearer_client(make_user("finance", username="finance.south", region_id=ledger["south"].id))
    assert south.get(f"/api/bank-accounts/{account.json['id']}").status_code == 404
    assert south.get(f"/api/bank-lines/{stray['id']}").status_code == 404
    assert south.get("/api/bank-lines").json == []
    assert south.get(f"/api/charges/{star_bills[0]['id']}").status_code == 404
    assert [row["customer_id"] for row in south.get("/api/receivables/aging").json["rows"]] == [
        ledger["sun"].id
    ]
    assert (
        south.post(f"/api/bank-lines/{stray['id']}/match", json={"customer_id": ledger["sun"].id}).status_code
        == 404
    )

    inspector = bearer_client(make_user("inspector", username="inspector", project_id=ledger["p_east"].id))
    assert inspector.get("/api/charges").status_code == 403
    agent = bearer_client(make_user("leasing_agent", username="agent", region_id=ledger["east"].id))
    assert agent.get("/api/charges").status_code == 200
    assert agent.post("/api/reconciliation-runs", json={}).status_code == 403


def test_a_statement_that_does_not_add_up_is_refused_naming_the_line_and_nothing_is_written(
    ledger: dict[str, Any], make_user: Any, bearer_client: Any
) -> None:
    finance = bearer_client(make_user("finance", username="finance.east", region_id=ledger["east"].id))
    account = _open_account(finance, ledger).json
    good = write_bank_csv(
        "ICBC",
        StatementAccount(
            number=ACCOUNT_NUMBER, name="华东资产管理有限公司", opening_balance=Decimal("100.00")
        ),
        [
            BankTransaction(
                booked_on=date(2026, 3, 3), amount=Decimal("500.00"), counterparty_name="某某", reference="A1"
            )
        ],
    )
    broken = good.replace(b"500.00", b"501.00", 1)
    response = finance.post(
        "/api/bank-statements",
        data={"bank_account_id": str(account["id"]), "commit": "true", "file": (_file(broken), "icbc.csv")},
    )
    assert response.status_code == 422, response.json
    # Users read it in their language (zh-CN by default): the summary row and its column are named.
    assert response.json["errors"]["json"]["file"] == [
        "第 10 行，贷方合计 列：注明的合计 500.00 与各笔流水之和 501.00 不一致。"
    ]
    assert finance.get("/api/bank-statements").json == []
    assert finance.get("/api/bank-lines?state=unmatched&state=outgoing").json == []


def test_a_deposit_paid_into_the_bank_goes_to_the_deposit_never_to_rent(
    ledger: dict[str, Any], make_user: Any, bearer_client: Any
) -> None:
    finance = bearer_client(make_user("finance", username="finance.east", region_id=ledger["east"].id))
    account = _open_account(finance, ledger).json
    # 20,000.00 from star's own account would pay two rent bills of 10,000.00 by rule; the memo says 押金.
    data = write_bank_csv(
        "ICBC",
        StatementAccount(number=ACCOUNT_NUMBER, name="华东资产管理有限公司", opening_balance=Decimal("0.00")),
        [
            BankTransaction(
                booked_on=date(2026, 3, 2),
                amount=Decimal("20000.00"),
                counterparty_name="上海星河科技有限公司",
                counterparty_account="6214830123456789",
                memo="租赁押金",
                reference="D1",
            )
        ],
    )
    form = {"bank_account_id": str(account["id"]), "commit": "true", "file": (_file(data), "icbc.csv")}
    assert finance.post("/api/bank-statements", data=form).status_code == 201
    assert finance.post("/api/reconciliation-runs", json={}).json["matched"] == 0
    (line,) = finance.get("/api/bank-lines").json
    assert "押金" in line["decision"]["explanation"]
    (deposit,) = finance.get(f"/api/deposits?customer_id={ledger['star'].id}").json
    assert (deposit["required"], deposit["state"]) == ("20000.00", "requested")

    matched = finance.post(
        f"/api/bank-lines/{line['id']}/match",
        json={"customer_id": ledger["star"].id, "deposit_id": deposit["id"]},
    )
    assert matched.status_code == 200, matched.json
    assert finance.get(f"/api/deposits/{deposit['id']}").json["state"] == "received"
    assert [b["open_amount"] for b in _bills(finance, ledger["star"].id)] == ["10000.00"] * 3

    assert finance.post(f"/api/bank-lines/{line['id']}/unmatch").status_code == 200
    assert finance.get(f"/api/deposits/{deposit['id']}").json["state"] == "requested"


def _open_account(finance: Any, ledger: dict[str, Any]) -> Any:
    """East's collection account at ICBC, registered by its finance user."""
    response = finance.post(
        "/api/bank-accounts",
        json={
            "region_id": ledger["east"].id,
            "bank_name": "中国工商银行上海分行",
            "account_number": ACCOUNT_NUMBER,
            "account_name": "华东资产管理有限公司",
            "profile_code": "ICBC",
        },
    )
    assert response.status_code == 201, response.json
    return response


def _file(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
