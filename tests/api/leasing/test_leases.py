"""Leases through the API: templates, drafting with aliases, signing, schedules, failures, amendments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from backend.cli import main
from backend.core.domain.errors import DomainError
from backend.leasing.services import lease_lifecycle, leases, schedules
from backend.org.domain.org import AssetType
from tests.conftest import SYSTEM

OFFICE_TEMPLATE = {
    "code": "OFFICE-STD",
    "name": "标准写字楼租赁合同",
    "contract_type": "office",
    "required_fields": ["deposit_amount", "account_manager_id"],
    "frequency": "季付",
    "timing": "预付",
    "due_offset_days": -15,
    "business_day_rule": "following",
    "deposit_months": "3",
    "notice_period_days": 90,
    "reminder_days": [90, 60, 30],
}


@pytest.fixture
def site(make_region: Any, make_project: Any, make_asset: Any, make_customer: Any, make_user: Any) -> Any:
    """A region with one office project, three units, a customer, a leasing agent and approvers."""
    region = make_region()
    project = make_project(region)
    units = [make_asset(project, asset_type=AssetType.OFFICE) for _ in range(3)]
    other_region = make_region()
    outsider = make_user("regional_manager", region_id=other_region.id)

    class Site:
        pass

    site = Site()
    site.region, site.project, site.units = region, project, units
    site.customer = make_customer(region)
    site.agent = make_user("leasing_agent", project_id=project.id)
    site.manager = make_user("project_manager", project_id=project.id)
    site.finance = make_user("finance", region_id=region.id)
    site.outsider = outsider
    return site


@pytest.fixture
def template(run: Callable[..., Any]) -> Any:
    """The standard office template (quarterly prepaid, 15 days ahead, following business day)."""
    return run(leases.create_template, dict(OFFICE_TEMPLATE), SYSTEM)


def draft(site: Any, template: Any, **changes: Any) -> dict[str, Any]:
    """A complete draft lease body."""
    return {
        "template_id": template.id,
        "customer_id": site.customer.id,
        "asset_ids": [site.units[0].id],
        "starts_on": "2026-01-01",
        "ends_on": "2028-12-31",
        "account_manager_id": site.agent.id,
        "charge_lines": [
            {
                "charge_type": "租金",
                "monthly_amount": "30000.00",
                "escalation": {"kind": "percent", "every_months": 12, "value": "5"},
            },
            {"charge_type": "物业费", "monthly_amount": "4500.00"},
        ],
        "concessions": [{"starts_on": "2026-01-01", "ends_on": "2026-03-31", "percent": "100"}],
    } | changes


def test_a_template_takes_free_text_codes_and_stores_canonical_ones(
    bearer_client: Callable[..., FlaskClient], make_user: Any
) -> None:
    admin = bearer_client(make_user("admin"))
    response = admin.post("/api/contract-templates", json=OFFICE_TEMPLATE)
    assert response.status_code == 201, response.json
    assert response.json["frequency"] == "quarterly"
    assert response.json["timing"] == "prepaid"


def test_a_template_refuses_unknown_required_fields_listing_the_accepted_ones(
    bearer_client: Callable[..., FlaskClient], make_user: Any
) -> None:
    admin = bearer_client(make_user("admin"))
    response = admin.post(
        "/api/contract-templates", json=OFFICE_TEMPLATE | {"required_fields": ["shoe_size"]}
    )
    assert response.status_code == 422
    message = response.json["errors"]["json"]["required_fields"][0]
    assert "shoe_size" in message
    assert "deposit_amount" in message


def test_a_leasing_agent_drafts_a_lease_with_template_defaults_and_aliases(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    agent = bearer_client(site.agent)
    response = agent.post("/api/leases", json=draft(site, template, frequency="两月一次"))
    assert response.status_code == 201, response.json
    lease = response.json
    assert lease["status"] == "draft"
    assert lease["frequency"] == "bimonthly"
    assert lease["timing"] == "prepaid"
    assert lease["business_day_rule"] == "following"
    assert lease["deposit_amount"] == "90000.00"
    assert lease["number"].startswith(f"{site.project.code}-2026-")
    assert [line["charge_type"] for line in lease["charge_lines"]] == ["rent", "service_fee"]


def test_an_unknown_frequency_is_refused_naming_the_value_and_the_accepted_codes(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    agent = bearer_client(site.agent)
    response = agent.post("/api/leases", json=draft(site, template, frequency="每周一次"))
    assert response.status_code == 422
    message = response.json["errors"]["json"]["frequency"][0]
    assert "每周一次" in message
    assert "bimonthly" in message
    assert agent.get("/api/leases").headers["X-Pagination"].find('"total": 0') >= 0


def test_signing_lists_every_missing_required_field(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    agent = bearer_client(site.agent)
    body = draft(site, template)
    for name in ("customer_id", "account_manager_id", "charge_lines"):
        body.pop(name)
    lease = agent.post("/api/leases", json=body | {"deposit_amount": None}).json
    response = agent.post(f"/api/leases/{lease['id']}/sign")
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {
        "customer_id",
        "charge_lines",
        "deposit_amount",
        "account_manager_id",
    }
    assert agent.get(f"/api/leases/{lease['id']}").json["status"] == "draft"


def test_signing_generates_the_schedule_and_records_the_event(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], db: Any
) -> None:
    agent = bearer_client(site.agent)
    lease = agent.post("/api/leases", json=draft(site, template)).json
    preview = agent.get(f"/api/leases/{lease['id']}/schedule/preview").json
    signed = agent.post(f"/api/leases/{lease['id']}/sign")
    assert signed.status_code == 200, signed.json
    assert signed.json["status"] == "signed"
    schedule = agent.get(f"/api/leases/{lease['id']}/schedule").json
    assert [i["amount"] for i in schedule["items"]] == [i["amount"] for i in preview["items"]]
    assert schedule["totals"] == preview["totals"]
    rent = [i for i in schedule["items"] if i["charge_type"] == "rent" and not i["is_concession"]]
    assert len(rent) == 12  # three years, quarterly
    assert rent[0]["due_date"] == "2025-12-17"  # 15 days ahead, shifted past the weekend
    assert Decimal(rent[4]["amount"]) == Decimal("94500.00")  # second year: +5 %
    free = [i for i in schedule["items"] if i["is_concession"]]
    assert sum(Decimal(i["amount"]) for i in free) == Decimal("-90000.00")
    # The escalation opened new line versions instead of editing the price.
    lines = agent.get(f"/api/leases/{lease['id']}").json["charge_lines"]
    rents = [line for line in lines if line["charge_type"] == "rent"]
    assert [(line["version"], line["monthly_amount"]) for line in rents] == [
        (1, "30000.00"),
        (2, "31500.00"),
        (3, "33075.00"),
    ]
    with db.unit_of_work() as uow:
        assert [e.payload["lease_id"] for e in uow.events.named("lease.signed")] == [lease["id"]]


def test_an_asset_cannot_be_in_two_overlapping_signed_leases(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    agent = bearer_client(site.agent)
    first = agent.post("/api/leases", json=draft(site, template)).json
    assert agent.post(f"/api/leases/{first['id']}/sign").status_code == 200
    second = agent.post(
        "/api/leases", json=draft(site, template, starts_on="2028-06-01", ends_on="2030-05-31")
    ).json
    response = agent.post(f"/api/leases/{second['id']}/sign")
    assert response.status_code == 409
    assert first["number"] in response.json["errors"]["json"]["asset_ids"][0]
    assert agent.get(f"/api/leases/{second['id']}/schedule").json["items"] == []


def test_a_failed_generation_is_recorded_alerted_and_retried(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], db: Any
) -> None:
    agent = bearer_client(site.agent)
    lease = agent.post("/api/leases", json=draft(site, template)).json
    _set_calendar(db, site.project.id, "ZZ")  # no such country: no due date can be worked out

    response = agent.post(f"/api/leases/{lease['id']}/sign")
    assert response.status_code == 422
    assert agent.get(f"/api/leases/{lease['id']}").json["status"] == "draft"
    assert agent.get(f"/api/leases/{lease['id']}/schedule").json["items"] == []
    runs = agent.get("/api/job-runs", query_string={"subject_id": lease["id"], "status": "failed"}).json
    assert len(runs) == 1
    assert runs[0]["kind"] == "schedule.generate"
    assert "calendar" in runs[0]["reason"]
    inbox = agent.get("/api/notifications").json
    assert [n["kind"] for n in inbox] == ["schedule.failed"]
    assert lease["number"] in inbox[0]["title"]

    _set_calendar(db, site.project.id, "CN")
    retried = agent.post(f"/api/job-runs/{runs[0]['id']}/retry")
    assert retried.status_code == 200, retried.json
    assert retried.json["status"] == "retried"
    assert agent.get(f"/api/leases/{lease['id']}").json["status"] == "signed"
    assert agent.get(f"/api/leases/{lease['id']}/schedule").json["items"]


def test_a_failure_alert_reaches_only_people_who_can_see_the_lease(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], db: Any, make_user: Any
) -> None:
    agent = bearer_client(site.agent)
    admin = bearer_client(make_user("admin"))
    outsider = bearer_client(site.outsider)
    lease = agent.post("/api/leases", json=draft(site, template, account_manager_id=site.outsider.id)).json
    _set_calendar(db, site.project.id, "ZZ")

    assert agent.post(f"/api/leases/{lease['id']}/sign").status_code == 422

    assert [n["kind"] for n in agent.get("/api/notifications").json] == ["schedule.failed"]
    assert outsider.get("/api/notifications").json == []  # named as account manager, but out of scope
    assert outsider.get(f"/api/leases/{lease['id']}").status_code == 404
    assert admin.get("/api/notifications").json == []  # someone in scope was told: no fallback needed


def test_when_nobody_named_can_see_the_lease_its_job_admins_hear_of_the_failure(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], db: Any, make_user: Any, run: Any
) -> None:
    admin = bearer_client(make_user("admin"))
    outsider = bearer_client(site.outsider)
    body = draft(site, template, account_manager_id=site.outsider.id)
    lease = bearer_client(site.agent).post("/api/leases", json=body).json
    _set_calendar(db, site.project.id, "ZZ")

    with pytest.raises(DomainError):
        run(leases.sign_lease, lease["id"], SYSTEM, now=datetime.now(UTC))

    assert outsider.get("/api/notifications").json == []
    [alert] = admin.get("/api/notifications").json
    assert alert["kind"] == "schedule.failed"
    assert lease["number"] in alert["title"]


def _set_calendar(db: Any, project_id: int, code: str) -> None:
    with db.unit_of_work() as uow:
        uow.projects.find(project_id).holiday_calendar = code
        uow.commit()


def test_a_cpi_lease_signs_with_its_schedule_up_to_the_last_published_index(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], make_user: Any
) -> None:
    """The term runs 2026-01-01 to 2028-12-31 with a yearly CPI step; no index value is published yet."""
    agent = bearer_client(site.agent)
    cpi = {"kind": "cpi", "every_months": 12, "index": "CN-CPI", "floor_percent": "0", "cap_percent": "5"}
    body = draft(
        site, template, charge_lines=[{"charge_type": "rent", "monthly_amount": "20000", "escalation": cpi}]
    )
    lease = agent.post("/api/leases", json=body).json

    response = agent.post(f"/api/leases/{lease['id']}/sign")
    assert response.status_code == 200, response.json
    items = agent.get(f"/api/leases/{lease['id']}/schedule").json["items"]
    rent = [i for i in items if i["charge_type"] == "rent" and not i["is_concession"]]
    # The first year needs no index: four quarters of 60,000; 2027 waits for the index of 2025-12 and 2026-12.
    assert [(i["period_start"], i["amount"]) for i in rent] == [
        ("2026-01-01", "60000.00"),
        ("2026-04-01", "60000.00"),
        ("2026-07-01", "60000.00"),
        ("2026-10-01", "60000.00"),
    ]


def test_a_minor_amendment_applies_at_once_and_keeps_billed_periods(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], db: Any, app: Any
) -> None:
    app.extensions["leasekeeper.clock"] = lambda: datetime(2026, 1, 20, 2, 0, tzinfo=UTC)
    agent = bearer_client(site.agent)
    lease = agent.post("/api/leases", json=draft(site, template, concessions=[])).json
    agent.post(f"/api/leases/{lease['id']}/sign")
    _bill_first_items(db, lease["id"], count=2)
    before = agent.get(f"/api/leases/{lease['id']}/schedule").json["items"]

    amendment = {
        "effective_on": "2026-02-01",
        "reason": "租户扩大使用面积，租金上调",
        "charge_lines": [{"charge_type": "rent", "monthly_amount": "36000.00"}],
    }
    response = agent.post(f"/api/leases/{lease['id']}/amendments", json=amendment)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "applied"
    assert response.json["kinds"] == ["rent_increase"]
    after = agent.get(f"/api/leases/{lease['id']}/schedule").json["items"]
    billed = [i for i in before if i["status"] == "issued"]
    assert billed
    assert all(item in after for item in billed)
    history = agent.get(f"/api/leases/{lease['id']}/charge-lines").json
    replaced = [line for line in history if line["replaced_by_amendment_id"] is not None]
    assert {line["version"] for line in replaced} == {2, 3}  # the step-ups the new rent supersedes
    assert history[0]["ends_on"] == "2026-01-31"  # the first version now ends the day before
    rent = {
        i["period_start"]: i["amount"]
        for i in after
        if i["charge_type"] == "rent" and i["status"] != "adjustment"
    }
    assert rent["2026-04-01"] == "90000.00"  # billed before the amendment: left as it was
    assert rent["2026-07-01"] == "108000.00"  # 3 × 36,000
    # The billed quarters are settled by debit adjustments, due today: the first quarter was billed
    # 90,000 and is now 30,000 + 2 × 36,000 = 102,000; the second 3 × 36,000 − 90,000 = 18,000.
    adjustments = [
        (i["period_start"], i["period_end"], i["due_date"], i["amount"])
        for i in after
        if i["status"] == "adjustment"
    ]
    assert adjustments == [
        ("2026-01-01", "2026-03-31", "2026-01-20", "12000.00"),
        ("2026-04-01", "2026-06-30", "2026-01-20", "18000.00"),
    ]
    # The step-ups go on from the new rent: 2026 Q3–Q4 108,000 (was 90,000), 2027 4 × 113,400 (37,800 a
    # month, was 94,500), 2028 4 × 119,070 (39,690, was 99,225): 2 × 18,000 + 4 × 18,900 + 4 × 19,845.
    assert response.json["effect"]["totals"] == {
        "unbilled_difference": "190980.00",
        "credit": "0.00",
        "debit": "30000.00",
    }
    assert agent.get(f"/api/leases/{lease['id']}").json["version"] == 2


def test_a_rent_reduction_waits_for_a_second_person(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    agent = bearer_client(site.agent)
    manager = bearer_client(site.manager)
    lease = agent.post("/api/leases", json=draft(site, template, concessions=[])).json
    agent.post(f"/api/leases/{lease['id']}/sign")
    body = {
        "effective_on": "2027-01-01",
        "reason": "市场下行，降租留住租户",
        "charge_lines": [{"charge_type": "rent", "monthly_amount": "25000.00"}],
    }
    amendment = agent.post(f"/api/leases/{lease['id']}/amendments", json=body).json
    assert amendment["status"] == "pending_approval"
    assert "rent_reduction" in amendment["kinds"]
    unchanged = agent.get(f"/api/leases/{lease['id']}/schedule").json
    approval_id = amendment["approval_id"]

    assert agent.post(f"/api/approvals/{approval_id}/approve", json={}).status_code == 403
    inbox = manager.get("/api/notifications").json
    assert [n["kind"] for n in inbox] == ["approval.requested"]
    assert manager.post(f"/api/approvals/{approval_id}/reject", json={}).status_code == 422
    approved = manager.post(f"/api/approvals/{approval_id}/approve", json={"note": "同意"})
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved"
    amended = agent.get(f"/api/leases/{lease['id']}/amendments/{amendment['id']}").json
    assert amended["status"] == "applied"
    schedule = agent.get(f"/api/leases/{lease['id']}/schedule").json
    assert schedule["totals"] != unchanged["totals"]
    assert [n["kind"] for n in agent.get("/api/notifications").json] == ["approval.decided"]
    assert manager.post(f"/api/approvals/{approval_id}/approve", json={}).status_code == 409


def test_leases_of_another_region_stay_invisible(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    agent = bearer_client(site.agent)
    lease = agent.post("/api/leases", json=draft(site, template)).json
    outsider = bearer_client(site.outsider)
    assert outsider.get(f"/api/leases/{lease['id']}").status_code == 404
    assert outsider.get("/api/leases").json == []
    assert outsider.get(f"/api/leases/{lease['id']}/schedule/preview").status_code == 404


def test_the_lifecycle_refuses_moves_out_of_order(
    app: Any, site: Any, template: Any, bearer_client: Callable[..., FlaskClient]
) -> None:
    # A fixed clock: "not started yet" must not depend on the day the suite runs.
    app.extensions["leasekeeper.clock"] = lambda: datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    agent = bearer_client(site.agent)
    lease = agent.post(
        "/api/leases",
        json=draft(site, template, starts_on="2030-01-01", ends_on="2031-12-31", concessions=[]),
    ).json
    assert agent.post(f"/api/leases/{lease['id']}/activate").status_code == 409
    agent.post(f"/api/leases/{lease['id']}/sign")
    assert agent.post(f"/api/leases/{lease['id']}/activate").status_code == 409  # starts in 2030
    assert agent.patch(f"/api/leases/{lease['id']}", json={"note": "x"}).status_code == 409
    terminated = agent.post(
        f"/api/leases/{lease['id']}/terminate", json={"on": "2030-06-30", "reason": "客户破产"}
    )
    assert terminated.status_code == 200, terminated.json
    items = agent.get(f"/api/leases/{lease['id']}/schedule").json["items"]
    assert max(i["period_end"] for i in items) == "2030-06-30"


def _bill_first_items(db: Any, lease_id: int, count: int) -> None:
    """Mark the first periods issued, as the billing feature will."""
    with db.unit_of_work() as uow:
        rows = uow.schedules.of_lease(lease_id)
        starts = sorted({row.period_start for row in rows})[:count]
        for row in rows:
            if row.period_start in starts:
                row.status = "issued"
        uow.commit()


def test_dry_run_reports_every_lease_that_would_fail(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], run: Any, db: Any
) -> None:
    agent = bearer_client(site.agent)
    lease = agent.post("/api/leases", json=draft(site, template)).json
    agent.post(f"/api/leases/{lease['id']}/sign")
    with db.unit_of_work() as uow:  # a holiday calendar code that no longer exists, say after an upgrade
        project = uow.projects.find(site.project.id)
        project.holiday_calendar = "XX"
        uow.commit()
    report = run(schedules.dry_run, SYSTEM, now=datetime(2026, 11, 23, tzinfo=UTC))
    assert report.checked == 1
    assert [f.number for f in report.failures] == [lease["number"]]
    assert agent.get(f"/api/leases/{lease['id']}/schedule").json["items"]


def test_the_dry_run_command_exits_non_zero_and_names_failing_leases(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], app: Any, db: Any
) -> None:
    agent = bearer_client(site.agent)
    lease = agent.post("/api/leases", json=draft(site, template)).json
    agent.post(f"/api/leases/{lease['id']}/sign")
    runner = app.test_cli_runner()

    passed = runner.invoke(main, ["schedules", "dry-run"])
    assert passed.exit_code == 0, passed.output
    assert "1 leases checked, 0 would fail" in passed.output
    with db.unit_of_work() as uow:
        uow.projects.find(site.project.id).holiday_calendar = "XX"
        uow.commit()
    failed = runner.invoke(main, ["schedules", "dry-run"])
    assert failed.exit_code == 1
    assert lease["number"] in failed.output


def test_the_daily_run_activates_flags_and_ends_leases_by_the_project_calendar(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], run: Any, db: Any
) -> None:
    agent = bearer_client(site.agent)
    numbers = {}
    for unit, (starts, ends) in zip(
        site.units,
        [("2026-01-01", "2028-12-31"), ("2025-01-01", "2026-12-31"), ("2024-01-01", "2026-10-31")],
        strict=True,
    ):
        body = draft(site, template, asset_ids=[unit.id], starts_on=starts, ends_on=ends, concessions=[])
        lease = agent.post("/api/leases", json=body).json
        assert agent.post(f"/api/leases/{lease['id']}/sign").status_code == 200
        numbers[lease["id"]] = starts
    # 23 November 2026 in Shanghai: the first runs, the second ends within 60 days, the third is over.
    report = run(lease_lifecycle.advance, SYSTEM, now=datetime(2026, 11, 22, 16, 30, tzinfo=UTC))
    assert report.failures == ()
    statuses = {lease_id: agent.get(f"/api/leases/{lease_id}").json["status"] for lease_id in numbers}
    assert sorted(statuses.values()) == ["active", "ended", "expiring"]
    with db.unit_of_work() as uow:
        ended = uow.events.named("lease.ended")
    assert len(ended) == 1


def test_a_renewal_is_a_successor_draft_and_signing_it_marks_the_lease_renewed(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], run: Any
) -> None:
    agent = bearer_client(site.agent)
    body = draft(site, template, starts_on="2024-01-01", ends_on="2026-12-31", concessions=[])
    lease = agent.post("/api/leases", json=body).json
    agent.post(f"/api/leases/{lease['id']}/sign")
    assert agent.post(f"/api/leases/{lease['id']}/renew", json={}).status_code == 409  # not active yet
    run(lease_lifecycle.advance, SYSTEM, now=datetime(2026, 11, 23, 2, tzinfo=UTC))
    renewal = agent.post(f"/api/leases/{lease['id']}/renew", json={"term_months": 24})
    assert renewal.status_code == 201, renewal.json
    successor = renewal.json
    assert (successor["starts_on"], successor["ends_on"]) == ("2027-01-01", "2028-12-31")
    assert successor["renewed_from_id"] == lease["id"]
    rents = [line for line in successor["charge_lines"] if line["charge_type"] == "rent"]
    assert [line["monthly_amount"] for line in rents] == ["33075.00"]  # the last step-up carries on
    assert agent.post(f"/api/leases/{successor['id']}/sign").status_code == 200
    assert agent.get(f"/api/leases/{lease['id']}").json["status"] == "renewed"


def test_an_amendment_previewed_shows_its_effect_and_writes_nothing(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], db: Any, app: Any
) -> None:
    app.extensions["leasekeeper.clock"] = lambda: datetime(2026, 1, 20, 2, 0, tzinfo=UTC)
    agent = bearer_client(site.agent)
    lease = agent.post("/api/leases", json=draft(site, template, concessions=[])).json
    agent.post(f"/api/leases/{lease['id']}/sign")
    _bill_first_items(db, lease["id"], count=1)
    body = {
        "effective_on": "2026-03-01",
        "charge_lines": [{"charge_type": "rent", "monthly_amount": "27000.00", "keep_escalation": False}],
    }

    response = agent.post(f"/api/leases/{lease['id']}/amendments/preview", json=body)

    assert response.status_code == 200, response.json
    assert (response.json["kinds"], response.json["needs_approval"]) == (["rent_reduction"], True)
    periods = response.json["effect"]["periods"]
    # Q1 is billed at 90,000: March at 27,000 makes it 87,000, a credit of 3,000. From the second
    # quarter 81,000 a quarter, flat: the step-ups to 94,500 and 99,225 no longer apply.
    assert periods[0] == {
        "charge_type": "rent",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "due_date": None,
        "before": "90000.00",
        "after": "87000.00",
        "difference": "-3000.00",
        "billed": True,
    }
    assert [(p["period_start"], p["before"], p["after"]) for p in periods[1:3]] == [
        ("2026-04-01", "90000.00", "81000.00"),
        ("2026-07-01", "90000.00", "81000.00"),
    ]
    assert periods[-1]["before"] == "99225.00"
    assert response.json["effect"]["totals"]["credit"] == "3000.00"
    assert agent.get(f"/api/leases/{lease['id']}/amendments").json == []
    refused = agent.post(f"/api/leases/{lease['id']}/amendments/preview", json={"effective_on": "2030-01-01"})
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"effective_on", "changes"}
