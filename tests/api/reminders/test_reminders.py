"""Reminders through the API: the seed's troubleshooting case, tags with authority, tasks, rules, dates,
calendar feeds, automatic renewals and scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from backend.cli import main
from backend.core.db.database import Database
from backend.core.db.models import JobRun
from backend.leasing.db.models import Lease
from backend.leasing.services import lease_lifecycle
from backend.notify.db.models import Notification
from backend.reminders.db.models import ReminderTask
from backend.reminders.domain.rules import TaskKind, TaskState
from tests.api.reminders.conftest import at_two, import_leases, lease_csv
from tests.conftest import SYSTEM


def rows(db: Database, model: type[Any], *where: Any) -> list[Any]:
    with db.unit_of_work() as uow:
        assert uow.session is not None
        found = list(uow.session.scalars(select(model).where(*where).order_by(model.id)))
        uow.session.expunge_all()
        return found


def tier(story: dict[str, Any], kind: str, number: int) -> dict[str, Any]:
    [found] = [t for d in story["dates"] if d["date_kind"] == kind for t in d["tiers"] if t["tier"] == number]
    return found


def test_the_seeds_case_an_imported_no_renewal_tag_does_not_silence_the_30_day_reminder(
    site: Any, bearer_client: Any, engine_on: Any, db: Database
) -> None:
    """A lease ending 2026-01-01 imported tagged "no renewal": its 30-day reminder still goes, on the
    business day 30 days before (Tuesday 2 December 2025), and "why not?" shows the tag flagged."""
    regional = bearer_client(site.regional)
    [lease_id] = import_leases(
        regional,
        lease_csv(
            [
                "SH-01-2025-0001",
                "SH-01",
                "C0001",
                "SH-01-1201",
                "OFFICE",
                "2025-01-02",
                "2026-01-01",
                "12800",
                "25600",
                "zhang.wei",
                "no renewal",
                "signed",
            ]
        ),
    )

    assert engine_on(date(2025, 12, 1)).sent == 0
    report = engine_on(date(2025, 12, 2))

    [task] = rows(db, ReminderTask, ReminderTask.lease_id == lease_id)
    assert (task.date_kind.value, task.critical_date, task.tier, task.fire_on) == (
        "lease_end",
        date(2026, 1, 1),
        1,
        date(2025, 12, 2),
    )
    assert (task.assignee_id, task.late, task.state) == (site.agent.id, False, TaskState.OPEN)
    assert report.sent == 1
    agent = bearer_client(site.agent)
    story = agent.get(f"/api/reminders/explain/{lease_id}").json
    [tag] = story["tags"]
    assert (tag["tag"], tag["source"], tag["state"], tag["silences"]) == (
        "no renewal",
        "import",
        "flagged",
        False,
    )
    assert tag["set_by"]["name"] == "李区域"
    [warning] = story["warnings"]
    assert warning["code"] == "tag_flagged"
    assert warning["message"].startswith("标签“no renewal”来自导入（李区域），无权停止提醒")
    first = tier(story, "lease_end", 1)
    assert (first["state"], first["fire_on"], first["rolled"]) == ("sent", "2025-12-02", False)
    [recipient] = first["recipients"]
    assert recipient["user"]["name"] == "张伟"
    assert [d["channel"] for d in recipient["deliveries"]] == ["inbox", "email"]
    # The notice date (2026-01-01 − 90 days = 3 October 2025) had passed before the engine first ran.
    notice = tier(story, "renewal_notice", 1)
    assert notice["state"] == "missed"
    assert notice["reasons"][0]["code"] == "date_passed"
    assert tier(story, "lease_end", 2)["state"] == "scheduled"

    # The agent may not give the tag authority; the regional manager may, and the next tier is silenced.
    refused = agent.post(f"/api/reminders/tag-reviews/{lease_id}", json={"tag": "no renewal"})
    assert refused.status_code == 403
    confirmed = regional.post(f"/api/reminders/tag-reviews/{lease_id}", json={"tag": "no renewal"})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json[0]["state"] == "authorised"
    assert confirmed.json[0]["confirmed_by"]["name"] == "李区域"
    assert (
        regional.get(f"/api/audit?entity_type=lease_tag&entity_id={lease_id}").json[0]["action"] == "update"
    )
    assert engine_on(date(2025, 12, 17)).sent == 0
    story = agent.get(f"/api/reminders/explain/{lease_id}?date_kind=lease_end").json
    second = tier(story, "lease_end", 2)
    assert second["state"] == "skipped"
    assert second["reasons"][0]["code"] == "no_renewal_tag"
    assert "李区域" in second["reasons"][0]["message"]
    assert [d["date_kind"] for d in story["dates"]] == ["lease_end"]


def signed_lease(client: Any, site: Any, **changes: Any) -> int:
    """A signed lease of unit 1202 through the API."""
    body = {
        "template_id": site.template.id,
        "customer_id": site.customer.id,
        "asset_ids": [site.units[1].id],
        "starts_on": "2025-07-01",
        "ends_on": "2026-06-30",
        "deposit_amount": "20000.00",
        "account_manager_id": site.agent.id,
        "charge_lines": [{"charge_type": "rent", "monthly_amount": "10000.00"}],
    } | changes
    created = client.post("/api/leases", json=body)
    assert created.status_code == 201, created.json
    signed = client.post(f"/api/leases/{created.json['id']}/sign")
    assert signed.status_code == 200, signed.json
    return int(created.json["id"])


def test_tasks_are_acknowledged_with_a_note_reassigned_and_escalated_on_the_next_tiers_day(
    site: Any, bearer_client: Any, engine_on: Any, db: Database, app: Flask
) -> None:
    manager = bearer_client(site.manager)
    lease_id = signed_lease(manager, site)
    # Ends Tuesday 30 June 2026: tiers 31 May (Sunday → Friday 29 May), 15 June (Monday), 23 June (Tuesday).
    engine_on(date(2026, 5, 29))
    agent = bearer_client(site.agent)
    [mine] = agent.get("/api/reminders/tasks").json
    assert (mine["lease_id"], mine["tier"], mine["tier_count"], mine["fire_on"]) == (
        lease_id,
        1,
        3,
        "2026-05-29",
    )
    assert (mine["due_on"], mine["ack_required"], mine["overdue"]) == ("2026-06-15", True, False)
    assert agent.get("/api/reminders/tasks/count").json == {"open": 1, "overdue": 0}
    # The lease-end reminder carries the renewal advice (read from collections) on the task itself.
    assert mine["renewal_advice"] is None  # not computed for lists
    advice = manager.get(f"/api/reminders/tasks/{mine['id']}").json["renewal_advice"]
    assert advice["recommendation"] in {"retain", "normal_follow_up", "prepare_to_release"}
    assert advice["reasons"]

    refused = agent.post(f"/api/reminders/tasks/{mine['id']}/acknowledge", json={"note": "  "})
    assert refused.status_code == 422
    assert "note" in refused.json["errors"]["json"]

    # Unacknowledged past 15 June: overdue; on that day tier 2 (legal and finance) takes it over.
    app.extensions["leasekeeper.clock"] = lambda: at_two(date(2026, 6, 16))
    assert agent.get("/api/reminders/tasks/count").json == {"open": 1, "overdue": 1}
    engine_on(date(2026, 6, 15))
    [first, *second] = rows(db, ReminderTask, ReminderTask.lease_id == lease_id)
    assert first.state is TaskState.ESCALATED
    assert first.escalated_at == at_two(date(2026, 6, 15))
    assert sorted(t.assignee_id for t in second) == sorted([site.legal.id, site.finance.id])
    told = rows(db, Notification, Notification.user_id == site.legal.id, Notification.kind == "reminder.due")
    assert told[0].params["escalated"]["params"] == {"previous": "张伟"}

    legal = bearer_client(site.legal)
    [legal_task] = legal.get("/api/reminders/tasks").json
    names = [p["name"] for p in legal.get(f"/api/reminders/tasks/{legal_task['id']}/assignees").json]
    assert "周西区" not in names
    assert "王法务" not in names
    assert {"张伟", "陈经理", "李区域", "孙总"} <= set(names)
    outside = legal.post(
        f"/api/reminders/tasks/{legal_task['id']}/reassign", json={"assignee_id": site.outsider.id}
    )
    assert outside.status_code == 422
    assert "assignee_id" in outside.json["errors"]["json"]
    moved = legal.post(
        f"/api/reminders/tasks/{legal_task['id']}/reassign",
        json={"assignee_id": site.manager.id, "note": "合同条款由项目经理复核"},
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["assignee"]["name"] == "陈经理"
    assert legal.get("/api/reminders/tasks").json == []
    done = manager.post(
        f"/api/reminders/tasks/{legal_task['id']}/acknowledge", json={"note": "押金与付款情况已核对"}
    )
    assert done.status_code == 200, done.json
    assert (done.json["state"], done.json["acknowledged_by"]["name"]) == ("acknowledged", "陈经理")
    again = manager.post(f"/api/reminders/tasks/{legal_task['id']}/acknowledge", json={"note": "x"})
    assert again.status_code == 409
    # Someone else's task in the scope is not the outsider's business.
    outsider = bearer_client(site.outsider)
    assert outsider.get("/api/reminders/tasks?mine=false").json == []
    assert outsider.get(f"/api/reminders/explain/{lease_id}").status_code == 404
    assert outsider.get(f"/api/reminders/tasks/{legal_task['id']}").status_code == 404


def test_head_office_sets_a_templates_tiers_and_the_engine_follows_them(
    site: Any, bearer_client: Any, engine_on: Any, db: Database
) -> None:
    director = bearer_client(site.director)
    url = f"/api/reminders/rules/{site.template.id}/lease_end"
    defaults = director.get(f"/api/reminders/rules?template_id={site.template.id}").json
    [lease_end] = [r for r in defaults if r["date_kind"] == "lease_end"]
    assert lease_end["is_default"] is True
    assert [t["days_before"] for t in lease_end["tiers"]] == [30, 15, 7]

    bad = director.put(url, json={"tiers": [{"days_before": 900, "roles": ["director"]}]})
    assert bad.status_code == 422
    assert "tiers" in bad.json["errors"]["json"]
    twice = director.put(
        url,
        json={"tiers": [{"days_before": 10, "roles": ["director"]}, {"days_before": 10, "roles": ["legal"]}]},
    )
    assert twice.status_code == 422
    assert list(twice.json["errors"]["json"]) == ["tiers.1.days_before"]
    regional = bearer_client(site.regional)
    assert regional.put(url, json={"tiers": [{"days_before": 60, "roles": ["director"]}]}).status_code == 403

    tiers = [
        {"days_before": 7, "roles": ["director"], "channels": ["email"], "ack_required": True},
        {"days_before": 60, "roles": ["account_manager", "finance"], "channels": ["email", "wecom"]},
    ]
    saved = director.put(url, json={"tiers": tiers})
    assert saved.status_code == 200, saved.json
    assert [(t["tier"], t["days_before"]) for t in saved.json["tiers"]] == [(1, 60), (2, 7)]
    assert saved.json["is_default"] is False

    lease_id = signed_lease(bearer_client(site.manager), site)
    # 60 days before 30 June 2026 is Friday 1 May, Labour Day (1–5 May): Thursday 30 April.
    engine_on(date(2026, 4, 30))
    found = rows(db, ReminderTask, ReminderTask.lease_id == lease_id)
    assert sorted((t.tier, t.fire_on, t.assignee_id) for t in found) == sorted(
        [(1, date(2026, 4, 30), site.agent.id), (1, date(2026, 4, 30), site.finance.id)]
    )
    story = director.get(f"/api/reminders/explain/{lease_id}?date_kind=lease_end").json
    first = tier(story, "lease_end", 1)
    assert (first["nominal_on"], first["fire_on"], first["rolled"]) == ("2026-05-01", "2026-04-30", True)
    assert story["dates"][0]["rules"] == "template"

    assert director.delete(url).status_code == 204
    again = director.get(f"/api/reminders/rules?template_id={site.template.id}").json
    assert next(r for r in again if r["date_kind"] == "lease_end")["is_default"] is True
    assert director.delete(url).status_code == 404


def test_entered_dates_are_reminded_and_reach_the_users_calendar_until_revoked(
    site: Any, bearer_client: Any, engine_on: Any, db: Database, client: Any
) -> None:
    manager = bearer_client(site.manager)
    lease_id = signed_lease(manager, site)
    added = manager.post(
        "/api/reminders/critical-dates",
        json={"lease_id": lease_id, "date_kind": "insurance_expiry", "date": "2026-03-31", "label": "财产险"},
    )
    assert added.status_code == 201, added.json
    wrong = manager.post(
        "/api/reminders/critical-dates",
        json={"lease_id": lease_id, "date_kind": "lease_end", "date": "2026-03-31"},
    )
    assert wrong.status_code == 422
    outsider = bearer_client(site.outsider)
    assert (
        outsider.post(
            "/api/reminders/critical-dates",
            json={"lease_id": lease_id, "date_kind": "other", "date": "2026-03-31"},
        ).status_code
        == 404
    )

    # 30 days before 31 March is Sunday 1 March: Saturday 28 February, a make-up working day after the
    # Spring Festival, to the account manager (not Friday 27 February).
    assert engine_on(date(2026, 2, 27)).sent == 0
    engine_on(date(2026, 2, 28))
    [task] = rows(db, ReminderTask, ReminderTask.date_kind == "insurance_expiry")
    assert (task.assignee_id, task.fire_on) == (site.agent.id, date(2026, 2, 28))
    assert task.critical_date == date(2026, 3, 31)

    listed = manager.get(
        f"/api/reminders/critical-dates?lease_id={lease_id}&from=2026-01-01&to=2026-12-31"
    ).json
    assert [(d["date_kind"], d["date"], d["source"]) for d in listed] == [
        ("insurance_expiry", "2026-03-31", "manual"),
        ("renewal_notice", "2026-04-01", "derived"),
        ("lease_end", "2026-06-30", "derived"),
        ("deposit_return", "2026-07-30", "derived"),
    ]

    agent = bearer_client(site.agent)
    assert agent.get("/api/reminders/calendar-feed").json == {
        "active": False,
        "created_at": None,
        "url": None,
    }
    made = agent.post("/api/reminders/calendar-feed")
    assert made.status_code == 201
    path = made.json["url"].removeprefix("http://localhost")
    feed = client.get(path)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    events = {str(e["summary"]): e for e in Calendar.from_ical(feed.data).walk("VEVENT")}
    assert "保险到期 · " + rows(db, Lease, Lease.id == lease_id)[0].number + " · 财产险" in events
    assert any(name.startswith("租约到期") for name in events)
    assert agent.get("/api/reminders/calendar-feed").json["active"] is True

    remade = agent.post("/api/reminders/calendar-feed").json["url"].removeprefix("http://localhost")
    assert client.get(path).status_code == 404
    assert agent.delete("/api/reminders/calendar-feed").status_code == 204
    assert client.get(remade).status_code == 404
    assert manager.delete(f"/api/reminders/critical-dates/{added.json['id']}").status_code == 204
    # The date went away: the next run closes its open reminder.
    assert engine_on(date(2026, 3, 2)).cancelled == 1
    [closed] = rows(db, ReminderTask, ReminderTask.date_kind == "insurance_expiry")
    assert (closed.state, closed.closed_reason) == (TaskState.CANCELLED, "date changed")
    assert (
        manager.get(f"/api/reminders/critical-dates?lease_id={lease_id}&date_kind=insurance_expiry").json
        == []
    )


def test_an_auto_renewing_lease_is_drafted_at_its_notice_date_for_approval_and_never_signed(
    site: Any, bearer_client: Any, engine_on: Any, db: Database, run: Any
) -> None:
    manager = bearer_client(site.manager)
    renewing = signed_lease(manager, site, auto_renew=True, renewal_term_months=12)
    noticed = signed_lease(
        manager, site, asset_ids=[site.units[2].id], auto_renew=True, renewal_term_months=12
    )
    noted = manager.post(
        "/api/reminders/critical-dates",
        json={"lease_id": noticed, "date_kind": "termination_notice", "date": "2026-03-20", "label": "函件"},
    )
    assert noted.status_code == 201

    # Notice date: 30 June 2026 − 90 days = 1 April 2026. The leases run by then.
    run(lease_lifecycle.advance, SYSTEM, now=at_two(date(2026, 3, 31)))
    assert engine_on(date(2026, 3, 31)).auto_renewals == 0
    assert engine_on(date(2026, 4, 1)).auto_renewals == 1
    assert engine_on(date(2026, 4, 2)).auto_renewals == 0
    drafts = rows(db, Lease, Lease.renewed_from_id.isnot(None))
    assert [(d.renewed_from_id, d.status.value, d.starts_on, d.ends_on) for d in drafts] == [
        (renewing, "draft", date(2026, 7, 1), date(2027, 6, 30))
    ]
    [task] = rows(db, ReminderTask, ReminderTask.kind == TaskKind.AUTO_RENEWAL)
    assert (task.lease_id, task.assignee_id, task.renewal_lease_id) == (
        renewing,
        site.manager.id,
        drafts[0].id,
    )
    [listed] = [t for t in manager.get("/api/reminders/tasks").json if t["kind"] == "auto_renewal"]
    assert listed["renewal_lease_number"] == drafts[0].number
    story = manager.get(f"/api/reminders/explain/{renewing}?date_kind=auto_renewal").json
    assert story["dates"][0]["tiers"][0]["state"] == "sent"


def test_the_seeds_case_is_answered_in_one_command(
    site: Any, bearer_client: Any, app: Flask, db: Database
) -> None:
    """`leasekeeper reminders run` as the worker would on 2 December 2025, then `reminders explain`: the
    imported tag shown flagged, the 30-day tier sent to the account manager, in the language asked for."""
    import_leases(
        bearer_client(site.regional),
        lease_csv(
            [
                "SH-01-2025-0009",
                "SH-01",
                "C0001",
                "SH-01-1203",
                "OFFICE",
                "2025-01-02",
                "2026-01-01",
                "12800",
                "25600",
                "zhang.wei",
                "no renewal",
                "signed",
            ]
        ),
    )
    runner = app.test_cli_runner()
    ran = runner.invoke(main, ["reminders", "run", "--project", "SH-01", "--at", "2025-12-02T02:00+08:00"])
    assert ran.exit_code == 0, ran.output
    assert "sent: 1" in ran.output
    assert "today: 2025-12-02" in ran.output
    again = runner.invoke(main, ["reminders", "run", "--at", "2025-12-02T02:05+08:00"])
    assert "sent: 0" in again.output

    told = runner.invoke(
        main, ["reminders", "explain", "SH-01-2025-0009", "--at", "2025-12-02T09:00+08:00", "--locale", "en"]
    )
    assert told.exit_code == 0, told.output
    lines = told.output.splitlines()
    assert "  tag 'no renewal': flagged, import by 李区域" in lines
    assert any(line.startswith('  ! The tag "no renewal" came from an import (李区域)') for line in lines)
    start = lines.index("lease_end 2026-01-01 (derived, rules: default)")
    assert lines[start + 1].startswith(
        "  tier 1/3 30d → 2025-12-02  account_manager  [email, web_push]  sent"
    )
    assert lines[start + 2].startswith("    → 张伟 task ")
    assert "open" in lines[start + 2]
    asked = ["reminders", "explain", "SH-01-2025-0009", "--at", "2025-12-02T09:00+08:00", "--locale", "zh_CN"]
    chinese = runner.invoke(main, asked)
    assert "标签“no renewal”来自导入（李区域）" in chinese.output
    with db.unit_of_work() as uow:
        assert uow.session is not None
        kinds = [k for (k,) in uow.session.execute(select(JobRun.kind).where(JobRun.kind == "reminders.run"))]
    assert len(kinds) == 2
    unknown = runner.invoke(main, ["reminders", "explain", "NOPE-1"])
    assert unknown.exit_code != 0
    assert "No lease numbered NOPE-1" in unknown.output
