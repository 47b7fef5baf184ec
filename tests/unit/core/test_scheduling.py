"""When scheduled jobs are due: slots from cron expressions in a time zone, catch-up, backoff."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.core.domain.access import Permission
from backend.core.domain.jobs import JobKind
from backend.core.domain.scheduling import (
    CATCH_UP_LIMIT,
    CatchUp,
    JobSpec,
    ScheduleError,
    backoff_seconds,
    due_slots,
    next_slot,
    project_of,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def spec(cron: str = "0 2 * * *", **values: object) -> JobSpec:
    return JobSpec("probe", JobKind.SYNC_PRUNE, cron, owner=Permission.JOB_ADMIN, **values)  # type: ignore[arg-type]


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


def test_a_new_installation_runs_only_the_latest_slot_not_the_history() -> None:
    run, skipped = due_slots(spec(), "Asia/Shanghai", None, local(2026, 12, 4, 9, 0))

    assert run == [local(2026, 12, 4, 2, 0)]
    assert skipped == []


def test_a_weekend_away_catches_up_saturday_sunday_and_monday_in_order() -> None:
    run, skipped = due_slots(spec(), "Asia/Shanghai", local(2026, 12, 4, 2, 0), local(2026, 12, 7, 9, 0))

    assert [slot.astimezone(SHANGHAI).strftime("%a %d %H:%M") for slot in run] == [
        "Sat 05 02:00",
        "Sun 06 02:00",
        "Mon 07 02:00",
    ]
    assert skipped == []


def test_nothing_is_due_again_before_the_next_fire_time() -> None:
    run, _ = due_slots(spec(), "Asia/Shanghai", local(2026, 12, 4, 2, 0), local(2026, 12, 5, 1, 59))

    assert run == []
    assert next_slot(spec(), "Asia/Shanghai", local(2026, 12, 4, 2, 0)) == local(2026, 12, 5, 2, 0)


def test_an_hourly_sweep_folds_its_missed_slots_into_the_latest() -> None:
    hourly = spec("0 * * * *", catch_up=CatchUp.LATEST)
    start = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)

    run, skipped = due_slots(hourly, "UTC", start, start + timedelta(hours=5, minutes=30))

    assert run == [start + timedelta(hours=5)]
    assert skipped == [start + timedelta(hours=h) for h in range(1, 5)]


def test_a_worker_down_for_months_catches_up_at_most_the_limit() -> None:
    run, _ = due_slots(
        spec(), "UTC", datetime(2026, 1, 1, 2, tzinfo=UTC), datetime(2026, 12, 1, 3, tzinfo=UTC)
    )

    assert len(run) == CATCH_UP_LIMIT
    assert run[-1] == datetime(2026, 12, 1, 2, tzinfo=UTC)


def test_the_same_cron_fires_at_each_time_zones_own_two_oclock() -> None:
    at = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

    [shanghai], _ = due_slots(spec(), "Asia/Shanghai", None, at)
    [london], _ = due_slots(spec(), "Europe/London", None, at)

    assert shanghai == datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert london == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cron", "zone"), [("61 * * * *", "UTC"), ("0 2 * *", "UTC"), ("0 2 * * *", "Mars/Base")]
)
def test_a_job_declared_with_a_bad_schedule_fails_at_declaration(cron: str, zone: str) -> None:
    with pytest.raises(ScheduleError):
        spec(cron, timezone=zone)


def test_backoff_doubles_with_jitter_and_stops_growing_at_its_cap() -> None:
    rng = random.Random(7)
    waits = [backoff_seconds(attempt, base=30, cap=3600, rng=rng) for attempt in range(1, 10)]

    for attempt, wait in enumerate(waits, start=1):
        ceiling = min(3600, 30 * 2 ** (attempt - 1))
        assert ceiling / 2 <= wait <= ceiling
    assert max(waits) <= 3600


def test_slot_scopes_name_their_project() -> None:
    per_project = spec(per_project=True)

    assert per_project.scope_key(12) == "project:12"
    assert project_of("project:12") == 12
    assert project_of(spec().scope_key(12)) is None
