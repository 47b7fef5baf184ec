"""Three months of one project (February to April), day by day: statements imported each morning, reconciled
at 07:00, dunning at 10:00, as the worker does it. Four tenants pay as tenants do; every message, tier, pause,
case and late fee is worked out by hand below and compared.

- 星河 (standard) pays nothing until 13 April: friendly on day 1, follow-ups each week, formal from day 16,
  handed over to legal on day 31 (a case), then left to legal; late fees at 0.05 % a day after 3 grace days.
- 明月 (standard) pays February on time, March on day 7 (imported the next morning, so that morning's
  run is silent), April with 6,500 for a 6,000 bill: the line stays unmatched and holds them until
  matched by hand.
- 太阳 (standard) promises to pay February by the 12th and does not (the promise is broken, dunning resumes),
  pays on the 15th; disputes the March bill (no dunning, no late fee while open), pays it after resolution.
- 金山 (key account) gets tasks for its account manager instead of messages; a 7-day grace period, approved by
  a second person, pauses it.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from backend.banking.services import accounts, imports, reconciliation
from backend.collections.db.models import CollectionCase, CollectionTask, DunningNotice, LateFeeAccrual
from backend.collections.domain.pauses import GraceState, PromiseState
from backend.collections.services import credit, dunning, pauses
from backend.collections.services.dunning import NotReconciled
from backend.core.db.models import Approval
from backend.core.domain.approvals import Decision
from backend.core.domain.audit import Origin
from backend.core.services import approvals, auth
from backend.core.services.context import Actor
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.demo.statement_files import BankTransaction, StatementAccount, closing_balance, write_bank_csv
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases
from backend.notify.db.models import Delivery, Notification
from backend.notify.domain.notifications import NotificationKind
from backend.org.domain.org import CustomerTier
from backend.receivables.db.models import Charge
from backend.receivables.services import billing
from tests.conftest import SYSTEM

ZONE = ZoneInfo("Asia/Shanghai")
ACCOUNT = "1001 0001 0926 2626 26"
FIRST, LAST = date(2026, 2, 1), date(2026, 4, 30)
JOB = Actor.system(Origin.JOB, "tests")
CLAUSE = {"late_fee_rate": Decimal("0.0005"), "late_fee_grace_days": 3, "late_fee_article": "第12条"}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


class Month:
    """The project's world: its tenants, bank account, and what each day brings."""

    def __init__(self, run: Callable[..., Any], make: dict[str, Any]) -> None:
        self.run = run
        east = make["region"]("EAST")
        self.project = make["project"](east, "SH-LJZ")
        self.finance = make["user"]("finance", username="finance.east", region_id=east.id)
        self.manager = make["user"]("regional_manager", username="rm.east", region_id=east.id)
        self.account_manager = make["user"]("leasing_agent", username="am.east", region_id=east.id)
        customer = make["customer"]
        self.star = customer(
            east,
            "C-STAR",
            name="上海星河科技有限公司",
            contacts=[
                {
                    "name": "李明",
                    "email": "liming@star.example",
                    "phone": "+8613800000001",
                    "is_primary": True,
                }
            ],
            bank_accounts=[
                {
                    "bank_name": "招商银行",
                    "account_number": "6214830123456789",
                    "account_name": "上海星河科技有限公司",
                }
            ],
        )
        self.moon = customer(
            east,
            "C-MOON",
            name="上海明月餐饮管理有限公司",
            email="finance@moon.example",
            locale="en",
            bank_accounts=[
                {
                    "bank_name": "建设银行",
                    "account_number": "6227000011112222",
                    "account_name": "上海明月餐饮管理有限公司",
                }
            ],
        )
        self.sun = customer(east, "C-SUN", name="上海太阳贸易有限公司", phone="+8613800000003")
        self.key = customer(
            east, "C-KEY", name="金山集团有限公司", tier=CustomerTier.KEY_ACCOUNT, email="ap@key.example"
        )
        template = run(
            leases.create_template,
            TEMPLATES_BY_TYPE[ContractType.OFFICE].values()
            | {
                "code": "M5",
                "required_fields": [],
                "frequency": "monthly",
                "timing": "prepaid",
                "due_day": 5,
                "due_offset_days": 0,
                "business_day_rule": "none",
            },
            SYSTEM,
        )
        self.leases = {}
        for name, who, rent, extra in (
            ("star", self.star, "10000.00", CLAUSE),
            ("moon", self.moon, "6000.00", {}),
            ("sun", self.sun, "8000.00", CLAUSE),
            ("key", self.key, "8000.00", {"account_manager_id": self.account_manager.id}),
        ):
            draft = run(
                leases.create_lease,
                {
                    "template_id": template.id,
                    "asset_ids": [make["asset"](self.project).id],
                    "customer_id": who.id,
                    "starts_on": date(2026, 2, 1),
                    "ends_on": date(2027, 1, 31),
                    "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal(rent)}],
                    **extra,
                },
                SYSTEM,
            )
            self.leases[name] = run(
                leases.sign_lease, draft.id, SYSTEM, now=datetime(2026, 1, 10, tzinfo=UTC)
            )
        self.account_id = run(
            lambda uow: (
                accounts.create_account(
                    {
                        "region_id": east.id,
                        "bank_name": "中国工商银行上海分行",
                        "account_number": ACCOUNT,
                        "account_name": "华东资产管理有限公司",
                        "profile_code": "ICBC",
                    },
                    SYSTEM,
                    uow,
                ).id
            )
        )
        self.balance = Decimal("50000.00")
        self.booked: dict[date, list[BankTransaction]] = defaultdict(list)
        self.reference = 0

    def actor(self, user: Any) -> Actor:
        return Actor(self.run(lambda uow: auth.principal_of(uow.users.find(user.id))), Origin.WEB)

    def bill(self, customer: Any, due: date) -> Any:
        """The customer's bill due on a day."""

        def find(uow: Any) -> Any:
            statement = select(Charge.id, Charge.number).where(
                Charge.customer_id == customer.id, Charge.due_date == due
            )
            return uow.session.execute(statement).one()

        return self.run(find)

    def pay(self, day: date, amount: str, name: str, memo: str, account: str | None = None) -> None:
        self.reference += 1
        self.booked[day].append(
            BankTransaction(
                booked_on=day,
                amount=Decimal(amount),
                counterparty_name=name,
                counterparty_account=account,
                memo=memo,
                reference=f"R{self.reference:04d}",
            )
        )

    def morning(self, day: date, *, import_statement: bool = True) -> None:
        """00:30 billing; 07:00 yesterday's statement (with the day's bank fee) and the reconciliation."""
        self.run(billing.run_billing, self.project.id, SYSTEM, now=at(day, 0, 30))
        if import_statement:
            self.import_for(day - timedelta(days=1), at(day, 6, 50))
        self.run(reconciliation.run, JOB, now=at(day, 7))

    def import_for(self, booked_on: date, when: datetime) -> None:
        self.reference += 1
        transactions = [
            *self.booked.pop(booked_on, []),
            BankTransaction(
                booked_on=booked_on,
                amount=Decimal("-1.00"),
                memo="账户管理费",
                reference=f"F{self.reference:04d}",
            ),
        ]
        statement = StatementAccount(
            number=ACCOUNT, name="华东资产管理有限公司", opening_balance=self.balance
        )
        data = write_bank_csv("ICBC", statement, transactions)
        self.run(
            imports.import_statement,
            self.account_id,
            data,
            f"icbc-{booked_on}.csv",
            None,
            True,
            SYSTEM,
            now=when,
        )
        self.balance = closing_balance(statement, transactions)

    def dunning(self, day: date, hour: int = 10) -> dunning.DunningReport:
        return self.run(dunning.run, self.project.id, JOB, now=at(day, hour))


