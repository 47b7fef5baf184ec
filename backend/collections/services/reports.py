"""Collections' reports as files: the monthly high-risk customer report (《高风险客户画像报告》) and a
project's lease health report, each as a workbook or a PDF, holding only what the reader may see, in their
language."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backend.adapters.reports.audit_report import AuditReport, render_pdf, render_xlsx
from backend.collections.domain.credit import CreditProfile, profile
from backend.collections.domain.tiers import TIER_NAMES, DunningTier
from backend.collections.services import health
from backend.collections.services.conduct import RecordedConduct
from backend.collections.services.credit import bills_from
from backend.core.domain.access import Permission as P
from backend.core.domain.errors import N_, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.leases import BINDING

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
RENDERERS: dict[str, Callable[[AuditReport], bytes]] = {"xlsx": render_xlsx, "pdf": render_pdf}
# A customer is high-risk when the next bill is likely late, they are past the friendly tier, or with legal.
HIGH_RISK_PROBABILITY = 0.5
HIGH_RISK_TIER = DunningTier.FORMAL
COLOUR_NAMES = {
    "green": N_("Green"),
    "yellow": N_("Yellow warning"),
    "orange": N_("Orange warning"),
    "red": N_("Red warning"),
}
RENEWAL_NAMES = {
    "retain": N_("Retain"),
    "normal_follow_up": N_("Normal follow-up"),
    "prepare_to_release": N_("Prepare to release"),
}
MAX_LEASES = 2000

Translate = Callable[[str], str]


def _format(file_format: str) -> str:
    if file_format not in FORMATS:
        raise ValidationFailed.single("format", N_("Choose xlsx or pdf."))
    return file_format


def _month_end(month: str) -> date:
    try:
        year, number = (int(part) for part in month.split("-"))
        return date(year, number, calendar.monthrange(year, number)[1])
    except (ValueError, TypeError):
        raise ValidationFailed.single("month", N_("Give the month as YYYY-MM.")) from None


def _message(translate: Translate, template: str, params: Mapping[str, Any]) -> str:
    text = translate(template)
    try:
        return text % dict(params) if params else text
    except (KeyError, ValueError, TypeError):
        return text


def high_risk_report(
    month: str, file_format: str, actor: Actor, uow: UnitOfWork, now: datetime, translate: Translate
) -> tuple[bytes, str, str]:
    """The month's high-risk customers of the reader's projects: their profile, standing and why."""
    file_format = _format(file_format)
    as_of = min(_month_end(month), now.date())
    scope = actor.require(P.COLLECTIONS_READ)
    receivables = actor.require(P.RECEIVABLE_READ)
    standings, _ = uow.dunning_standings.page(scope, ListQuery(page_size=100_000))
    by_customer: dict[int, list[Any]] = defaultdict(list)
    for standing in standings:
        by_customer[standing.customer_id].append(standing)
    cases = {case.customer_id for case in uow.collection_cases.page(scope, _open_cases())[0]}
    customers = set(by_customer) | cases
    rows = uow.charges.settlement_history(customers, receivables, as_of)
    bills: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        bills[row[1]].append(row)
    records = RecordedConduct(uow)
    found: list[tuple[Any, CreditProfile, list[Any]]] = []
    for customer_id in sorted(customers):
        credit = profile(
            bills_from(bills[customer_id]), as_of, records.conduct_of(customer_id, receivables, as_of)
        )
        standing = by_customer.get(customer_id, [])
        worst = max((DunningTier(s.tier) for s in standing), default=DunningTier.NONE)
        if (
            credit.probability_late >= HIGH_RISK_PROBABILITY
            or worst >= HIGH_RISK_TIER
            or customer_id in cases
        ):
            found.append((customer_id, credit, standing))
    found.sort(key=lambda item: -item[1].probability_late)
    names = {c.id: c for c in uow.dunning.customers([item[0] for item in found]).values()}
    projects = {p.id: p for p in uow.projects.page(scope, ListQuery(page_size=100_000))[0]}
    t = translate
    detail = []
    for customer_id, credit, standing in found:
        customer = names[customer_id]
        top = sorted(credit.reasons, key=lambda reason: -abs(reason.effect))[:2]
        detail.append(
            [
                customer.code,
                customer.name,
                ", ".join(sorted(projects[s.project_id].code for s in standing if s.project_id in projects)),
                t(TIER_NAMES[max((DunningTier(s.tier) for s in standing), default=DunningTier.NONE)]),
                max((s.oldest_days for s in standing), default=0),
                "; ".join(_overdue(standing)),
                f"{credit.probability_late:.0%}",
                credit.score,
                credit.features.broken_promises,
                credit.features.disputes,
                t(N_("Yes")) if customer_id in cases else "",
                " ".join(_message(t, reason.message, reason.params) for reason in top),
            ]
        )
    summary: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for standing in standings:
        code = (
            projects[standing.project_id].code
            if standing.project_id in projects
            else str(standing.project_id)
        )
        if standing.tier > 0:
            summary[code][standing.tier - 1] += 1
    for _customer, _credit, standing in found:
        for s in standing:
            if s.project_id in projects:
                summary[projects[s.project_id].code][3] += 1
    report = AuditReport(
        title=t(N_("High-risk customers, %(month)s")) % {"month": month},
        subtitle=t(N_("As of %(day)s; high risk: a late bill at %(rate)s or likelier, the formal tier or "
                      "beyond, or a case with legal.")) % {"day": as_of.isoformat(), "rate": "50%"},
        summary_title=t(N_("By project")),
        findings_title=t(N_("Customers")),
        summary_header=[t(N_("Project")), *(t(TIER_NAMES[tier]) for tier in list(DunningTier)[1:]),
                        t(N_("High-risk customers"))],
        summary_rows=[[code, *counts] for code, counts in sorted(summary.items())],
        findings_header=[t(N_("Code")), t(N_("Customer")), t(N_("Projects")), t(N_("Tier")),
                         t(N_("Oldest days overdue")), t(N_("Overdue")), t(N_("Chance of a late bill")),
                         t(N_("Score")), t(N_("Broken promises")), t(N_("Disputes")), t(N_("With legal")),
                         t(N_("Why"))],
        findings_rows=detail,
    )  # fmt: skip
    return RENDERERS[file_format](report), f"high-risk-{month}.{file_format}", FORMATS[file_format]


def _overdue(standings: list[Any]) -> list[str]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for standing in standings:
        for currency, amount in (standing.overdue or {}).items():
            totals[currency] += Decimal(amount)
    return [f"{currency} {amount:,.2f}" for currency, amount in sorted(totals.items()) if amount]


def _open_cases() -> ListQuery:
    return ListQuery(filters={"state": ["open"]}, page_size=100_000)


def lease_health_report(
    project_id: int, file_format: str, actor: Actor, uow: UnitOfWork, now: datetime, translate: Translate
) -> tuple[bytes, str, str]:
    """A project's live leases with their latest quarter's colour, reasons and action, and renewal advice."""
    file_format = _format(file_format)
    project = uow.projects.get(project_id, actor.require(P.COLLECTIONS_READ))
    ids = uow.leases.ids_in(sorted(BINDING), project.id)
    if len(ids) > MAX_LEASES:
        raise ValidationFailed.single(
            "project_id",
            N_("The project has more than 2,000 live leases: ask for the report by the job instead."),
        )
    leases = [lease for lease_id in ids if (lease := uow.leases.find(lease_id)) is not None]
    t = translate
    colours: dict[str, int] = defaultdict(int)
    detail = []
    for lease in leases:
        found = health.lease_health(lease.id, actor, uow, now)
        latest = found.quarters[-1] if found.quarters else None
        colour = latest.colour.value if latest else "green"
        colours[colour] += 1
        advice = health.renewal_advice(lease.id, actor, uow, now) if lease.customer_id else None
        detail.append(
            [
                lease.number,
                lease.customer.name if lease.customer else "",
                latest.quarter if latest else "",
                t(COLOUR_NAMES[colour]),
                " ".join(_message(t, r.message, r.params) for r in latest.reasons) if latest else "",
                "; ".join(t(action) for action in latest.actions) if latest else "",
                t(RENEWAL_NAMES[advice.recommendation.value]) if advice else "",
                " ".join(_message(t, f.message, f.params) for f in advice.reasons) if advice else "",
            ]
        )
    report = AuditReport(
        title=t(N_("Lease health report, %(project)s")) % {"project": project.name},
        subtitle=t(N_("As of %(day)s: each live lease's latest quarter against the threshold table.")) % {
            "day": now.date().isoformat()
        },
        summary_title=t(N_("By colour")),
        findings_title=t(N_("Leases")),
        summary_header=[t(N_("Colour")), t(N_("Leases"))],
        summary_rows=[[t(COLOUR_NAMES[c]), colours.get(c, 0)] for c in COLOUR_NAMES],
        findings_header=[t(N_("Lease")), t(N_("Customer")), t(N_("Quarter")), t(N_("Colour")), t(N_("Why")),
                         t(N_("Recommended action")), t(N_("Renewal")), t(N_("Renewal reasons"))],
        findings_rows=detail,
    )  # fmt: skip
    return (
        RENDERERS[file_format](report),
        f"lease-health-{project.code}.{file_format}",
        FORMATS[file_format],
    )
