"""The office app in Debian's Chromium at 1400 x 900, in zh-CN: leases from a template to a signed schedule,
an import refused row by row then committed, a rent reduction approved by a second person, a regional
manager's scope, the language kept in the profile, the API docs without other origins, accessibility."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from backend.config import PROJECT_ROOT
from backend.core.domain.audit import Origin
from backend.core.services import auth, users
from backend.core.services.auth import LoginPolicy
from backend.core.services.context import Actor
from backend.leasing.db.models import Lease
from backend.org.domain.org import AssetType, CustomerKind, ProjectCategory
from backend.org.services import customers, org
from tests.e2e.helpers import WAIT_MS, shot
from tests.e2e.live import PASSWORD, Site

SEEDER = Actor.system(Origin.CLI, "e2e-office")
DESK = {"viewport": {"width": 1400, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
AXE = PROJECT_ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def office(site: Site) -> SimpleNamespace:
    """Two regions: East (the site's project SH-LJZ) and West (BJ-XS); a template requiring a purpose; a
    customer in each; an active lease in the East at ¥10,000 a month for 2027; a draft lease in the West; an
    administrator, a leasing agent of SH-LJZ and a regional manager for each region, all in Chinese."""
    db = site.db

    def run(service: Callable[..., Any], *args: Any) -> Any:
        with db.unit_of_work() as uow:
            return service(*args, SEEDER, uow)

    east_region_id = site.project.region_id
    west = run(org.create_region, {"code": "WEST", "name": "华北区"})
    xishan = run(
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
    west_unit = run(
        org.create_asset,
        {
            "project_id": xishan.id,
            "code": "BJ-XS-0101",
            "name": "101",
            "asset_type": AssetType.OFFICE,
            "area_m2": Decimal("88.00"),
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
    westcorp = run(
        customers.create_customer,
        {"region_id": west.id, "code": "C-W1", "kind": CustomerKind.COMPANY, "name": "北京西山贸易有限公司"},
    )

    # The rest through the API, as the head office would enter it.
    credentials = {"username": admin.username, "password": PASSWORD, "device_name": "seed"}
    with db.unit_of_work() as uow:
        issued = auth.register_device(credentials, SEEDER, LoginPolicy(), datetime.now(UTC), uow)
    head_office = site.app.test_client()
    head_office.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued.token}"

    def post(path: str, body: dict[str, Any] | None = None) -> Any:
        response = head_office.post(path, json=body)
        assert response.status_code in {200, 201}, (path, response.json)
        return SimpleNamespace(**response.json)

    template = post(
        "/api/contract-templates",
        {
            "code": "OFFICE-STD",
            "name": "标准写字楼租赁合同",
            "contract_type": "office",
            "frequency": "monthly",
            "timing": "prepaid",
            "required_fields": ["purpose"],
        },
    )
    running = post(
        "/api/leases",
        {
            "number": "SH-LJZ-2027-0001",
            "template_id": template.id,
            "customer_id": xinghe.id,
            "asset_ids": [site.units[1].id],
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "charge_lines": [{"charge_type": "rent", "monthly_amount": "10000.00"}],
            "purpose": "办公",
        },
    )
    post(f"/api/leases/{running.id}/sign")
    post(
        "/api/leases",
        {
            "number": "BJ-XS-2027-0001",
            "template_id": template.id,
            "customer_id": westcorp.id,
            "asset_ids": [west_unit.id],
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "charge_lines": [{"charge_type": "rent", "monthly_amount": "5000.00"}],
            "purpose": "办公",
        },
    )
    return SimpleNamespace(
        admin=admin,
        agent=agent,
        rm_east=rm_east,
        rm_west=rm_west,
        template=template,
        running=running,
        free_unit=site.units[0],
        xinghe=xinghe,
    )


@pytest.fixture
def desks(browser: Any, site: Site) -> Iterator[Callable[[], Page]]:
    """Desktop browser windows on the site (their own cookies each); no CSP violation allowed."""
    opened: list[Any] = []
    violations: list[str] = []

    def open_one() -> Page:
        context = browser.new_context(base_url=site.base_url, **DESK)
        context.set_default_timeout(WAIT_MS)
        context.on(
            "console",
            lambda message: "Content Security Policy" in message.text and violations.append(message.text),
        )
        opened.append(context)
        return context.new_page()

    yield open_one
    for context in opened:
        context.close()
    assert not violations, f"the office app broke its Content-Security-Policy: {violations[:3]}"


def sign_in(page: Page, user: Any, path: str = "/office/") -> None:
    page.goto(path)
    page.locator("#username").fill(user.username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[data-testid=office-login] button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_contain_text(user.username)


def sign_out(page: Page) -> None:
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("office-login")).to_be_visible()


def no_serious_violations(page: Page, screen: str) -> None:
    """axe-core on the screen as it stands: no serious or critical accessibility violation."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`)"""
    )
    assert not found, f"{screen}: {found}"


