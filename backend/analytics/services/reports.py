"""The monthly portfolio report: asked for by hand or queued on the first working day, made by the worker.

Each report is made for one reader's scope (a regional manager's holds only their region), in their language:
a workbook with a summary sheet, one sheet per region and the definitions, and a PDF with the same figures and
charts. The worker records its progress region by region; the reader is notified when it is ready.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend.analytics.domain import sums as rules
from backend.analytics.domain.definitions import DEFINITIONS, NAMES
from backend.analytics.domain.kpi import Kpi, KpiValue
from backend.analytics.domain.periods import month_of, months_ending, shifted, window
from backend.analytics.domain.report import PortfolioReport, RegionSection
from backend.analytics.domain.report_runs import ReportState
from backend.analytics.services.portfolio import cells_of
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Role
from backend.core.domain.audit import Origin
from backend.core.domain.errors import N_, AuthenticationRequired, Conflict, NotFound, ValidationFailed
from backend.core.domain.scheduling import SlotState
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.core.services.scheduler import UnitOfWorkFactory
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.services.calendars import calendar_of
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services.notifications import notify

log = logging.getLogger(__name__)
JOB = "portfolio.report"
LIST_LIMIT = 50
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
Translate = Callable[[str], str]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReportTools:
    """What generating a report needs from outside: where files go, the catalogue, the renderers, the
    stated definitions and whose day names the month."""

    storage: Any
    translations: Callable[[str | None], Any]
    renderers: Mapping[str, Callable[[PortfolioReport], bytes]]
    policy: rules.Policy
    timezone: str
    roles: tuple[Role, ...]


class _Bound:
    tools: ReportTools | None = None


def bind(tools: ReportTools | None) -> None:
    """Give the worker's report and snapshot jobs their tools (the application does at start)."""
    _Bound.tools = tools


def tools() -> ReportTools:
    """The bound tools; a clear failure when the application did not bind them."""
    if _Bound.tools is None:
        raise RuntimeError("portfolio reports are not configured: create the application first")
    return _Bound.tools


# --- the reader's side ----------------------------------------------------------------------------------


def _wake(report_id: int, uow: UnitOfWork, now: datetime) -> None:
    slot = {
        "job": JOB, "scope_key": f"report:{report_id}", "slot_at": now, "state": SlotState.DUE,
        "next_attempt_at": now, "attempts": 0, "created_at": now,
    }  # fmt: skip
    uow.job_slots.add_missing([slot])


def request_report(period: str, actor: Actor, uow: UnitOfWork, today: date, now: datetime) -> Any:
    """Queue the monthly report of a period for the reader's scope and language; the worker starts at once."""
    actor.require(P.PORTFOLIO_READ)
    if actor.user_id is None:
        raise AuthenticationRequired(N_("Sign in to request a report."))
    current = window(period, today)
    user = uow.users.find(actor.user_id)
    locale = (user.locale if user is not None else None) or "zh_CN"
    run = uow.portfolio.add_report(
        period=current.period, state=ReportState.QUEUED, locale=locale, done=0, total=0,
        emailed=False, requested_by_id=actor.user_id, created_at=now,
    )  # fmt: skip
    _wake(run.id, uow, now)
    uow.commit()
    return run


def list_reports(actor: Actor, uow: UnitOfWork) -> list[Any]:
    """The reader's own reports, newest first."""
    actor.require(P.PORTFOLIO_READ)
    if actor.user_id is None:
        return []
    return uow.portfolio.reports_of(actor.user_id, LIST_LIMIT)


