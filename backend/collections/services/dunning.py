"""The dunning run of one project: after the day's reconciliation, each customer's overdue bills decide their
tier, one step at a time, and one grouped message (or an account manager's task, or a legal case) follows.

It refuses to run while any account the project's tenants pay into has statements missing for yesterday or
lines no reconciliation run has looked at: nobody who already paid may be chased. A customer whose money
waits unmatched on a statement is held for a person to review; a promise to pay or an approved grace period
pauses them; disputed bills are left out. A rerun on the same day changes nothing it decided already.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from backend.banking.services import readiness
from backend.collections.domain.pauses import PromiseState, active_pause, promise_outcome
from backend.collections.domain.plan import Action, Decision, OverdueBill, Situation, Standing, decide
from backend.collections.domain.templates import bill_line, render
from backend.collections.domain.tiers import TIER_NAMES, DunningTier
from backend.collections.services import late_fees, locks, policies
from backend.collections.services.policies import Policy
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.leases import ContractType
from backend.notify.domain.channels import ChannelKind
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services import notifications, outbox
from backend.org.domain.org import CustomerTier

ZERO = Decimal("0.00")
SPOKEN = frozenset({Action.NOTICE, Action.TASK, Action.CASE})
# Worth a line in the history even though nobody hears of it.
KEPT = SPOKEN | {Action.HELD, Action.PAUSED, Action.CLEARED}
QUIET = frozenset({Action.HELD, Action.PAUSED})


class NotReconciled(Conflict):
    """The run refused: some account's statements are not imported and reconciled through yesterday."""

    def __init__(self, project: str, day: date, accounts: str) -> None:
        super().__init__(
            N_(
                "Dunning of %(project)s waits: the statements of %(accounts)s are not imported and "
                "reconciled through %(day)s. Import them and run the reconciliation; nobody who has paid is "
                "chased."
            ),
            project=project,
            accounts=accounts,
            day=day.isoformat(),
        )


@dataclass
class DunningReport:
    """What one run did in one project."""

    project_id: int
    run_on: date
    customers: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    tier_changes: int = 0
    late_fee_bills: int = 0
    late_fees: Decimal = ZERO
    promises_kept: int = 0
    promises_broken: int = 0
    run_id: int | None = None

    def as_details(self) -> dict[str, Any]:
        """The report as a job run's details."""
        return {
            "project_id": self.project_id,
            "run_on": self.run_on.isoformat(),
            "customers": self.customers,
            "by_action": dict(sorted(self.by_action.items())),
            "tier_changes": self.tier_changes,
            "late_fee_bills": self.late_fee_bills,
            "late_fees": str(self.late_fees),
            "promises_kept": self.promises_kept,
            "promises_broken": self.promises_broken,
        }


def business_day(project: Any, now: datetime) -> date:
    """The project's calendar day at an instant."""
    return now.astimezone(ZoneInfo(project.timezone)).date()


def check_ready(project: Any, today: date, uow: UnitOfWork) -> None:
    """Refuse unless every account of the project is imported and reconciled through yesterday."""
    yesterday = today - timedelta(days=1)
    gaps = readiness.gaps(project.id, project.region_id, yesterday, uow)
    if gaps:
        accounts = ", ".join(
            f"{gap.bank_name} {gap.account_number} ("
            + (f"to {gap.covered_through.isoformat()}" if gap.covered_through else "none imported")
            + (f", {gap.unreconciled} lines not reconciled" if gap.unreconciled else "")
            + ")"
            for gap in gaps
        )
        raise NotReconciled(project.code, yesterday, accounts)


