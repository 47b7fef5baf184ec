"""The collections workbench in Debian's Chromium at 1400 x 900, in zh-CN: finance runs a project's dunning,
refused while yesterday's statement is missing, then run once it is in; the customer stands at 友好提醒 with
the message as sent; a promise is refused on its amount, then recorded; the customer's credit page and the
lease's health; the workbench once in English."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from backend.banking.services import accounts, imports, reconciliation
from backend.core.domain.audit import Origin
from backend.core.services import users
from backend.core.services.context import Actor
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.demo.statement_files import BankTransaction, StatementAccount, write_bank_csv
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases
from backend.org.domain.org import CustomerKind
from backend.org.services import customers
from backend.receivables.services import billing
from tests.e2e.helpers import shot
from tests.e2e.live import PASSWORD, Site
from tests.e2e.test_office_app import SEEDER, desks, no_serious_violations, sign_in

__all__ = ["desks"]  # the desktop windows fixture of the office tests

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)  # February's bill (due 5 Feb) is 33 days overdue, March's 5 days
ACCOUNT = "1001 0001 0926 2626 26"


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), ZONE).astimezone(UTC)


@pytest.fixture
def ledger(site: Site) -> SimpleNamespace:
    """The site's SH-LJZ: 上海星河 owes February and March (¥10,000.00 each) on a signed lease; the project's
    bank account has no statement for yesterday yet; East's finance officer, in Chinese. 10:00 on 10 March."""
    db = site.db
    site.app.extensions["leasekeeper.clock"] = lambda: at(TODAY, 10)

    def run(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with db.unit_of_work() as uow:
            return service(*args, uow=uow, **kwargs)

    east_id = site.project.region_id
    star = run(
        customers.create_customer,
        {
            "region_id": east_id,
            "code": "C-STAR",
            "kind": CustomerKind.COMPANY,
            "name": "上海星河科技有限公司",
            "email": "ap@star.example",
        },
        SEEDER,
    )
    template = run(
        leases.create_template,
        TEMPLATES_BY_TYPE[ContractType.OFFICE].values()
        | {"code": "M5", "required_fields": [], "frequency": "monthly", "timing": "prepaid", "due_day": 5}
        | {"due_offset_days": 0, "business_day_rule": "none"},
        SEEDER,
    )
    draft = run(
        leases.create_lease,
        {
            "template_id": template.id,
            "asset_ids": [site.units[0].id],
            "customer_id": star.id,
            "starts_on": date(2026, 2, 1),
            "ends_on": date(2027, 1, 31),
            "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("10000.00")}],
            "late_fee_rate": Decimal("0.0005"),
            "late_fee_article": "第12条",
        },
        SEEDER,
    )
    lease = run(leases.sign_lease, draft.id, SEEDER, now=datetime(2026, 1, 10, tzinfo=UTC))
    run(billing.run_billing, site.project.id, SEEDER, now=at(date(2026, 3, 1), 0))
    account_id = run(
        lambda uow: (
            accounts.create_account(
                {
                    "region_id": east_id,
                    "bank_name": "中国工商银行上海分行",
                    "account_number": ACCOUNT,
                    "account_name": "华东资产管理有限公司",
                    "profile_code": "ICBC",
                },
                SEEDER,
                uow,
            ).id
        )
    )
    finance = run(
        users.create_user,
        {
            "username": "finance.east",
            "display_name": "华东财务",
            "password": PASSWORD,
            "locale": "zh_CN",
            "roles": [{"role": "finance", "region_id": east_id}],
        },
        SEEDER,
    )

    def statement_through_yesterday() -> None:
        fee = BankTransaction(
            booked_on=date(2026, 3, 9), amount=Decimal("-1.00"), memo="账户管理费", reference="F1"
        )
        data = write_bank_csv(
            "ICBC", StatementAccount(number=ACCOUNT, name="华东", opening_balance=Decimal(100)), [fee]
        )
        run(imports.import_statement, account_id, data, "icbc.csv", None, True, SEEDER, now=at(TODAY, 7))
        run(reconciliation.run, Actor.system(Origin.JOB, "e2e"), now=at(TODAY, 7))

    return SimpleNamespace(
        star=star, lease=lease, finance=finance, statement_through_yesterday=statement_through_yesterday
    )


def test_finance_runs_dunning_records_a_promise_and_reads_the_credit_page_and_the_lease_health(
    ledger: SimpleNamespace, desks: Callable[[], Page], site: Site
) -> None:
    page = desks()
    page.clock.set_fixed_time(at(TODAY, 10))
    sign_in(page, ledger.finance, f"/office/collections?project={site.project.id}")
    expect(page.get_by_test_id("menu-/office/collections")).to_have_attribute("aria-current", "page")

    # Yesterday's statement is not in: the run is refused, naming the day and the account.
    page.get_by_test_id("run-dunning").click()
    refusal = page.get_by_test_id("run-error")
    expect(refusal).to_contain_text("2026-03-09")
    expect(refusal).to_contain_text(ACCOUNT)
    expect(page.get_by_test_id("standings-total")).to_have_attribute("data-total", "0")

    ledger.statement_through_yesterday()
    page.get_by_test_id("run-dunning").click()
    expect(page.get_by_test_id("run-report")).to_contain_text("1")
    expect(page.get_by_test_id("run-action-notice")).to_have_text("已发送消息：1")
    row = page.get_by_test_id("standings").locator("tbody tr", has_text="上海星河科技有限公司")
    expect(row.get_by_test_id("tier")).to_have_text("友好提醒")
    expect(row.get_by_test_id("oldest-days")).to_have_text("33")
    expect(row.get_by_test_id("overdue")).to_have_text("¥20,000.00")
    expect(row.get_by_test_id("next-step")).to_have_text("2026年3月17日 跟进")

    # The customer's latest message, as sent.
    row.get_by_test_id("standing-customer").click()
    panel = page.get_by_test_id("customer-panel")
    expect(panel.get_by_test_id("notice-targets")).to_have_text("ap@star.example")
    expect(panel.get_by_test_id("notice-channels")).to_have_text("电子邮件")
    expect(panel.get_by_test_id("notice-body")).to_contain_text("若有付款已完成，请忽略此消息")
    no_serious_violations(page, "collections workbench")
    shot(page, "office-collections-workbench")
    # The one click to send the tier's message: told once today already, so the server says why not.
    panel.get_by_test_id("send-now").click()
    expect(panel.get_by_test_id("send-now-error")).to_contain_text("今天已处理过该客户")

    # A promise of more than is overdue is refused on its amount; then the right one is recorded.
    panel.get_by_test_id("record-promise").click()
    dialog = page.get_by_test_id("promise-dialog")
    dialog.get_by_test_id("promise-on").fill("2026-03-15")
    dialog.get_by_test_id("promise-amount").fill("30000.00")
    dialog.get_by_test_id("promise-submit").click()
    expect(dialog.get_by_test_id("error-promise-amount")).to_contain_text("20,000.00")
    no_serious_violations(page, "promise dialog")
    shot(page, "office-collections-promise-refused")
    dialog.get_by_test_id("promise-amount").fill("20000.00")
    dialog.get_by_test_id("promise-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("action-done")).to_have_text("已记录承诺：催收暂停至承诺日。")
    expect(row.get_by_test_id("next-step")).to_have_text("暂停至 2026年3月15日（承诺付款）")

    # The credit page: the score, the chance as a percentage, the reasons, the open promise.
    page.get_by_test_id("open-credit").click()
    credit = page.get_by_test_id("credit-page")
    expect(credit.get_by_role("heading", level=1)).to_have_text("信用画像：上海星河科技有限公司")
    expect(credit.get_by_test_id("credit-probability").locator(".tile-count")).to_have_text(
        re.compile(r"^\d+(\.\d)?%$")
    )
    expect(credit.get_by_test_id("credit-reasons").locator("tbody tr").first).to_be_visible()
    expect(credit.get_by_test_id("credit-promises").get_by_test_id("promise-state")).to_have_text(
        re.compile("^进行中")
    )
    expect(credit.get_by_test_id("credit-notices-total")).to_have_attribute("data-total", "1")
    no_serious_violations(page, "credit page")
    shot(page, "office-collections-credit")

    # The lease's health and the renewal advice on its page.
    page.goto(f"/office/leases/{ledger.lease.id}")
    health = page.get_by_test_id("lease-health")
    expect(health.get_by_test_id("health-quarters").locator("li.quarter").first).to_be_visible()
    expect(health.get_by_test_id("renewal-recommendation")).to_have_text(
        re.compile("^(优先挽留|正常跟进|准备释放资产)$")
    )
    no_serious_violations(page, "lease health")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "office-lease-health")

    # In English, the workbench names the tier in English (the server's name too).
    page.get_by_test_id("language").select_option("en")
    page.goto(f"/office/collections?project={site.project.id}")
    row = page.get_by_test_id("standings").locator("tbody tr", has_text="上海星河科技有限公司")
    expect(row.get_by_test_id("tier")).to_have_text("Friendly reminder")
    expect(row.get_by_test_id("next-step")).to_have_text("Paused until 15 Mar 2026 (promise to pay)")
    shot(page, "office-collections-workbench-en")

    # The project's policy: a template with a mistyped placeholder is refused on its body, then saved.
    page.get_by_test_id("tab-policy").click()
    policy = page.get_by_test_id("policy-standard")
    expect(policy.get_by_test_id("policy-source")).to_have_text(
        "The defaults (never changed for this project)."
    )
    policy.get_by_test_id("template-language").select_option("en")
    policy.get_by_test_id("template-subject").fill("Rent")
    policy.get_by_test_id("template-body").fill("Dear ")
    policy.get_by_test_id("placeholder-customer").click()
    expect(policy.get_by_test_id("template-body")).to_have_value("Dear ${customer}")
    policy.get_by_test_id("template-body").fill("Dear ${custmer}")
    policy.get_by_test_id("policy-save").click()
    expect(page.get_by_test_id("error-template-body")).to_contain_text("${custmer}")
    no_serious_violations(page, "dunning policy")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "office-collections-policy-refused")
    policy.get_by_test_id("template-body").fill("Dear ${customer}")
    policy.get_by_test_id("policy-save").click()
    expect(page.get_by_test_id("policy-saved")).to_have_text("Saved.")
    expect(page.get_by_test_id("policy-source")).to_have_text("This project's own policy.")