@pytest.fixture
def world(
    run: Callable[..., Any],
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_customer: Any,
    make_user: Any,
) -> Month:
    return Month(
        run,
        {
            "region": make_region,
            "project": make_project,
            "asset": make_asset,
            "customer": make_customer,
            "user": make_user,
        },
    )


def test_three_months_of_dunning_one_step_at_a_time_with_pauses_holds_cases_and_late_fees(
    world: Month, db: Any
) -> None:
    run = world.run
    finance = world.actor(world.finance)
    kept: dict[str, Any] = {}
    day = FIRST
    while day <= LAST:
        _tenants_pay(world, day)
        if day == date(2026, 3, 20):
            # The statement is late: the 10:00 run refuses and writes nothing; it runs once the file is in.
            world.morning(day, import_statement=False)
            before = _counts(db)
            with pytest.raises(NotReconciled) as refused:
                world.dunning(day)
            assert "2026-03-19" in str(refused.value)
            assert _counts(db) == before
            world.import_for(day - timedelta(days=1), at(day, 13))
            run(reconciliation.run, JOB, now=at(day, 13, 5))
            world.dunning(day, 14)
        else:
            world.morning(day)
            if day == date(2026, 4, 10):
                # Finance matches 明月's 6,500 by hand: 6,000 to April's bill, the rest stays unapplied.
                april = world.bill(world.moon, date(2026, 4, 5))
                allocation = {"charge_id": april.id, "amount": Decimal("6000.00")}
                values = {"customer_id": world.moon.id, "allocations": [allocation]}
                run(reconciliation.match_line, kept["moon_line"], values, finance, now=at(day, 9))
            world.dunning(day)
        if day == date(2026, 2, 6):
            before = _counts(db)
            world.dunning(day, 15)  # a rerun the same afternoon changes nothing
            assert _counts(db) == before
        if day == date(2026, 4, 9):
            [kept["moon_line"]] = run(
                lambda uow: [
                    line for line, _ in uow.bank_lines.payers_waiting([world.account_id], [world.moon.id])
                ]
            )
            # The run read the line's payer: the hold needs no second look-up.
            assert run(lambda uow: uow.bank_lines.unread_receipts([world.account_id])) == []
        _people_act(world, day, finance, kept)
        day += timedelta(days=1)

    notices = _notices(db)
    tier = {0: "-", 1: "friendly", 2: "formal", 3: "legal"}

    def said(customer: Any) -> list[tuple[str, str, str, str | None]]:
        return [
            (n.run_on.strftime("%m-%d"), n.action, tier[n.tier], n.step)
            for n in notices
            if n.customer_id == customer.id
        ]

    assert said(world.star) == [
        ("02-06", "notice", "friendly", "first"),
        ("02-13", "notice", "friendly", "follow_up"),
        ("02-20", "notice", "friendly", "follow_up"),
        ("02-21", "notice", "formal", "first"),  # day 16: one step up
        ("02-28", "notice", "formal", "follow_up"),
        ("03-07", "notice", "formal", "follow_up"),
        ("03-08", "case", "legal", "first"),  # day 31: handed to legal, then left to legal
        ("04-14", "cleared", "-", None),  # the 30,000 of 13 April, imported that morning
    ]
    assert said(world.moon) == [
        ("03-06", "notice", "friendly", "first"),
        (
            "03-13",
            "cleared",
            "-",
            None,
        ),  # the follow-up due that day is not sent: paid, imported that morning
        ("04-06", "notice", "friendly", "first"),
        ("04-09", "held", "friendly", None),  # 6,500 from their account waits unmatched
        ("04-10", "cleared", "-", None),  # matched by hand that morning
    ]
    assert said(world.sun) == [
        ("02-06", "notice", "friendly", "first"),
        ("02-09", "paused", "friendly", None),  # through 12 February: written the day it begins
        ("02-13", "notice", "friendly", "follow_up"),  # the promise of 12 February broke
        ("02-16", "cleared", "-", None),
        (
            "04-01",
            "notice",
            "friendly",
            "first",
        ),  # the dispute ended on 31 March: 27 days, one step at a time
        ("04-02", "notice", "formal", "first"),
        ("04-04", "cleared", "-", None),
    ]
    assert said(world.key) == [
        ("02-06", "task", "friendly", "first"),
        # 10 February's run came before the approval; the grace runs 10–16 February.
        ("02-11", "paused", "friendly", None),
        ("02-17", "task", "friendly", "follow_up"),
        ("02-21", "task", "formal", "first"),
        ("02-25", "cleared", "-", None),
    ]

    with db.unit_of_work() as uow:
        session = uow.session
        # Messages went to the customers' addresses, in their language; a key account got none.
        sent = defaultdict(list)
        for delivery in session.scalars(
            select(Delivery).where(Delivery.kind == NotificationKind.DUNNING_NOTICE)
        ):
            sent[delivery.subject_id].append((delivery.channel.value, delivery.target, delivery.locale))
        assert sorted(set(sent[world.star.id])) == [
            ("email", "liming@star.example", "zh_CN"),
            ("sms", "+8613800000001", "zh_CN"),
        ]
        assert len(sent[world.star.id]) == 2 * 7  # seven messages, e-mail and SMS each
        assert set(sent[world.moon.id]) == {("email", "finance@moon.example", "en")}
        assert set(sent[world.sun.id]) == {("sms", "+8613800000003", "zh_CN")}
        assert world.key.id not in sent
        formal = next(n for n in notices if n.customer_id == world.star.id and n.tier == 2)
        assert "根据合同第12条" in formal.body
        assert [b["number"] for b in formal.bills] == [world.bill(world.star, date(2026, 2, 5)).number]
        english = next(n for n in notices if n.customer_id == world.moon.id)
        assert english.body.startswith("Dear 上海明月餐饮管理有限公司, our records show")

        # The case: 星河's two overdue bills on 8 March, 20,000.00; still open for legal after the payment.
        [case] = session.scalars(select(CollectionCase)).all()
        assert (case.customer_id, case.opened_on, case.amount, case.state) == (
            world.star.id,
            date(2026, 3, 8),
            Decimal("20000.00"),
            "open",
        )
        tasks = session.scalars(select(CollectionTask).order_by(CollectionTask.id)).all()
        assert [(t.assignee_id, t.tier, t.due_on) for t in tasks] == [
            (world.account_manager.id, 1, date(2026, 2, 8)),
            (world.account_manager.id, 1, date(2026, 2, 19)),
            (world.account_manager.id, 2, date(2026, 2, 23)),
        ]
        promise = session.scalars(select(uow.payment_promises.model)).one()
        assert (promise.state, promise.settled_on) == (PromiseState.BROKEN, date(2026, 2, 13))
        told = session.scalars(
            select(Notification).where(Notification.kind == NotificationKind.PROMISE_BROKEN)
        ).all()
        assert [n.user_id for n in told] == [world.finance.id]
        assert session.get(uow.grace_periods.model, kept["grace"]).state is GraceState.APPROVED

        # Late fees by hand, 0.05 % a day of what was open at each day's end, after 3 grace days:
        # 星河 February 9 Feb–12 Apr 63 days × 5.00, March 9 Mar–12 Apr 35 × 5.00, April 9–12 Apr 4 × 5.00;
        # 太阳 February 9–14 Feb 6 × 4.00, March only 1–2 Apr (disputed 3–31 Mar) 2 × 4.00; no clause, no fee.
        per_customer = select(LateFeeAccrual.customer_id, func.sum(LateFeeAccrual.posted))
        fees = {row[0]: row[1] for row in session.execute(per_customer.group_by(LateFeeAccrual.customer_id))}
        assert fees == {world.star.id: Decimal("510.00"), world.sun.id: Decimal("32.00")}

    # The credit profile reads the dunning records: 太阳 broke one promise, raised one dispute, and answered
    # its four reminders in 2, 2, 2 and 1 days (6 Feb → promise 8 Feb, 13 Feb → paid 15 Feb, 1 and 2 Apr →
    # paid 3 Apr).
    sun = run(credit.credit_profile, world.sun.id, finance, now=at(LAST, 12))
    assert (sun.features.broken_promises, sun.features.disputes) == (1, 1)
    assert sun.features.average_response_days == 1.75
    assert "broken_promises" in [reason.code.value for reason in sun.reasons]