def lease_count(site: Site) -> int:
    with site.db.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Lease)).scalar_one())


def test_an_agent_creates_a_lease_from_a_template_previews_its_schedule_and_signs_it(
    office: SimpleNamespace, desks: Callable[[], Page], site: Site
) -> None:
    page = desks()
    sign_in(page, office.agent)
    # Each tile counts its list as the API scopes it: the agent's one signed lease ends in December 2027.
    expect(page.get_by_test_id("tile-approvals").locator(".tile-count")).to_have_text("0")
    expect(page.get_by_test_id("tile-expiring-90").locator(".tile-count")).to_have_text("0")
    no_serious_violations(page, "home")
    shot(page, "office-home")

    page.get_by_test_id("menu-/office/leases/new").click()
    page.get_by_test_id("template").select_option(str(office.template.id))
    page.get_by_test_id("project").select_option(str(site.project.id))
    page.locator("#asset_ids-search").fill(office.free_unit.code)
    page.get_by_test_id("asset").select_option(str(office.free_unit.id))
    page.locator("#customer_id-search").fill("星河")
    page.get_by_test_id("customer").select_option(str(office.xinghe.id))
    page.get_by_test_id("starts-on").fill("2027-03-01")
    page.get_by_test_id("ends-on").fill("2028-02-29")
    page.keyboard.press("Escape")
    page.get_by_test_id("charge-amount-0").fill("12800")
    # The template requires a purpose: the form says so on the field, and nothing is saved.
    before = lease_count(site)
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("error-purpose")).to_have_text("必填。")
    assert lease_count(site) == before
    # The frequency comes from a select, set from the template.
    expect(page.get_by_test_id("frequency")).to_have_value("monthly")

    page.get_by_test_id("purpose").fill("研发办公")
    page.get_by_test_id("preview").click()
    # Twelve months of ¥12,800.00 from 1 March 2027: ¥153,600.00, no concession.
    expect(page.get_by_test_id("total-gross")).to_have_text("¥153,600.00")
    expect(page.get_by_test_id("total-concessions")).to_have_text("¥0.00")
    expect(page.get_by_test_id("total-net")).to_have_text("¥153,600.00")
    expect(page.get_by_test_id("preview-schedule").locator("tbody tr")).to_have_count(12)
    no_serious_violations(page, "new lease")
    shot(page, "office-new-lease")

    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("lease-status")).to_have_text("已签约")
    expect(page.get_by_test_id("schedule").locator("tbody tr")).to_have_count(12)
    first = page.get_by_test_id("schedule").locator("tbody tr").first
    expect(first).to_contain_text("2027年3月1日 – 2027年3月31日")
    expect(first).to_contain_text("¥12,800.00")
    expect(page.get_by_test_id("total-net")).to_have_text("¥153,600.00")
    no_serious_violations(page, "lease detail")
    shot(page, "office-lease-detail")

    page.get_by_test_id("menu-/office/leases").click()
    page.get_by_test_id("lease-search").fill("星河")
    expect(page.get_by_test_id("leases-total")).to_have_attribute("data-total", "2")
    no_serious_violations(page, "leases")
    shot(page, "office-leases")


