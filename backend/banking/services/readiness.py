"""Whether a project's bank statements are in and reconciled through a day, and whose money still waits.

Dunning asks both before it chases anyone: nobody who already paid may be chased, so every account the
project's tenants pay into must have its statements imported through yesterday and looked at by a
reconciliation run, and a customer whose money sits unmatched on a statement is held for a person to review.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.banking.domain import matching
from backend.banking.services.reconciliation import directory
from backend.core.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AccountGap:
    """One account not ready: statements end too early, or lines no run has reconciled yet."""

    account_id: int
    account_number: str
    bank_name: str
    covered_through: date | None
    unreconciled: int


def gaps(project_id: int, region_id: int, through: date, uow: UnitOfWork) -> list[AccountGap]:
    """The accounts of a project whose statements are not imported and reconciled through a day."""
    accounts = uow.bank_lines.serving(project_id, region_id)
    ids = [account.id for account in accounts]
    covered = uow.bank_lines.covered_through(ids)
    waiting = uow.bank_lines.never_reconciled(ids, through)
    found = []
    for account in accounts:
        end = covered.get(account.id)
        if end is None or end < through or waiting.get(account.id, 0):
            found.append(
                AccountGap(
                    account.id, account.account_number, account.bank_name, end, waiting.get(account.id, 0)
                )
            )
    return found


def waiting_money(
    project_id: int,
    region_id: int,
    customer_ids: Collection[int],
    open_items: Callable[[], Sequence[tuple[Any, ...]]],
    uow: UnitOfWork,
) -> dict[int, list[int]]:
    """Which of these customers have money waiting unmatched on the project's accounts, with those lines.

    The reconciliation run records whom each line it leaves unmatched points to; lines no run has read (a
    person unmatched them) are looked up here. `open_items` reads the open charges as the reconciliation does
    (`Charges.open_items`), so that a memo naming a bill or a lease points to its customer too.
    """
    ids = [account.id for account in uow.bank_lines.serving(project_id, region_id)]
    wanted = set(customer_ids)
    held: dict[int, list[int]] = {}
    for line_id, customer_id in uow.bank_lines.payers_waiting(ids, wanted):
        held.setdefault(customer_id, []).append(line_id)
    unread = [matching.Receipt(*row) for row in uow.bank_lines.unread_receipts(ids)]
    if unread:
        items = [matching.OpenItem(*row) for row in open_items()]
        for line_id, customers in matching.known_payers(unread, items, directory(uow)).items():
            for customer_id in customers & wanted:
                held.setdefault(customer_id, []).append(line_id)
    return {customer_id: sorted(lines) for customer_id, lines in held.items()}
