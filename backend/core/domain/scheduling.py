"""Scheduled jobs: when each one is due, one slot at a time, and how a failed slot is tried again.

A job is declared once (`JobSpec`) next to the code it runs. Its cron expression, read in a time zone (UTC, or
each project's own for per-project jobs), yields *slots*: the instants it is due. Every slot is run once, by
whichever worker claims it first; slots missed while no worker ran are caught up in order (`CatchUp.EVERY`),
or folded into the latest one where running the same sweep many times over would only repeat it
(`CatchUp.LATEST`). The cron expressions are read by APScheduler's trigger; nothing here parses cron.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from backend.core.domain.access import Permission
from backend.core.domain.jobs import JobKind

# How far back a worker that was down for long catches up; older slots are not run any more.
CATCH_UP_LIMIT = 62
GLOBAL_SCOPE = ""


class CatchUp(enum.StrEnum):
    """What a worker does with the slots it missed."""

    EVERY = "every"  # run each missed slot once, oldest first (daily and weekly jobs)
    LATEST = "latest"  # run only the latest; the others are recorded as skipped (hourly sweeps)


class SlotState(enum.StrEnum):
    """Where one (job, scope, slot) stands."""

    DUE = "due"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # will be tried again at next_attempt_at
    GAVE_UP = "gave_up"  # failed max_attempts times; a person may still retry it
    SKIPPED = "skipped"  # folded into a later slot (CatchUp.LATEST)


OPEN_STATES = frozenset({SlotState.DUE, SlotState.FAILED})
DONE_STATES = frozenset({SlotState.SUCCEEDED, SlotState.GAVE_UP, SlotState.SKIPPED})


class ScheduleError(ValueError):
    """A job declared with a cron expression or time zone that cannot be read."""


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: what it is, when it runs, who hears of a failure, how long a claim lasts."""

    name: str
    kind: JobKind
    cron: str
    owner: Permission  # holders of this permission over the job's scope are alerted when it fails
    per_project: bool = False  # one slot per project, in the project's time zone
    timezone: str = "UTC"  # for jobs that are not per project
    catch_up: CatchUp = CatchUp.EVERY
    lease_seconds: int = 300  # a claim not renewed for this long is taken over by another worker
    max_attempts: int = 5
    description: str = ""

    def __post_init__(self) -> None:
        trigger(self.cron, self.timezone)  # fail at declaration, not at 02:00

    def scope_key(self, project_id: int | None) -> str:
        """The slot scope: the project for per-project jobs, the installation otherwise."""
        return f"project:{project_id}" if self.per_project and project_id is not None else GLOBAL_SCOPE


def project_of(scope_key: str) -> int | None:
    """The project id a slot scope names, None for the installation."""
    prefix, _, rest = scope_key.partition(":")
    return int(rest) if prefix == "project" and rest.isdigit() else None


def trigger(cron: str, timezone: str) -> CronTrigger:
    """The trigger of a five-field cron expression read in a time zone."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"unknown time zone {timezone!r}") from exc
    try:
        return CronTrigger.from_crontab(cron, timezone=zone)
    except ValueError as exc:
        raise ScheduleError(f"cron expression {cron!r}: {exc}") from exc


def fire_times(cron: str, timezone: str, after: datetime, until: datetime) -> Iterator[datetime]:
    """Every instant the expression fires strictly after `after` and not after `until`, oldest first."""
    rule = trigger(cron, timezone)
    current: datetime | None = rule.get_next_fire_time(None, after + timedelta(microseconds=1))
    while current is not None and current <= until:
        yield current.astimezone(UTC)
        current = rule.get_next_fire_time(current, current + timedelta(microseconds=1))


def previous_fire_time(cron: str, timezone: str, now: datetime, horizon: timedelta) -> datetime | None:
    """The latest instant at or before `now` the expression fired, looking back at most `horizon`."""
    latest = None
    for latest in fire_times(cron, timezone, now - horizon, now):  # noqa: B007 - the last one is wanted
        pass
    return latest


def due_slots(
    spec: JobSpec, timezone: str, last: datetime | None, now: datetime
) -> tuple[list[datetime], list[datetime]]:
    """The slots to run now and those to record as skipped, given the latest slot already recorded.

    A job never recorded starts with its latest fire time (a new installation does not replay history);
    one that was recorded catches up from there, at most CATCH_UP_LIMIT slots back.
    """
    if last is None:
        first = previous_fire_time(spec.cron, timezone, now, timedelta(days=CATCH_UP_LIMIT))
        return ([first] if first is not None else []), []
    missed = list(fire_times(spec.cron, timezone, last, now))[-CATCH_UP_LIMIT:]
    if spec.catch_up is CatchUp.LATEST and len(missed) > 1:
        return missed[-1:], missed[:-1]
    return missed, []


def next_slot(spec: JobSpec, timezone: str, now: datetime) -> datetime | None:
    """When the job is due next after `now`."""
    rule = trigger(spec.cron, timezone)
    nxt: datetime | None = rule.get_next_fire_time(None, now + timedelta(microseconds=1))
    return nxt.astimezone(UTC) if nxt is not None else None


def backoff_seconds(
    attempt: int, base: float = 30.0, cap: float = 3600.0, rng: random.Random | None = None
) -> float:
    """Exponential backoff with jitter: between half and all of base·2^(attempt-1), at most `cap`.

    The jitter spreads out the retries of many rows that failed together (a provider that was down).
    """
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    draw = (rng or random).uniform(0.5, 1.0)
    return float(ceiling * draw)