def run(
    project_id: int,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    run_id: int | None = None,
    customer_id: int | None = None,
) -> DunningReport:
    """One dunning run of a project on its business day; commits once (a refusal writes nothing).

    `customer_id`: only that customer, by hand (the workbench's "send the tier's message now"): their
    follow-up goes without waiting for the repeat days; once told today, they are not told again.
    """
    project = uow.projects.get(project_id, actor.require(P.COLLECTIONS_WRITE))
    today = business_day(project, now)
    check_ready(project, today, uow)
    report = DunningReport(project.id, today)
    policy_of = policies.for_project(project.id, uow)
    disputes = uow.dunning.disputes_of_charges(project.id)
    accrued = late_fees.accrue_project(project.id, disputes, today - timedelta(days=1), uow, now, run_id)
    report.late_fee_bills, report.late_fees = accrued.bills, accrued.amount

    rows = uow.dunning.open_bills(project.id, today)
    by_customer: dict[int, list[OverdueBill]] = defaultdict(list)
    for row in rows:
        open_disputes = [span for span in disputes.get(row.id, []) if span[1] is None or span[1] >= today]
        by_customer[row.customer_id].append(
            OverdueBill(
                row.id,
                row.number,
                row.lease_id,
                row.due_date,
                Decimal(row.open),
                row.currency,
                bool(open_disputes),
            )
        )
    # Machines of leases paid up since their lock are unlocked, whoever else the run chases.
    locks.propose_unlocks(project, today, by_customer, actor, uow, now)
    standings = uow.dunning.standings(project.id)
    done_today = uow.dunning.notices_on(project.id, today)
    customer_ids = (set(by_customer) | {c for c, s in standings.items() if s.tier > 0}) - set(done_today)
    if customer_id is not None:
        if customer_id in done_today:
            raise Conflict(N_("This customer was dealt with today already: see the day's notice."))
        if customer_id not in customer_ids:
            raise Conflict(N_("Nothing of this customer is overdue in the project."))
        customer_ids = {customer_id}
    else:
        # A rerun the same day leaves alone whoever a run decided today (held or paused ones included).
        customer_ids -= {c for c, s in standings.items() if s.last_run_on == today}
    if not customer_ids:
        return _finish(project, report, actor, uow, now, run_id)

    _chase(
        project,
        today,
        by_customer,
        standings,
        customer_ids,
        policy_of,
        report,
        actor,
        uow,
        now,
        run_id,
        by_hand=customer_id is not None,
    )
    return _finish(project, report, actor, uow, now, run_id)


def _chase(
    project: Any,
    today: date,
    by_customer: Mapping[int, list[OverdueBill]],
    standings: Mapping[int, Any],
    customer_ids: set[int],
    policy_of: Mapping[CustomerTier, Policy],
    report: DunningReport,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    run_id: int | None,
    by_hand: bool,
) -> None:
    """Decide every customer of the run and stage what each decision says (messages, tasks, cases, locks)."""
    pauses = _pauses(project, today, customer_ids, uow, report, actor, now)
    in_project = Scope(project_ids=frozenset({project.id}))
    held = readiness.waiting_money(
        project.id, project.region_id, customer_ids, lambda: uow.charges.open_items(in_project), uow
    )
    customers = uow.dunning.customers(customer_ids)
    cases = uow.dunning.open_cases(project.id)
    leases = uow.dunning.leases(
        {bill.lease_id for bills in by_customer.values() for bill in bills if bill.lease_id}
    )
    # Only equipment leases have machines to lock: the others need no look at the device platform.
    equipment = {
        lease_id for lease_id, lease in leases.items() if lease.contract_type is ContractType.EQUIPMENT
    }
    fees = uow.dunning.late_fees_of(customer_ids, project.id)
    contacts = uow.dunning.primary_contacts(customer_ids)
    speaker = _Speaker(project, uow, now, leases, contacts, fees)
    for chased in sorted(customer_ids):
        customer = customers[chased]
        policy = policy_of[customer.tier]
        if not policy.enabled:
            continue
        standing = standings.get(chased)
        situation = Situation(
            customer_id=chased,
            bills=by_customer.get(chased, ()),
            standing=Standing(
                DunningTier(standing.tier) if standing else DunningTier.NONE,
                standing.last_notice_on if standing else None,
                chased in cases,
            ),
            key_account=customer.tier is CustomerTier.KEY_ACCOUNT,
            pause=pauses.get(chased),
            held_by_lines=tuple(held.get(chased, ())),
        )
        decision = decide(situation, today, policy.thresholds, by_hand=by_hand)
        if any(bill.lease_id in equipment for bill in decision.bills):
            locks.propose_locks(project, today, decision, policy.thresholds, actor, uow, now)
        report.customers += 1
        report.by_action[decision.action.value] = report.by_action.get(decision.action.value, 0) + 1
        if decision.tier != decision.previous:
            report.tier_changes += 1
        # A hold or a pause is written down the day it begins; the days it lasts show on the standing.
        unchanged = (
            decision.action in QUIET
            and standing is not None
            and (standing.last_action, standing.last_reason) == (decision.action.value, decision.reason)
        )
        notice = (
            speaker.act(decision, customer, policy, situation.held_by_lines, run_id, actor)
            if decision.action in KEPT and not unchanged
            else None
        )
        if decision.action is Action.CASE:
            cases[chased] = speaker.open_case(decision, customer, actor)
        _stand(uow, project.id, standing, decision, today, notice is not None and decision.speaks)
    speaker.finish()