def _tenants_pay(world: Month, day: date) -> None:
    """What tenants pay, booked on this day (imported the next morning)."""
    moon, star, sun, key = (
        "上海明月餐饮管理有限公司",
        "上海星河科技有限公司",
        "上海太阳贸易有限公司",
        "金山集团有限公司",
    )
    moon_account, star_account = "6227000011112222", "6214830123456789"

    def rent(customer: Any, due: date) -> str:
        return f"房租 {world.bill(customer, due).number}"

    if day == date(2026, 2, 3):
        world.pay(day, "6000.00", moon, rent(world.moon, date(2026, 2, 5)), moon_account)
    if day in (date(2026, 3, 4), date(2026, 4, 3)):
        world.pay(day, "8000.00", key, rent(world.key, day.replace(day=5)))
    if day == date(2026, 2, 15):
        world.pay(day, "8000.00", sun, rent(world.sun, date(2026, 2, 5)))
    if day == date(2026, 2, 24):
        world.pay(day, "8000.00", key, rent(world.key, date(2026, 2, 5)))
    if day == date(2026, 3, 12):
        world.pay(day, "6000.00", moon, rent(world.moon, date(2026, 3, 5)))
    if day == date(2026, 4, 3):
        world.pay(day, "8000.00", sun, rent(world.sun, date(2026, 3, 5)))
    if day == date(2026, 4, 4):
        world.pay(day, "8000.00", sun, rent(world.sun, date(2026, 4, 5)))
    if day == date(2026, 4, 8):
        world.pay(day, "6500.00", moon, "四月租金及杂费", moon_account)
        # Nobody we know: it waits on the difference list and holds nobody.
        world.pay(day, "1234.00", "某某商贸有限公司", "货款")
    if day == date(2026, 4, 13):
        numbers = " ".join(world.bill(world.star, date(2026, month, 5)).number for month in (2, 3, 4))
        world.pay(day, "30000.00", star, f"房租 {numbers}", star_account)