def test_a_rent_reduction_proposed_by_one_user_is_approved_by_another(
    office: SimpleNamespace, desks: Callable[[], Page]
) -> None:
    agent = desks()
    sign_in(agent, office.agent, f"/office/leases/{office.running.id}/amend")
    agent.get_by_test_id("effective-on").fill("2027-07-01")
    agent.keyboard.press("Escape")
    agent.get_by_test_id("new-amount").fill("8000")
    agent.get_by_test_id("reason").fill("客户缩减面积，经协商自7月起降租")
    agent.get_by_test_id("amend-preview").click()
    # July to December: six months of ¥2,000.00 less, nothing billed yet.
    expect(agent.get_by_test_id("effect-unbilled")).to_have_text("-¥12,000.00")
    expect(agent.get_by_test_id("amend-kinds")).to_contain_text("降租")
    shot(agent, "office-amend")
    agent.get_by_test_id("amend-submit").click()
    expect(agent.get_by_test_id("amendments")).to_contain_text("待审批")

    # The requester cannot decide their own request; they may withdraw it.
    agent.get_by_test_id("amendments").get_by_role("link", name="待审批").click()
    expect(agent.get_by_test_id("cancel-approval")).to_be_visible()
    expect(agent.get_by_test_id("approve")).to_have_count(0)

    manager = desks()
    sign_in(manager, office.rm_east, "/office/approvals")
    manager.get_by_test_id("approval-link").first.click()
    expect(manager.get_by_test_id("approval-reason")).to_have_text("客户缩减面积，经协商自7月起降租")
    expect(manager.get_by_test_id("approval-subject")).to_have_text("SH-LJZ-2027-0001 · 降租")
    expect(manager.get_by_test_id("approval-effect")).to_contain_text("-¥12,000.00")
    no_serious_violations(manager, "approval")
    shot(manager, "office-approval")
    manager.get_by_test_id("decision-note-input").fill("同意")
    manager.get_by_test_id("approve").click()
    expect(manager.get_by_test_id("approval-state")).to_have_text("已批准")

    agent.goto(f"/office/leases/{office.running.id}")
    expect(agent.get_by_test_id("amendments")).to_contain_text("已生效")
    expect(agent.get_by_test_id("charge-lines")).to_contain_text("¥8,000.00")
    # Six months at ¥10,000.00 and six at ¥8,000.00.
    expect(agent.get_by_test_id("total-net")).to_have_text("¥108,000.00")


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_an_import_with_a_bad_row_shows_it_and_commits_nothing_then_commits_once_fixed(
    office: SimpleNamespace, desks: Callable[[], Page], site: Site, tmp_path: Path
) -> None:
    row = {
        "number": "SH-LJZ-IMP-0001",
        "project": site.project.code,
        "customer": "C-E1",
        "assets": office.free_unit.code,
        "template": "OFFICE-STD",
        "starts_on": "2027-01-01",
        "ends_on": "2027-13-31",
        "monthly_rent": "9,000",
        "purpose": "办公",
    }
    bad = tmp_path / "leases-bad.csv"
    bad.write_bytes(_csv([row]))
    page = desks()
    sign_in(page, office.agent, "/office/imports")
    before = lease_count(site)
    page.get_by_test_id("import-file").set_input_files(str(bad))
    page.get_by_test_id("import-check").click()
    problems = page.get_by_test_id("import-problems")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.locator("tbody tr td").nth(0)).to_have_text("2")
    expect(problems.locator("tbody tr td").nth(1)).to_contain_text("ends_on")
    expect(page.get_by_test_id("import-commit")).to_be_disabled()
    no_serious_violations(page, "import")
    shot(page, "office-import-problems")
    assert lease_count(site) == before

    good = tmp_path / "leases-good.csv"
    good.write_bytes(_csv([row | {"ends_on": "2027-12-31"}]))
    page.get_by_test_id("import-file").set_input_files(str(good))
    page.get_by_test_id("import-check").click()
    expect(page.get_by_test_id("import-summary")).to_have_text("读取 1 行，没有问题：1 份租约可以导入。")
    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-summary")).to_have_text("导入完成：已创建 1 份租约。")
    assert lease_count(site) == before + 1


def test_a_regional_managers_lists_counts_and_exports_hold_only_their_region(
    office: SimpleNamespace, desks: Callable[[], Page]
) -> None:
    page = desks()
    sign_in(page, office.rm_west, "/office/leases")
    expect(page.get_by_test_id("leases-total")).to_have_attribute("data-total", "1")
    expect(page.get_by_test_id("leases").locator("tbody")).to_contain_text("BJ-XS-2027-0001")
    expect(page.get_by_test_id("leases").locator("tbody")).not_to_contain_text("SH-LJZ")
    exported = page.request.get(page.get_by_test_id("export-csv").get_attribute("href") or "")
    assert exported.ok, exported.status
    text = exported.body().decode("utf-8-sig")
    assert "BJ-XS-2027-0001" in text
    assert "SH-LJZ" not in text
    # Another region's lease, by its address: a clear message, not a blank page.
    page.goto(f"/office/leases/{office.running.id}")
    expect(page.get_by_test_id("error")).to_have_text("未找到，或不在您的管辖范围内。")


def test_a_screen_the_user_may_not_use_is_neither_in_the_menu_nor_open_by_its_address(
    office: SimpleNamespace, desks: Callable[[], Page], site: Site
) -> None:
    page = desks()
    sign_in(page, site.inspector)
    expect(page.get_by_test_id("menu-/office/")).to_be_visible()
    expect(page.get_by_test_id("menu-/office/leases")).to_have_count(0)
    page.goto("/office/leases")
    expect(page.get_by_test_id("error")).to_contain_text("permission")


def test_the_language_is_kept_in_the_profile_across_sign_ins(
    office: SimpleNamespace, desks: Callable[[], Page]
) -> None:
    page = desks()
    sign_in(page, office.agent)
    expect(page.get_by_test_id("menu-/office/leases")).to_have_text("租约")
    page.get_by_test_id("language").select_option("en")
    expect(page.get_by_test_id("menu-/office/leases")).to_have_text("Leases")
    sign_out(page)
    other = desks()
    sign_in(other, office.agent)
    expect(other.get_by_test_id("menu-/office/leases")).to_have_text("Leases")
    expect(other.get_by_test_id("language")).to_have_value("en")
    expect(other.get_by_test_id("tile-approvals").locator(".tile-count")).to_have_text("0")
    shot(other, "office-home-en")