def _pauses(
    project: Any,
    today: date,
    customer_ids: set[int],
    uow: UnitOfWork,
    report: DunningReport,
    actor: Actor,
    now: datetime,
) -> dict[int, Any]:
    """Open promises judged today (kept, broken: recorded), and each customer's running pause."""
    promises: dict[int, list[tuple[int, date]]] = defaultdict(list)
    waiting = uow.dunning.open_promises(project.id)
    names = {c.id: c.name for c in uow.dunning.customers({p.customer_id for p in waiting}).values()}
    for promise in waiting:
        paid = uow.dunning.paid_since(promise.customer_id, project.id, promise.made_on)
        outcome = promise_outcome(promise.promised_on, Decimal(promise.amount), paid, today)
        if outcome is PromiseState.OPEN:
            promises[promise.customer_id].append((promise.id, promise.promised_on))
            continue
        promise.state, promise.settled_on, promise.paid = outcome, today, min(paid, Decimal(promise.amount))
        if outcome is PromiseState.KEPT:
            report.promises_kept += 1
        else:
            report.promises_broken += 1
            notifications.notify(
                uow,
                [promise.created_by_id],
                NotificationKind.PROMISE_BROKEN,
                {
                    "customer": names.get(promise.customer_id, f"#{promise.customer_id}"),
                    "amount": f"{promise.currency} {Decimal(promise.amount):,.2f}",
                    "date": promise.promised_on.isoformat(),
                },
                project_id=project.id,
                subject=("customer", promise.customer_id),
                now=now,
            )
        audit.record(
            uow,
            actor,
            AuditAction.UPDATE,
            "payment_promise",
            promise.id,
            after={"state": outcome.value, "paid": str(paid)},
            project_id=project.id,
            region_id=project.region_id,
        )
    graces: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for grace in uow.dunning.approved_graces(project.id, today):
        graces[grace.customer_id].append((grace.id, grace.ends_on))
    found = {}
    for customer_id in customer_ids:
        pause = active_pause(promises.get(customer_id, []), graces.get(customer_id, []), today)
        if pause is not None:
            found[customer_id] = pause
    return found


def _stand(
    uow: UnitOfWork, project_id: int, standing: Any, decision: Decision, today: date, spoke: bool
) -> None:
    """Keep where the customer stands after the run."""
    if standing is None:
        standing = uow.dunning.add_standing(project_id=project_id, customer_id=decision.customer_id, tier=0)
    if decision.tier != standing.tier:
        standing.tier, standing.tier_since = int(decision.tier), today
    if spoke:
        standing.last_notice_on = today
    if decision.tier is DunningTier.NONE:
        standing.last_notice_on = None
    standing.last_run_on = today
    standing.last_action, standing.last_reason = decision.action.value, decision.reason
    standing.oldest_days = decision.oldest_days
    standing.overdue = {currency: str(amount) for currency, amount in decision.totals.items()}


