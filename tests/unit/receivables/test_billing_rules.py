"""Billing rules: when an item is billable, how gross and concession items form one bill, numbering."""

from datetime import date
from decimal import Decimal

from backend.receivables.domain import billing
from backend.receivables.domain.billing import BillableItem
from backend.receivables.domain.ledger import ChargeKind


def _item(item_id: int, charge_type: str, due: date, amount: str, concession: bool = False) -> BillableItem:
    start = date(due.year, due.month, 1)
    return BillableItem(
        item_id, 7, charge_type, start, date(due.year, due.month, 28), due, Decimal(amount), concession
    )


def test_an_item_is_billable_from_lead_days_before_it_falls_due() -> None:
    assert billing.billable_from(date(2026, 4, 5), 15) == date(2026, 3, 21)
    assert not billing.is_billable(date(2026, 4, 5), 15, date(2026, 3, 20))
    assert billing.is_billable(date(2026, 4, 5), 15, date(2026, 3, 21))


def test_gross_and_concession_items_of_one_period_form_one_bill_net_of_the_concession() -> None:
    drafts = billing.drafts(
        [
            _item(1, "rent", date(2026, 2, 5), "10000.00"),
            _item(2, "rent", date(2026, 2, 5), "2500.00", concession=True),
            _item(3, "service_fee", date(2026, 2, 5), "1200.00"),
        ]
    )
    assert [(d.kind, d.gross, d.concessions, d.amount, d.item_ids) for d in drafts] == [
        (ChargeKind.RENT, Decimal("10000.00"), Decimal("2500.00"), Decimal("7500.00"), (1, 2)),
        (ChargeKind.SERVICE_FEE, Decimal("1200.00"), Decimal("0.00"), Decimal("1200.00"), (3,)),
    ]


def test_a_fully_free_period_is_a_draft_of_zero_and_bills_are_ordered_by_due_date() -> None:
    drafts = billing.drafts(
        [
            _item(5, "rent", date(2026, 2, 5), "10000.00"),
            _item(6, "service_fee", date(2026, 1, 5), "1200.00"),
            _item(1, "rent", date(2026, 1, 5), "10000.00"),
            _item(2, "rent", date(2026, 1, 5), "10000.00", concession=True),
        ]
    )
    assert [(d.due_date, d.amount) for d in drafts] == [
        (date(2026, 1, 5), Decimal("0.00")),
        (date(2026, 1, 5), Decimal("1200.00")),
        (date(2026, 2, 5), Decimal("10000.00")),
    ]


def test_numbers_run_per_project_and_month_without_gaps() -> None:
    assert billing.document_number("", "SH-LJZ", date(2026, 3, 20), 7) == "SH-LJZ-202603-0007"
    assert billing.document_number("CN", "SH-LJZ", date(2026, 3, 20), 1) == "CN-SH-LJZ-202603-0001"
    assert list(billing.sequence_numbers(4, 3)) == [5, 6, 7]
    assert billing.period_key(date(2026, 12, 31)) == "202612"