def get_report(report_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One of the reader's reports (another's is not found: it holds their scope's figures)."""
    actor.require(P.PORTFOLIO_READ)
    run = uow.portfolio.report(report_id)
    if run is None or run.requested_by_id != actor.user_id:
        raise NotFound("PortfolioReport")
    return run


def report_file(report_id: int, file_format: str, actor: Actor, uow: UnitOfWork) -> tuple[bytes, str]:
    """A finished report's workbook or PDF and its file name."""
    run = get_report(report_id, actor, uow)
    if file_format not in FORMATS:
        raise ValidationFailed({"format": [N_("Choose xlsx or pdf.")]})
    key = run.xlsx_key if file_format == "xlsx" else run.pdf_key
    if run.state is not ReportState.DONE or key is None:
        raise Conflict(N_("This report is not ready yet."))
    return tools().storage.get(key), f"portfolio-{run.period}.{file_format}"


# --- the worker's side ----------------------------------------------------------------------------------


# The head office's calendar names the first working day of the month.
HEAD_OFFICE_CALENDAR = "CN"


def head_office_working_day(day: date) -> bool:
    """Whether a day is a working day on the head office's calendar (China: holidays, make-up days)."""
    return calendar_of(HEAD_OFFICE_CALENDAR).is_working_day(day)


def first_working_day(month_start: date, is_working_day: Callable[[date], bool]) -> date:
    """The month's first working day on the calendar."""
    day = month_start
    while not is_working_day(day):
        day = day.replace(day=day.day + 1)
    return day


def queue_monthly(
    uow: UnitOfWork, today: date, now: datetime, roles: Iterable[Role], is_working_day: Callable[[date], bool]
) -> list[int]:
    """On the month's first working day, queue last month's report for everyone holding a configured role
    (each for their own scope; nobody gets it twice). Other days, nothing."""
    if today != first_working_day(today.replace(day=1), is_working_day):
        return []
    period = shifted(month_of(today), -1, today).period
    queued = []
    for user_id in uow.users.holders_of_roles(tuple(roles)):
        user = uow.users.find(user_id)
        if user is None or not user.is_active or uow.portfolio.report_of_period(user_id, period) is not None:
            continue
        if auth.principal_of(user).scope_for(P.PORTFOLIO_READ).is_empty:
            continue
        run = uow.portfolio.add_report(
            period=period, state=ReportState.QUEUED, locale=user.locale or "zh_CN", done=0, total=0,
            emailed=True, requested_by_id=user_id, created_at=now,
        )  # fmt: skip
        queued.append(run.id)
    uow.commit()
    return queued


def run_queued(unit_of_work: UnitOfWorkFactory, clock: Callable[[], datetime], today: date) -> list[int]:
    """Generate every queued report, oldest first; returns their ids (failed ones included)."""
    done: list[int] = []
    while True:
        with unit_of_work() as uow:
            report_id = uow.portfolio.claim_report(clock())
            uow.commit()
        if report_id is None:
            return done
        generate(report_id, unit_of_work, clock, today)
        done.append(report_id)


def generate(
    report_id: int, unit_of_work: UnitOfWorkFactory, clock: Callable[[], datetime], today: date
) -> None:
    """Make one claimed report's files, recording progress; a failure is kept on it with its reason."""
    bound = tools()
    with unit_of_work() as uow:
        run = uow.portfolio.report(report_id)
        user = uow.users.find(run.requested_by_id) if run is not None else None
        if run is None or user is None:
            raise NotFound("PortfolioReport")
        period, locale, user_id = run.period, run.locale, user.id
        actor = Actor(auth.principal_of(user), Origin.JOB, request_id=f"portfolio-report:{report_id}")
    translate = bound.translations(locale).gettext

    def progress(done: int, total: int) -> None:
        with unit_of_work() as uow:
            uow.portfolio.set_report_progress(report_id, done=done, total=total)
            uow.commit()

    try:
        with unit_of_work() as uow:
            content = build_report(
                period, actor, uow, today, bound.policy, translate, locale, clock(), progress
            )
        keys = {}
        for file_format, render in bound.renderers.items():
            data = render(content)
            key = f"reports/portfolio/{report_id}-{hashlib.sha256(data).hexdigest()[:16]}.{file_format}"
            bound.storage.put(key, data, FORMATS[file_format])
            keys[file_format] = key
    except Exception as error:  # the reason is kept for the reader; the job itself goes on
        log.exception("portfolio report %s failed", report_id)
        with unit_of_work() as uow:
            uow.portfolio.finish_report(
                report_id,
                ReportState.FAILED,
                clock(),
                error="".join(traceback.format_exception_only(error)).strip(),
            )
            uow.commit()
        return
    with unit_of_work() as uow:
        uow.portfolio.finish_report(
            report_id, ReportState.DONE, clock(), xlsx_key=keys.get("xlsx"), pdf_key=keys.get("pdf")
        )
        notify(
            uow, [user_id], NotificationKind.PORTFOLIO_REPORT_READY, {"period": period},
            subject=("portfolio_report", report_id), now=clock(),
        )  # fmt: skip
        uow.commit()


def _values(sums: rules.Sums) -> dict[str, KpiValue]:
    return {kpi.value: value for kpi, value in rules.kpis(sums).items()}


def build_report(
    period: str,
    actor: Actor,
    uow: UnitOfWork,
    today: date,
    policy: rules.Policy,
    translate: Translate,
    locale: str,
    now: datetime,
    progress: Progress | None = None,
) -> PortfolioReport:
    """The report's content for the actor's scope: the month as reported (its snapshot when there is one)."""
    scope = actor.require(P.PORTFOLIO_READ)
    current = window(period, today)
    months = months_ending(period, 12, today)
    projects = uow.portfolio.projects(scope, {})
    reported = uow.portfolio.snapshots([m.period for m in months if m.closed], scope, {}, first_version=True)
    by_month = {m.period: cells_of(m, policy, scope, {}, uow, reported)[0] for m in months}
    cells = by_month[current.period]
    regions: dict[int, list[dict[str, Any]]] = {}
    for project in projects:
        regions.setdefault(project["region_id"], []).append(project)
    ordered = sorted(regions.items(), key=lambda item: item[1][0]["region_name"])
    sections = []
    for index, (region_id, members) in enumerate(ordered, start=1):
        ids = {p["id"] for p in members}
        mine = {cell: sums for cell, sums in cells.items() if cell[0] in ids}
        region_total = rules.total(mine.values())
        per_project = rules.roll_up(mine, lambda cell: str(cell[0]))
        trend = []
        for month in months:
            values = rules.kpis(rules.total(s for c, s in by_month[month.period].items() if c[0] in ids))
            trend.append((month.period, values[Kpi.OCCUPANCY_UNITS].value, values[Kpi.COLLECTION_RATE].value))
        sections.append(
            RegionSection(
                region_id=region_id,
                region_name=members[0]["region_name"],
                total=_values(region_total),
                projects=[
                    (f"{p['name']} ({p['code']})", _values(per_project.get(str(p["id"]), {})))
                    for p in members
                ],
                aging=rules.aging(region_total),
                trend=trend,
            )
        )
        if progress is not None:
            progress(index, len(ordered))
    return PortfolioReport(
        period=current.period,
        start=current.start,
        end=current.end,
        as_of=current.as_of,
        currency="CNY",
        locale=locale,
        generated_at=now,
        total=_values(rules.total(cells.values())),
        regions=sections,
        definitions=[(kpi.value, translate(NAMES[kpi]), translate(DEFINITIONS[kpi])) for kpi in Kpi],
    )