def _people_act(world: Month, day: date, finance: Actor, kept: dict[str, Any]) -> None:
    """What finance and the manager do during the day, after the 10:00 run."""
    run, project = world.run, world.project.id
    if day == date(2026, 2, 8):
        promise = {"project_id": project, "customer_id": world.sun.id, "promised_on": date(2026, 2, 12)}
        run(pauses.record_promise, {**promise, "amount": Decimal("8000.00")}, finance, now=at(day, 12))
    if day == date(2026, 2, 10):
        asked = {"project_id": project, "customer_id": world.key.id, "days": 7, "reason": "集团付款审批延迟"}
        grace = run(pauses.request_grace, asked, finance, now=at(day, 11))
        kept["grace"] = grace.id
        approval_id = run(
            lambda uow: uow.session.scalars(select(Approval.id).where(Approval.subject_id == grace.id)).one()
        )
        manager = world.actor(world.manager)
        run(approvals.decide, approval_id, Decision.APPROVE, "同意", manager, now=at(day, 11, 30))
    if day == date(2026, 3, 3):
        march = world.bill(world.sun, date(2026, 3, 5))
        opened = {"project_id": project, "customer_id": world.sun.id, "charge_ids": [march.id]}
        dispute = run(
            pauses.open_dispute, {**opened, "reason": "三月空调故障，租金有争议"}, finance, now=at(day, 15)
        )
        kept["dispute"] = dispute.id
    if day == date(2026, 3, 31):
        resolution = {"resolution": "维修已完成，租金照付"}
        run(pauses.resolve_dispute, kept["dispute"], resolution, finance, now=at(day, 16))


def _counts(db: Any) -> tuple[int, ...]:
    with db.unit_of_work() as uow:
        session = uow.session
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (DunningNotice, Delivery, LateFeeAccrual, CollectionTask)
        )


def _notices(db: Any) -> list[Any]:
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(DunningNotice).order_by(DunningNotice.run_on, DunningNotice.id)
        ).all()
        uow.session.expunge_all()
        return list(rows)