def _finish(
    project: Any, report: DunningReport, actor: Actor, uow: UnitOfWork, now: datetime, run_id: int | None
) -> DunningReport:
    run_row = uow.job_runs.record(
        run_id,
        kind=JobKind.DUNNING_RUN,
        project_id=project.id,
        status=JobStatus.SUCCEEDED,
        details=report.as_details(),
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    uow.commit()
    report.run_id = run_row.id
    return report


class _Speaker:
    """Turns the run's decisions into notices, messages, tasks and cases, reading what they need once."""

    def __init__(
        self,
        project: Any,
        uow: UnitOfWork,
        now: datetime,
        leases: Mapping[int, Any],
        contacts: Mapping[int, Any],
        fees: Mapping[int, Decimal],
    ) -> None:
        self.project, self.uow, self.now = project, uow, now
        self.leases, self.contacts, self.fees = leases, contacts, fees
        self.writers = sorted(set(uow.users.holders(P.COLLECTIONS_WRITE, project.id)))
        self.visible = set(uow.users.holders(P.PROJECT_READ, project.id))
        self.lookups = notifications.Lookups()
        self.managers_seen: dict[int, Any] = {}
        # Notices staged by `act`, sent out by `finish` after one flush (a run writes thousands).
        self.pending: list[tuple[Any, Decision, Any, Actor]] = []

    def finish(self) -> None:
        """Give the day's notices their ids, then stage their messages, tasks and audit entries."""
        self.uow.flush()
        tasks = []
        for notice, decision, customer, actor in self.pending:
            for channel, target in zip(notice.channels, notice.targets, strict=True):
                outbox.queue(
                    self.uow,
                    ChannelKind(channel),
                    NotificationKind.DUNNING_NOTICE,
                    notice.locale,
                    self.now,
                    target=target,
                    params={
                        "subject": notice.subject or "",
                        "body": notice.body or "",
                        "customer": customer.name,
                    },
                    project_id=self.project.id,
                    region_id=self.project.region_id,
                    subject_type="customer",
                    subject_id=customer.id,
                )
            if decision.action is Action.TASK:
                tasks.append((self.stage_task(decision, customer, notice), decision, customer))
            if decision.speaks:
                audit.record(
                    self.uow,
                    actor,
                    AuditAction.CREATE,
                    "dunning_notice",
                    notice.id,
                    after={
                        "customer_id": customer.id,
                        "action": decision.action.value,
                        "tier": decision.tier.code,
                        "bills": [bill.number for bill in decision.bills],
                        "channels": list(notice.channels),
                    },
                    project_id=self.project.id,
                    region_id=self.project.region_id,
                )
        if tasks:
            self.uow.flush()
        for task, decision, customer in tasks:
            self.tell_task(task, decision, customer)
        self.pending.clear()

    def act(
        self,
        decision: Decision,
        customer: Any,
        policy: Policy,
        held_by_lines: Sequence[int],
        run_id: int | None,
        actor: Actor,
    ) -> Any:
        """Record the decision as the day's notice, and send what it says to send.

        A key account's message is written for their account manager to adapt, never broadcast to them;
        everyone else gets it on the policy's channels, the hand-over to legal included.
        """
        language = customer.locale or "zh_CN"
        subject = body = None
        channels: list[str] = []
        targets: list[str] = []
        if decision.step is not None:
            template = policy.template(decision.tier, decision.step, language)
            message = render(template, self.values(decision, customer, policy, language))
            subject, body = message.subject, message.body
            if customer.tier is not CustomerTier.KEY_ACCOUNT:
                channels, targets = self.addresses(customer, policy)
        notice = self.uow.dunning.add_notice(
            run_id=run_id,
            project_id=self.project.id,
            customer_id=customer.id,
            run_on=business_day(self.project, self.now),
            action=decision.action.value,
            reason=decision.reason,
            tier=int(decision.tier),
            previous_tier=int(decision.previous),
            step=decision.step.value if decision.step else None,
            bills=[_bill(bill) for bill in decision.bills],
            totals={currency: str(amount) for currency, amount in decision.totals.items()},
            oldest_days=decision.oldest_days,
            locale=language,
            subject=subject,
            body=body,
            channels=channels,
            targets=targets,
            held_by_lines=list(held_by_lines),
            sent_by_id=actor.user_id,
        )
        self.pending.append((notice, decision, customer, actor))
        return notice

    def values(self, decision: Decision, customer: Any, policy: Policy, language: str) -> dict[str, str]:
        """What a template's placeholders are filled with."""
        articles = sorted(
            {
                lease.late_fee_article
                for bill in decision.bills
                if bill.lease_id and (lease := self.leases.get(bill.lease_id)) and lease.late_fee_article
            }
        )
        fee = self.fees.get(customer.id, ZERO)
        return {
            "customer": customer.name,
            "project": self.project.name,
            "bills": "\n".join(
                bill_line(
                    language,
                    bill.number,
                    bill.due_date.isoformat(),
                    f"{bill.currency} {bill.open_amount:,.2f}",
                )
                for bill in decision.bills
            ),
            "total": "; ".join(
                f"{currency} {amount:,.2f}" for currency, amount in sorted(decision.totals.items())
            ),
            "oldest_days": str(decision.oldest_days),
            "article": "、".join(articles) if language != "en" else ", ".join(articles),
            "late_fee": f"{fee:,.2f}",
            "pay_within_hours": str(policy.pay_within_hours),
            "contact": self.contact_line(decision),
        }

    def contact_line(self, decision: Decision) -> str:
        """Who the customer calls back: the lease's account manager, else the project."""
        for bill in decision.bills:
            lease = self.leases.get(bill.lease_id) if bill.lease_id else None
            if lease is not None and lease.account_manager_id:
                manager = self.manager(lease.account_manager_id)
                if manager is not None:
                    return f"{manager.display_name} {manager.email or ''}".strip()
        return str(self.project.name)

    def manager(self, user_id: int) -> Any:
        """A user read once per run."""
        if user_id not in self.managers_seen:
            self.managers_seen[user_id] = self.uow.users.find(user_id)
        return self.managers_seen[user_id]

    def addresses(self, customer: Any, policy: Policy) -> tuple[list[str], list[str]]:
        """Where a customer's message goes: the primary contact's addresses, else the customer's."""
        contact = self.contacts.get(customer.id)
        email = (contact.email if contact is not None and contact.email else None) or customer.email
        phone = (contact.phone if contact is not None and contact.phone else None) or customer.phone
        channels, targets = [], []
        for channel in policy.channels:
            target = email if channel == "email" else phone if channel == "sms" else None
            if target:
                channels.append(channel)
                targets.append(target)
        return channels, targets

    def stage_task(self, decision: Decision, customer: Any, notice: Any) -> Any:
        """A key account's task for their account manager (the project's collectors when none is named)."""
        managers = self.managers_of(decision)
        return self.uow.dunning.add_task(
            notice_id=notice.id,
            project_id=self.project.id,
            customer_id=customer.id,
            assignee_id=managers[0] if managers else None,
            tier=int(decision.tier),
            due_on=business_day(self.project, self.now) + timedelta(days=2),
        )

    def tell_task(self, task: Any, decision: Decision, customer: Any) -> None:
        """The account manager hears of their task (the collectors, when nobody is named)."""
        notifications.notify(
            self.uow,
            self.managers_of(decision) or self.writers,
            NotificationKind.COLLECTION_TASK,
            {
                "customer": customer.name,
                "total": "; ".join(f"{c} {a:,.2f}" for c, a in sorted(decision.totals.items())),
                "days": decision.oldest_days,
                "tier": {"message": TIER_NAMES[decision.tier]},
            },
            project_id=self.project.id,
            subject=("collection_task", task.id),
            now=self.now,
            visible=self.visible,
            lookups=self.lookups,
        )

    def managers_of(self, decision: Decision) -> list[int]:
        """The account managers of the leases a decision's bills belong to."""
        return sorted(
            {
                lease.account_manager_id
                for bill in decision.bills
                if bill.lease_id and (lease := self.leases.get(bill.lease_id)) and lease.account_manager_id
            }
        )

    def open_case(self, decision: Decision, customer: Any, actor: Actor) -> Any:
        """Hand a customer over to legal: a case with the bills, waiting for its owner and next step."""
        total = sum(decision.totals.values(), ZERO)
        case = self.uow.dunning.add_case(
            project_id=self.project.id,
            customer_id=customer.id,
            opened_on=business_day(self.project, self.now),
            opened_by_id=actor.user_id,
            amount=total,
            currency=next(iter(sorted(decision.totals)), "CNY"),
            bills=[_bill(bill) for bill in decision.bills],
            documents=[],
            next_step=None,
        )
        self.uow.flush()
        notifications.notify(
            self.uow,
            self.writers,
            NotificationKind.COLLECTION_CASE,
            {
                "customer": customer.name,
                "total": "; ".join(f"{c} {a:,.2f}" for c, a in sorted(decision.totals.items())),
                "days": decision.oldest_days,
            },
            project_id=self.project.id,
            subject=("collection_case", case.id),
            now=self.now,
            visible=self.visible,
            lookups=self.lookups,
        )
        audit.record(
            self.uow,
            actor,
            AuditAction.CREATE,
            "collection_case",
            case.id,
            after={
                "customer_id": customer.id,
                "amount": str(total),
                "bills": [b.number for b in decision.bills],
            },
            project_id=self.project.id,
            region_id=self.project.region_id,
        )
        return case


def _bill(bill: OverdueBill) -> dict[str, Any]:
    return {
        "charge_id": bill.charge_id,
        "number": bill.number,
        "lease_id": bill.lease_id,
        "due_date": bill.due_date.isoformat(),
        "open": str(bill.open_amount),
        "currency": bill.currency,
    }


__all__: Sequence[str] = ("DunningReport", "NotReconciled", "business_day", "check_ready", "run")
