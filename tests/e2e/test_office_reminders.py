"""The reminders in Debian's Chromium at 1400 x 900, in zh-CN: head office changes a template's rules, the
engine runs on two nights, an account manager works through their tasks (a late, overdue one acknowledged
with the note it asks for) and their calendar feed, head office hands a task on, a regional manager reads why
a lease's reminders go or not and confirms its "no renewal" tag, the run log holds the figures computed here
by hand, and a project manager's phone counts their open tasks and opens them in the office app."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backend.core.services import auth, users
from backend.core.services.auth import LoginPolicy
from backend.core.services.scheduler import JobContext
from backend.org.domain.org import CustomerKind, ProjectCategory
from backend.org.services import customers, org
from backend.reminders import jobs
from tests.e2e.helpers import shot, wait_until_offline_ready
from tests.e2e.helpers import sign_in as sign_in_on_phone
from tests.e2e.live import PASSWORD, Phone, Site
from tests.e2e.test_office_app import SEEDER, desks, no_serious_violations, sign_in

__all__ = ["desks"]  # the desktop windows fixture of the office tests

# Noon in Shanghai on 30 November 2027: head office sets the rules.
NOV_30_NOON = datetime(2027, 11, 30, 4, 0, tzinfo=UTC)
# The engine's nights: 02:00 in Shanghai on 1 and on 2 December.
DEC_1_RUN = datetime(2027, 11, 30, 18, 0, tzinfo=UTC)
DEC_2_RUN = datetime(2027, 12, 1, 18, 0, tzinfo=UTC)
# 10:00 in Shanghai on 2 December: everyone reads what the two nights did.
DEC_2_MORNING = datetime(2027, 12, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def reminders(site: Site) -> SimpleNamespace:
    """The site's SH-LJZ (East) and BJ-XS (West). L1 (SH-LJZ-2027-0001, unit 1202) runs through 2027 with a
    30-day notice period and renews automatically; L2 (SH-LJZ-2027-0002, unit 1201) runs to 31 January 2028
    without a notice period and was tagged "不续租" by its leasing agent, who holds no authority to stop
    reminders. The agent is both leases' account manager; the site's project manager, an administrator,
    East's legal officer and regional manager, and West's regional manager, in Chinese. The clock reads
    noon on 30 November 2027."""
    db = site.db
    clock = {"now": NOV_30_NOON}
    site.app.extensions["leasekeeper.clock"] = lambda: clock["now"]

    def run(service: Callable[..., Any], *args: Any) -> Any:
        with db.unit_of_work() as uow:
            return service(*args, SEEDER, uow)

    east_region_id = site.project.region_id
    west = run(org.create_region, {"code": "WEST", "name": "华北区"})
    run(
        org.create_project,
        {
            "region_id": west.id,
            "code": "BJ-XS",
            "name": "西山园区",
            "city": "北京",
            "category": ProjectCategory.OFFICE,
            "timezone": "Asia/Shanghai",
            "holiday_calendar": "CN",
        },
    )

    def person(username: str, role: str, **target: Any) -> Any:
        data = {
            "username": username,
            "display_name": username.title(),
            "password": PASSWORD,
            "locale": "zh_CN",
            "roles": [{"role": role, **target}],
        }
        return run(users.create_user, data)

    admin = person("office.admin", "admin")
    agent = person("agent.east", "leasing_agent", project_id=site.project.id)
    legal = person("legal.east", "legal", region_id=east_region_id)
    rm_east = person("rm.east", "regional_manager", region_id=east_region_id)
    rm_west = person("rm.west", "regional_manager", region_id=west.id)
    xinghe = run(
        customers.create_customer,
        {
            "region_id": east_region_id,
            "code": "C-E1",
            "kind": CustomerKind.COMPANY,
            "name": "上海星河科技有限公司",
        },
    )

    def client(user: Any) -> Callable[..., Any]:
        credentials = {"username": user.username, "password": PASSWORD, "device_name": "seed"}
        with db.unit_of_work() as uow:
            issued = auth.register_device(credentials, SEEDER, LoginPolicy(), NOV_30_NOON, uow)
        http = site.app.test_client()
        http.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued.token}"

        def post(path: str, body: dict[str, Any] | None = None) -> Any:
            response = http.post(path, json=body)
            assert response.status_code in {200, 201}, (path, response.json)
            return SimpleNamespace(**response.json)

        return post

    head_office, as_agent = client(admin), client(agent)
    template = head_office(
        "/api/contract-templates",
        {
            "code": "OFFICE-STD",
            "name": "标准写字楼租赁合同",
            "contract_type": "office",
            "frequency": "monthly",
            "timing": "prepaid",
            "required_fields": [],
        },
    )
    renewing = head_office(
        "/api/leases",
        {
            "number": "SH-LJZ-2027-0001",
            "template_id": template.id,
            "customer_id": xinghe.id,
            "asset_ids": [site.units[1].id],
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "charge_lines": [{"charge_type": "rent", "monthly_amount": "10000.00"}],
            "notice_period_days": 30,
            "auto_renew": True,
            "account_manager_id": agent.id,
        },
    )
    head_office(f"/api/leases/{renewing.id}/sign")
    head_office(f"/api/leases/{renewing.id}/activate")
    tagged = as_agent(
        "/api/leases",
        {
            "number": "SH-LJZ-2027-0002",
            "template_id": template.id,
            "customer_id": xinghe.id,
            "asset_ids": [site.units[0].id],
            "starts_on": "2027-02-01",
            "ends_on": "2028-01-31",
            "charge_lines": [{"charge_type": "rent", "monthly_amount": "8000.00"}],
            "notice_period_days": 0,
            "account_manager_id": agent.id,
            "tags": ["不续租"],
        },
    )
    as_agent(f"/api/leases/{tagged.id}/sign")
    as_agent(f"/api/leases/{tagged.id}/activate")

    def run_engine(moment: datetime) -> dict[str, Any]:
        """One night of the engine over every project, as the scheduler runs it."""
        return jobs.run_reminders(db.unit_of_work, JobContext.by_hand(moment))

    return SimpleNamespace(
        clock=clock,
        run_engine=run_engine,
        admin=admin,
        agent=agent,
        legal=legal,
        rm_east=rm_east,
        rm_west=rm_west,
        template=template,
        renewing=renewing,
        tagged=tagged,
    )


def opened_at(desks: Callable[[], Page], when: datetime) -> Page:
    """A desktop window whose own clock reads `when` too (the overdue days are counted in the page)."""
    page = desks()
    page.clock.set_fixed_time(when)
    return page


def test_reminders_from_the_rules_through_the_tasks_and_why_not_to_the_run_log_and_the_phone(
    reminders: SimpleNamespace, desks: Callable[[], Page], phones: Any, browser: Any, site: Site
) -> None:
    # Head office: the template keeps the defaults until its lease-end tiers change to 30, 15 and 5 days.
    head = opened_at(desks, NOV_30_NOON)
    sign_in(head, reminders.admin, f"/office/reminders/rules?template_id={reminders.template.id}")
    end_rule = head.get_by_test_id("rule-lease_end")
    expect(head.get_by_test_id("rule-lease_end-source")).to_have_text("默认")
    expect(end_rule.get_by_test_id("rule-lease_end-0-days")).to_have_value("30")
    expect(end_rule.get_by_test_id("rule-lease_end-0-roles-account_manager")).to_be_checked()
    expect(end_rule.get_by_test_id("rule-lease_end-1-roles-legal")).to_be_checked()
    expect(end_rule.get_by_test_id("rule-lease_end-1-roles-finance")).to_be_checked()
    expect(end_rule.get_by_test_id("rule-lease_end-2-roles-director")).to_be_checked()
    expect(end_rule.get_by_test_id("rule-lease_end-2-ack")).to_be_checked()
    end_rule.get_by_test_id("rule-lease_end-2-days").fill("五")
    expect(end_rule.get_by_test_id("rule-lease_end-2-tier")).to_have_text("–")
    end_rule.get_by_test_id("rule-lease_end-save").click()
    # Refused on the tier's own field, in Chinese; nothing saved.
    expect(head.get_by_test_id("error-rule-lease_end-2-days")).to_have_text("不是有效的整数。")
    expect(head.get_by_test_id("rule-lease_end-source")).to_have_text("默认")
    end_rule.get_by_test_id("rule-lease_end-2-days").fill("5")
    expect(end_rule.get_by_test_id("rule-lease_end-2-tier")).to_have_text("3/3")
    end_rule.get_by_test_id("rule-lease_end-save").click()
    expect(head.get_by_test_id("rule-lease_end-saved")).to_have_text("已保存。")
    expect(head.get_by_test_id("rule-lease_end-source")).to_have_text("本模板自定义")
    # The renewal notice changed, then back to its defaults (30 days, then 7).
    notice_rule = head.get_by_test_id("rule-renewal_notice")
    notice_rule.get_by_test_id("rule-renewal_notice-0-days").fill("20")
    notice_rule.get_by_test_id("rule-renewal_notice-save").click()
    expect(head.get_by_test_id("rule-renewal_notice-source")).to_have_text("本模板自定义")
    notice_rule.get_by_test_id("rule-renewal_notice-reset").click()
    expect(head.get_by_test_id("rule-renewal_notice-source")).to_have_text("默认")
    expect(notice_rule.get_by_test_id("rule-renewal_notice-0-days")).to_have_value("30")
    head.reload()
    expect(head.get_by_test_id("rule-lease_end-source")).to_have_text("本模板自定义")
    expect(head.get_by_test_id("rule-lease_end-2-days")).to_have_value("5")
    expect(head.get_by_test_id("rule-renewal_notice-source")).to_have_text("默认")
    no_serious_violations(head, "reminder rules")
    head.evaluate("window.scrollTo(0, 0)")
    shot(head, "office-reminders-rules")

    # Two nights. On 1 December L1's lease end (31 Dec) reaches its first tier (30 days before: 1 Dec) for
    # the agent; its renewal notice date (31 Dec less 30 days: 1 Dec) is reached with both its tiers past
    # (1 Nov, 24 Nov): sent late, tier 1 to the agent, tier 2 to the agent and the project manager, which
    # escalates tier 1; and L1's renewal is drafted for the project manager. 3 tiers due, 4 reminders sent,
    # 3 of them late, 1 escalated, 1 renewal. On 2 December only the lease end's first tier is still due,
    # and it was sent: nothing goes twice.
    first = reminders.run_engine(DEC_1_RUN)
    assert (first["due"], first["sent"], first["late"], first["escalated"], first["auto_renewals"]) == (
        3,
        4,
        3,
        1,
        1,
    ), first
    second = reminders.run_engine(DEC_2_RUN)
    assert (second["due"], second["sent"]) == (1, 0), second
    reminders.clock["now"] = DEC_2_MORNING

    # The agent's open tasks: the renewal notice's tier 2, due on the date itself (1 Dec) and so a day
    # overdue, sent late; the lease end's tier 1, due when tier 2 fires (31 Dec less 15 days: 16 Dec).
    agent = opened_at(desks, DEC_2_MORNING)
    sign_in(agent, reminders.agent)
    agent.get_by_test_id("menu-/office/tasks").click()
    tasks = agent.get_by_test_id("tasks")
    total = agent.get_by_test_id("tasks-total")
    expect(total).to_have_attribute("data-total", "2")
    notice_row = tasks.locator("tbody tr", has_text="续租通知期")
    expect(notice_row.get_by_test_id("task-lease")).to_have_text("SH-LJZ-2027-0001")
    expect(notice_row).to_contain_text("上海星河科技有限公司")
    expect(notice_row.get_by_test_id("task-tier")).to_have_text("2/2")
    expect(notice_row.get_by_test_id("task-overdue")).to_have_text("逾期 1 天")
    expect(notice_row.get_by_test_id("task-late")).to_have_text("补发")
    expect(notice_row.get_by_test_id("task-state")).to_have_text("待处理")
    end_row = tasks.locator("tbody tr", has_text="租约到期")
    expect(end_row.get_by_test_id("task-tier")).to_have_text("1/3")
    expect(end_row).to_contain_text("2027年12月31日")
    expect(end_row).to_contain_text("2027年12月16日")
    expect(end_row.get_by_test_id("task-overdue")).to_have_count(0)
    expect(end_row.get_by_test_id("task-late")).to_have_count(0)
    # The agent may hand their own task on (to someone who works on the project).
    expect(end_row.locator("[data-testid^=reassign-]")).to_have_count(1)
    agent.get_by_test_id("task-overdue-filter").check()
    expect(total).to_have_attribute("data-total", "1")
    expect(tasks.locator("tbody tr")).to_contain_text("续租通知期")
    agent.get_by_test_id("task-overdue-filter").uncheck()
    expect(total).to_have_attribute("data-total", "2")
    no_serious_violations(agent, "my tasks")
    shot(agent, "office-reminders-tasks")

    # The tier asks for a note: the server's message on the field, then acknowledged with one.
    notice_row.locator("[data-testid^=acknowledge-]").click()
    dialog = agent.get_by_test_id("acknowledge-dialog")
    summary = dialog.get_by_test_id("task-summary")
    expect(summary).to_contain_text("SH-LJZ-2027-0001 · 续租通知期 · 2027年12月1日")
    dialog.get_by_test_id("ack-submit").click()
    expect(agent.get_by_test_id("error-ack-note")).to_have_text(
        "此提醒需要填写说明：请写明已做的处理或决定。"
    )
    no_serious_violations(agent, "acknowledge dialog")
    shot(agent, "office-reminders-acknowledge")
    dialog.get_by_test_id("ack-note").fill("已致电客户，确认续租意向")
    dialog.get_by_test_id("ack-submit").click()
    expect(dialog).to_have_count(0)
    expect(total).to_have_attribute("data-total", "1")
    agent.get_by_test_id("task-state-filter").select_option("acknowledged")
    expect(total).to_have_attribute("data-total", "1")
    expect(tasks.get_by_test_id("task-state")).to_have_text("已确认")
    expect(tasks.locator("tbody tr")).to_contain_text("已致电客户，确认续租意向")
    agent.get_by_test_id("task-state-filter").select_option("escalated")
    expect(tasks.locator("tbody tr")).to_have_count(1)
    expect(tasks.get_by_test_id("task-tier")).to_have_text("1/2")
    expect(tasks.get_by_test_id("task-state")).to_have_text("已升级")

    # Everyone's open tasks in the agent's scope: the project manager's too, among them the drafted renewal.
    agent.get_by_test_id("task-state-filter").select_option("open")
    agent.get_by_test_id("task-scope").check()
    expect(total).to_have_attribute("data-total", "3")
    renewal_row = tasks.locator("tbody tr", has_text="自动续租")
    expect(renewal_row).to_contain_text("Manager")
    expect(renewal_row.get_by_test_id("task-tier")).to_have_text("—")
    expect(renewal_row.locator("[data-testid^=acknowledge-]")).to_have_count(0)
    renewal_row.get_by_test_id("renewal-lease").click()
    expect(agent).to_have_url(re.compile(r"/office/leases/\d+$"))
    expect(agent.get_by_test_id("lease-status")).to_have_text("草稿")

    # L1's "why not?": the renewal notice's tier 1 went late and was escalated, tier 2 reached the agent
    # (acknowledged) and the project manager; the lease end's tier 3 (31 Dec less 5 days: Sunday 26 Dec)
    # goes out on Friday 24 December.
    agent.goto(f"/office/leases/{reminders.renewing.id}")
    notice = agent.get_by_test_id("explain-renewal_notice")
    tier_1 = notice.get_by_test_id("explain-renewal_notice-tier-1")
    expect(tier_1).to_have_attribute("data-state", "sent_late")
    tier_2 = notice.get_by_test_id("explain-renewal_notice-tier-2")
    expect(tier_2).to_contain_text("Agent.East 已确认")
    expect(tier_2).to_contain_text("Manager 待处理")
    end = agent.get_by_test_id("explain-lease_end")
    expect(end.get_by_test_id("explain-lease_end-tier-1")).to_have_attribute("data-state", "sent")
    expect(end.get_by_test_id("explain-lease_end-tier-3")).to_have_attribute("data-state", "scheduled")
    expect(end.get_by_test_id("explain-lease_end-tier-3-fire")).to_contain_text("2027年12月24日")
    rolled = end.get_by_test_id("explain-lease_end-tier-3-rolled")
    expect(rolled).to_contain_text("由 2027年12月26日 提前至上一个工作日")

    # The agent's calendar feed: made, read without a session, made anew (the old address stops), revoked.
    agent.goto("/office/tasks")
    expect(agent.get_by_test_id("feed-state")).to_have_attribute("data-active", "false")
    agent.get_by_test_id("feed-create").click()
    address = agent.get_by_test_id("feed-url")
    expect(address).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/api/reminders/feed/.+\.ics$"))
    first_url = address.input_value()
    # Asked as a calendar app asks: from a browser that never signed in.
    never_signed_in = browser.new_context()
    calendar_app = never_signed_in.request
    feed = calendar_app.get(first_url)
    assert feed.ok, feed.status
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text()
    assert "SH-LJZ-2027-0001" in feed.text()
    expect(agent.get_by_test_id("feed-state")).to_have_attribute("data-active", "true")
    shot(agent, "office-reminders-feed")
    agent.get_by_test_id("feed-create").click()
    expect(address).not_to_have_value(first_url)
    second_url = address.input_value()
    assert calendar_app.get(first_url).status == 404
    assert calendar_app.get(second_url).ok
    agent.get_by_test_id("feed-revoke").click()
    expect(agent.get_by_test_id("feed-state")).to_have_attribute("data-active", "false")
    assert calendar_app.get(second_url).status == 404
    never_signed_in.close()

    # Head office hands the agent's lease-end task on: the list offers only people who work on the
    # project (not West's regional manager); sent without a choice, the server's message is on the field;
    # then to East's legal officer.
    office = opened_at(desks, DEC_2_MORNING)
    sign_in(office, reminders.admin, "/office/tasks?scope=all")
    handed = office.get_by_test_id("tasks").locator("tbody tr", has_text="租约到期")
    expect(handed).to_contain_text("Agent.East")
    handed.locator("[data-testid^=reassign-]").click()
    choices = office.get_by_test_id("reassign-to").locator("option")
    expect(choices.filter(has_text="Legal.East")).to_have_count(1)
    expect(choices.filter(has_text="Agent.East")).to_have_count(0)
    assert str(reminders.rm_west.id) not in choices.evaluate_all("options => options.map(o => o.value)")
    office.get_by_test_id("reassign-submit").click()
    expect(office.get_by_test_id("error-reassign-to")).to_have_text("该字段不能为空值。")
    office.get_by_test_id("reassign-to").select_option(str(reminders.legal.id))
    office.get_by_test_id("reassign-note").fill("客户经理休假，由法务跟进")
    office.get_by_test_id("reassign-submit").click()
    expect(office.get_by_test_id("reassign-dialog")).to_have_count(0)
    expect(handed).to_contain_text("Legal.East")

    # The run log: the two nights, newest first, with the figures above.
    office.get_by_test_id("menu-/office/reminders/runs").click()
    runs = office.get_by_test_id("reminder-runs").locator("tbody tr")
    expect(runs).to_have_count(2)
    expect(runs.nth(0)).to_contain_text("2027年12月2日")
    expect(runs.nth(0).get_by_test_id("run-due")).to_have_text("1")
    expect(runs.nth(0).get_by_test_id("run-sent")).to_have_text("0")
    older = runs.nth(1)
    expect(older).to_contain_text("2027年12月1日")
    expect(older.get_by_test_id("run-status")).to_have_text("成功")
    for name, value in (
        ("leases", "2"),
        ("due", "3"),
        ("sent", "4"),
        ("late", "3"),
        ("skipped", "0"),
        ("escalated", "1"),
        ("cancelled", "0"),
        ("auto_renewals", "1"),
    ):
        expect(older.get_by_test_id(f"run-{name}")).to_have_text(value)
    no_serious_violations(office, "reminder runs")
    shot(office, "office-reminders-runs")

    # L2, as East's regional manager: its "不续租" tag came from the agent, so it is flagged and L2's lease
    # end keeps its reminders: tier 1 (31 Jan 2028 less 30 days: Saturday 1 January) goes on 31 December.
    manager = opened_at(desks, DEC_2_MORNING)
    sign_in(manager, reminders.rm_east, f"/office/leases/{reminders.tagged.id}")
    why = manager.get_by_test_id("why-not")
    tag = why.get_by_test_id("tag-不续租")
    expect(tag).to_have_attribute("data-state", "flagged")
    expect(tag).to_contain_text("待复核")
    expect(why.get_by_test_id("explain-warnings")).to_contain_text("续租提醒照常发送")
    tier_1 = why.get_by_test_id("explain-lease_end-tier-1")
    expect(tier_1).to_have_attribute("data-state", "scheduled")
    expect(why.get_by_test_id("explain-lease_end-tier-1-fire")).to_contain_text("2027年12月31日")
    rolled = why.get_by_test_id("explain-lease_end-tier-1-rolled")
    expect(rolled).to_contain_text("由 2028年1月1日 提前至上一个工作日")
    no_serious_violations(manager, "why not")
    manager.evaluate("window.scrollTo(0, 0)")  # the sticky top bar where it belongs in the full-page shot
    shot(manager, "office-reminders-why-not")
    # Confirmed by someone with the authority, the tag silences the lease end's reminders.
    why.get_by_test_id("confirm-tag-不续租").click()
    expect(tag).to_have_attribute("data-state", "authorised")
    expect(tag).to_contain_text("Rm.East")
    expect(tier_1).to_have_attribute("data-state", "skipped")
    expect(why.get_by_test_id("explain-lease_end-tier-1-reasons")).to_contain_text(
        "已跳过：租约带有标签“不续租”"
    )
    expect(why.get_by_test_id("explain-warnings")).to_have_count(0)

    # A date entered by hand: refused without its day, added with it, deleted again.
    dates = manager.get_by_test_id("critical-dates")
    expect(dates.get_by_test_id("critical-date-lease_end")).to_contain_text("2028年1月31日")
    manager.get_by_test_id("cd-kind").select_option("insurance_expiry")
    manager.get_by_test_id("cd-label").fill("财产一切险")
    manager.get_by_test_id("cd-add").click()
    expect(manager.get_by_test_id("error-cd-date")).to_be_visible()
    manager.get_by_test_id("cd-date").fill("2027-12-20")
    manager.keyboard.press("Escape")
    manager.get_by_test_id("cd-add").click()
    insurance = dates.get_by_test_id("critical-date-insurance_expiry")
    expect(insurance).to_contain_text("2027年12月20日")
    expect(insurance).to_contain_text("财产一切险")
    expect(insurance).to_contain_text("手工录入")
    entered = why.get_by_test_id("explain-insurance_expiry")
    expect(entered).to_contain_text("保险到期 · 2027年12月20日 · 财产一切险")
    manager.evaluate("window.scrollTo(0, 0)")
    shot(manager, "office-reminders-critical-dates")
    insurance.locator("[data-testid^=delete-critical-date-]").click()
    expect(dates.get_by_test_id("critical-date-insurance_expiry")).to_have_count(0)
    expect(entered).to_have_count(0)

    # The project manager's phone (in English): their two open tasks, one overdue, linking to the office
    # app, which the service worker leaves to the server; nothing shown offline.
    phone: Phone = phones()
    page = phone.page
    sign_in_on_phone(page, site.manager)
    wait_until_offline_ready(page)
    count = page.get_by_test_id("reminder-tasks")
    expect(count).to_have_text("Reminders to handle: 2 (1 overdue)")
    expect(count).to_have_attribute("data-open", "2")
    shot(page, "office-reminders-phone")
    phone.offline()
    expect(count).to_have_count(0)
    phone.offline(False)
    expect(count).to_have_attribute("data-overdue", "1")
    count.click()
    expect(page).to_have_url(re.compile(r"/office/tasks$"))
    page.locator("#username").fill(site.manager.username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[data-testid=office-login] button[type=submit]").click()
    expect(page.get_by_test_id("tasks-total")).to_have_attribute("data-total", "2")
