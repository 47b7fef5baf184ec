"""The lease list's search and filters, and its export as a workbook or a CSV file."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from backend.leasing.services import lease_export

# 10:00 on 15 March 2027 in Shanghai; still the 14th (19:00) in Los Angeles.
NOW = datetime(2027, 3, 15, 2, 0, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _created(response: Any) -> Any:
    assert response.status_code in {200, 201}, response.json
    return SimpleNamespace(**response.json)


@pytest.fixture
def book(
    app: Any,
    bearer_client: Callable[..., FlaskClient],
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_customer: Any,
    make_user: Any,
) -> Any:
    """Two regions' leases, the clock at NOW.

    East (Asia/Shanghai): E-001 active, two units, escalating rent, tags; E-002 active, retail template,
    ending within a month; E-003 a draft starting later, no account manager.
    West (America/Los_Angeles): W-001 active, ending on its project's today (the 14th there).
    """
    app.extensions["leasekeeper.clock"] = lambda: NOW
    east, west = make_region("EAST"), make_region("WEST")
    lujiazui = make_project(east, "SH-01", name="陆家嘴中心")
    tianfu = make_project(west, "LA-01", name="Tianfu Plaza", timezone="America/Los_Angeles")
    units = {code: make_asset(lujiazui, code) for code in ("SH-01-1201", "SH-01-1202", "SH-01-0101")}
    la_unit = make_asset(tianfu, "LA-01-0101")
    xinghe = make_customer(east, name="上海星河科技有限公司")
    acme = make_customer(east, name="Acme Trading")
    pacific = make_customer(west, name="Pacific Foods")
    admin = make_user("admin")
    head_office = bearer_client(admin)

    def template(code: str, name: str) -> Any:
        values = {"code": code, "name": name, "contract_type": "office", "frequency": "monthly"}
        return _created(head_office.post("/api/contract-templates", json=values | {"timing": "prepaid"}))

    office = template("OFFICE-STD", "标准写字楼租赁合同")
    retail = template("RETAIL-STD", "标准商铺租赁合同")
    agent = make_user("leasing_agent", username="wangfang", project_id=lujiazui.id)

    def lease(number: str, template: Any, customer: Any, assets: list[Any], **values: Any) -> Any:
        body = {
            "number": number,
            "template_id": template.id,
            "customer_id": customer.id,
            "asset_ids": [asset.id for asset in assets],
        } | values
        return _created(head_office.post("/api/leases", json=body))

    def running(created: Any) -> Any:
        _created(head_office.post(f"/api/leases/{created.id}/sign"))
        return _created(head_office.post(f"/api/leases/{created.id}/activate"))

    book = SimpleNamespace()
    book.east, book.west, book.office, book.retail, book.units = east, west, office, retail, units
    book.e1 = running(
        lease(
            "E-001",
            office,
            xinghe,
            [units["SH-01-1202"], units["SH-01-1201"]],
            starts_on="2026-01-01",
            ends_on="2028-12-31",
            account_manager_id=agent.id,
            tags=["VIP", "重点客户"],
            charge_lines=[
                {
                    "charge_type": "rent",
                    "monthly_amount": "30000.00",
                    "escalation": {"kind": "percent", "every_months": 12, "value": "5"},
                },
                {"charge_type": "service_fee", "monthly_amount": "4500.00"},
            ],
        )
    )
    book.e2 = running(
        lease(
            "E-002",
            retail,
            acme,
            [units["SH-01-0101"]],
            starts_on="2026-07-01",
            ends_on="2027-04-10",
            account_manager_id=agent.id,
            purpose="retail_100%_corner",
            charge_lines=[
                {"charge_type": "rent", "monthly_amount": "12000.00"},
                {"charge_type": "parking", "monthly_amount": "800.00"},
            ],
        )
    )
    book.e3 = lease(
        "E-003",
        office,
        xinghe,
        [units["SH-01-1201"]],
        starts_on="2029-01-01",
        ends_on="2030-12-31",
        tags=["renewal"],
        charge_lines=[{"charge_type": "rent", "monthly_amount": "33000.00"}],
    )
    book.w1 = running(
        lease(
            "W-001",
            office,
            pacific,
            [la_unit],
            starts_on="2026-03-15",
            ends_on="2027-03-14",
            charge_lines=[{"charge_type": "rent", "monthly_amount": "9000.50"}],
        )
    )
    book.east_manager = make_user("regional_manager", region_id=east.id)
    book.west_manager = make_user("regional_manager", region_id=west.id)
    book.admin = admin
    return book


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.json
    return [lease["number"] for lease in response.json]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("acme", ["E-002"]),  # the customer's name, any case
        ("星河", ["E-001", "E-003"]),
        ("sh-01-1202", ["E-001"]),  # an asset's code
        ("vip", ["E-001"]),  # a tag
        ("重点", ["E-001"]),  # a tag in Chinese (stored escaped in the JSON text)
        ("100%_", ["E-002"]),  # % and _ are taken literally (the purpose)
        ("e-00", ["E-001", "E-002", "E-003"]),  # the number, as before
        ("pacific", []),  # another region's customer
    ],
)
def test_q_searches_customer_asset_codes_tags_and_number(
    book: Any, bearer_client: Callable[..., FlaskClient], q: str, expected: list[str]
) -> None:
    manager = bearer_client(book.east_manager)
    assert numbers(manager.get("/api/leases", query_string={"q": q, "sort": "number"})) == expected


def test_leases_filter_by_template(book: Any, bearer_client: Callable[..., FlaskClient]) -> None:
    admin = bearer_client(book.admin)
    office = admin.get(f"/api/leases?template_id={book.office.id}&sort=number")
    assert numbers(office) == ["E-001", "E-003", "W-001"]
    assert numbers(admin.get(f"/api/leases?template_id={book.retail.id}")) == ["E-002"]


def test_expiring_within_counts_days_from_each_projects_today_and_only_running_leases(
    book: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    admin = bearer_client(book.admin)
    # Shanghai's today is the 15th: E-002 ends on 10 April (26 days); Los Angeles is still on the 14th,
    # W-001's last day. E-003 is a draft.
    assert numbers(admin.get("/api/leases?expiring_within=26&sort=number")) == ["E-002", "W-001"]
    assert numbers(admin.get("/api/leases?expiring_within=25")) == ["W-001"]
    assert numbers(admin.get("/api/leases?expiring_within=3650&sort=number")) == ["E-001", "E-002", "W-001"]
    east = bearer_client(book.east_manager)
    assert numbers(east.get("/api/leases?expiring_within=30")) == ["E-002"]


def test_expiring_within_accepts_1_to_3650_days(book: Any, bearer_client: Callable[..., FlaskClient]) -> None:
    admin = bearer_client(book.admin)
    for days in ("0", "3651", "soon"):
        response = admin.get(f"/api/leases?expiring_within={days}")
        assert response.status_code == 422
        assert list(response.json["errors"]["query"]) == ["expiring_within"]


HEADER_ZH = [
    "合同编号",
    "客户",
    "项目",
    "资产编号",
    "合同模板",
    "状态",
    "起租日",
    "到期日",
    "月租金",
    "币种",
    "客户经理",
]
HEADER_EN = [
    "Number",
    "Customer",
    "Project",
    "Asset codes",
    "Template",
    "Status",
    "Start",
    "End",
    "Monthly rent",
    "Currency",
    "Account manager",
]


def test_the_xlsx_export_holds_the_leases_cell_by_cell_under_a_chinese_header(
    book: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    manager = bearer_client(book.east_manager)
    response = manager.get("/api/leases/export?format=xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == 'attachment; filename="leases-20270315.xlsx"'
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    # openpyxl reads date cells back as datetimes at midnight.
    cells = [
        [value.date() if isinstance(value, datetime) else value for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == [
        HEADER_ZH,
        # E-001's rent stepped up by 5 % on 1 January 2027: 30000 × 1.05; the service fee is no rent.
        [
            "E-001",
            "上海星河科技有限公司",
            "陆家嘴中心",
            "SH-01-1201, SH-01-1202",
            "标准写字楼租赁合同",
            "生效中",
            date(2026, 1, 1),
            date(2028, 12, 31),
            31500,
            "CNY",
            "wangfang",
        ],
        # Parking is no rent either.
        [
            "E-002",
            "Acme Trading",
            "陆家嘴中心",
            "SH-01-0101",
            "标准商铺租赁合同",
            "生效中",
            date(2026, 7, 1),
            date(2027, 4, 10),
            12000,
            "CNY",
            "wangfang",
        ],
        # A draft that has not begun shows the rent of its first day.
        [
            "E-003",
            "上海星河科技有限公司",
            "陆家嘴中心",
            "SH-01-1201",
            "标准写字楼租赁合同",
            "草稿",
            date(2029, 1, 1),
            date(2030, 12, 31),
            33000,
            "CNY",
            None,
        ],
    ]
    assert sheet["I2"].number_format == "#,##0.00"
    assert sheet["G2"].number_format == "yyyy-mm-dd"


def test_the_csv_export_is_utf8_with_a_bom_under_the_header_of_the_users_language(
    book: Any, web_client: Callable[..., FlaskClient]
) -> None:
    browser = web_client(book.admin)
    assert browser.patch("/api/auth/me", json={"locale": "en"}).status_code == 200
    response = browser.get("/api/leases/export?format=csv&status=active&sort=-number")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="leases-20270315.csv"'
    assert response.data.startswith(codecs.BOM_UTF8)
    text = response.data[len(codecs.BOM_UTF8) :].decode("utf-8")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        HEADER_EN,
        [
            "W-001",
            "Pacific Foods",
            "Tianfu Plaza",
            "LA-01-0101",
            "标准写字楼租赁合同",
            "Active",
            "2026-03-15",
            "2027-03-14",
            "9000.50",
            "CNY",
            "",
        ],
        [
            "E-002",
            "Acme Trading",
            "陆家嘴中心",
            "SH-01-0101",
            "标准商铺租赁合同",
            "Active",
            "2026-07-01",
            "2027-04-10",
            "12000.00",
            "CNY",
            "wangfang",
        ],
        [
            "E-001",
            "上海星河科技有限公司",
            "陆家嘴中心",
            "SH-01-1201, SH-01-1202",
            "标准写字楼租赁合同",
            "Active",
            "2026-01-01",
            "2028-12-31",
            "31500.00",
            "CNY",
            "wangfang",
        ],
    ]


def _exported_numbers(client: FlaskClient, query: str = "") -> list[str]:
    response = client.get(f"/api/leases/export?format=csv{query}")
    assert response.status_code == 200, response.json
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    return [row[0] for row in rows[1:]]


def test_an_export_holds_only_the_leases_of_the_callers_regions(
    book: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    assert _exported_numbers(bearer_client(book.east_manager)) == ["E-001", "E-002", "E-003"]
    assert _exported_numbers(bearer_client(book.west_manager)) == ["W-001"]
    assert _exported_numbers(bearer_client(book.admin)) == ["E-001", "E-002", "E-003", "W-001"]
    # A filter naming the other region's lease does not reach past the scope.
    assert _exported_numbers(bearer_client(book.east_manager), "&q=pacific") == []
    assert _exported_numbers(bearer_client(book.east_manager), "&expiring_within=1") == []


def test_an_export_applies_the_lists_filters_and_sort(
    book: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    admin = bearer_client(book.admin)
    query = f"&template_id={book.office.id}&q=星河&sort=-ends_on"
    listed = numbers(admin.get(f"/api/leases?{query[1:]}"))
    assert listed == ["E-003", "E-001"]
    assert _exported_numbers(admin, query) == listed
    assert _exported_numbers(admin, "&expiring_within=26&sort=number") == ["E-002", "W-001"]


def test_an_unknown_format_is_refused_naming_the_field(
    book: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    response = bearer_client(book.admin).get("/api/leases/export?format=pdf")
    assert response.status_code == 422
    assert response.json["errors"]["query"] == {"format": ["必须是以下之一：xlsx, csv。"]}


def test_an_export_wider_than_the_limit_is_refused_whole(
    book: Any, bearer_client: Callable[..., FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lease_export, "EXPORT_LIMIT", 2)
    admin = bearer_client(book.admin)
    refused = admin.get("/api/leases/export?format=xlsx")
    assert refused.status_code == 422
    assert refused.json["message"] == "筛选条件匹配 4 份合同；一次导出最多 2 份。请缩小筛选范围。"
    assert _exported_numbers(admin, f"&template_id={book.office.id}&status=active") == ["E-001", "W-001"]


def test_signed_out_callers_get_no_export(client: FlaskClient) -> None:
    assert client.get("/api/leases/export").status_code == 401