def test_the_api_docs_render_with_every_other_origin_blocked(desks: Callable[[], Page], site: Site) -> None:
    page = desks()
    elsewhere: list[str] = []

    def only_ours(route: Any) -> None:
        if route.request.url.startswith(site.base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto("/api/docs")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    expect(page.locator("#swagger-ui")).to_contain_text("/api/auth/me")
    shot(page, "office-api-docs")
    assert not elsewhere, elsewhere


def test_the_asset_board_drills_into_its_list_and_every_back_office_list_opens(
    office: SimpleNamespace, desks: Callable[[], Page], site: Site
) -> None:
    page = desks()
    sign_in(page, office.admin, "/office/assets/board")
    # SH-LJZ: two units, one of them under the signed lease of 2027 (still vacant today); BJ-XS: one.
    expect(page.get_by_test_id("board-total")).to_have_text("3")
    expect(page.get_by_test_id("board-chart").locator("canvas")).to_have_count(1)
    no_serious_violations(page, "asset board")
    shot(page, "office-asset-board")
    count = page.get_by_test_id(f"board-{site.project.code}-vacant").inner_text()
    page.get_by_test_id(f"board-{site.project.code}-vacant").click()
    expect(page.get_by_test_id("assets-total")).to_have_attribute("data-total", count)
    shot(page, "office-assets")
    page.get_by_test_id("asset-link").first.click()
    expect(page.get_by_test_id("asset-history")).to_contain_text("创建")
    shot(page, "office-asset-card")
    for path, grid, name in (
        ("/office/customers", "customers", "office-customers"),
        ("/office/users", "users", "office-users"),
        ("/office/audit", "audit", "office-audit"),
        ("/office/jobs", "job-runs", "office-jobs"),
        ("/office/field-requests", "field-requests", "office-field-requests"),
        ("/office/work-orders", "work-orders", "office-work-orders"),
    ):
        page.goto(path)
        expect(page.get_by_test_id(grid)).to_have_attribute("aria-busy", "false")
        no_serious_violations(page, path)
        shot(page, name)
    for path, testid, name in (
        ("/office/projects", f"project-{site.project.code}", "office-projects"),
        ("/office/templates", "templates", "office-templates"),
        ("/office/codes", "aliases", "office-codes"),
        ("/office/labels", "labels", "office-labels"),
    ):
        page.goto(path)
        expect(page.get_by_test_id(testid)).to_be_visible()
        no_serious_violations(page, path)
        shot(page, name)
    # A sheet of the project's labels, made on the server and handed over as a PDF.
    page.get_by_test_id("label-project").select_option(str(site.project.id))
    page.get_by_test_id("make-labels").click()
    link = page.get_by_test_id("labels-file")
    expect(link).to_have_attribute("download", f"labels-{site.project.code}.pdf")
    with page.expect_download() as download:
        link.click()
    head = Path(download.value.path()).read_bytes()[:5]
    assert head == b"%PDF-"


def test_a_regional_managers_board_counts_only_their_region(
    office: SimpleNamespace, desks: Callable[[], Page]
) -> None:
    page = desks()
    sign_in(page, office.rm_west, "/office/assets/board")
    expect(page.get_by_test_id("board-total")).to_have_text("1")
    expect(page.get_by_test_id("board")).not_to_contain_text("SH-LJZ")


def test_an_administrator_creates_a_user_with_a_role_and_deactivates_them(
    office: SimpleNamespace, desks: Callable[[], Page], site: Site
) -> None:
    page = desks()
    sign_in(page, office.admin, "/office/users")
    page.locator("details.panel summary").click()
    form = page.get_by_test_id("new-user")
    form.locator("#new-username").fill("inspector.two")
    form.locator("#new-display-name").fill("李巡检")
    form.locator("#new-password").fill("short")
    page.get_by_test_id("new-role").select_option("inspector")
    page.get_by_test_id("new-target").select_option(str(site.project.id))
    page.get_by_test_id("create-user").click()
    # Refused on its field, in the administrator's language; nobody is created.
    expect(page.get_by_test_id("error-new-password")).to_be_visible()
    expect(page.get_by_test_id("users")).not_to_contain_text("inspector.two")
    form.locator("#new-password").fill("a long enough password")
    page.get_by_test_id("create-user").click()
    row = page.get_by_test_id("users").locator("tbody tr", has_text="inspector.two")
    expect(row).to_contain_text("巡检员 · Lujiazui Centre")
    shot(page, "office-users-new")
    page.get_by_test_id("deactivate-inspector.two").click()
    expect(row).to_contain_text("已停用")
    expect(page.get_by_test_id("reactivate-inspector.two")).to_be_visible()
