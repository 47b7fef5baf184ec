"""Whether a project's bank statements are in and reconciled through a day, and whose money still waits.

Dunning asks both before it chases anyone: nobody who already paid may be chased, so every account the
project's tenants pay into must have its statements imported through yesterday and looked at by a
reconciliation run, and a customer whose money sits unmatched on a statement is held for a person to review.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    project_id: int, region_id: int, open_items: Callable[[], Sequence[tuple[Any, ...]]], uow: UnitOfWork
) -> dict[int, list[int]]:
    """Customers whose money sits unmatched on the project's accounts, with those lines' ids.

    `open_items`: reads the open charges as the reconciliation does (`Charges.open_items`), so that a memo
    naming a bill or a lease points to its customer too; only lines no run has read the payers of need it.
    """
    ids = [account.id for account in uow.bank_lines.serving(project_id, region_id)]
    rows = uow.bank_lines.unmatched_receipts_of(ids)
    payers = {row.id: frozenset(row.payer_ids) for row in rows if row.payer_ids is not None}
    unknown = [matching.Receipt(*row[:-1]) for row in rows if row.payer_ids is None]
    if unknown:
        # Lines a person unmatched, or decided before the payers were kept: looked up now.
        items = [matching.OpenItem(*row) for row in open_items()]
        payers.update(matching.known_payers(unknown, items, directory(uow)))
    held: dict[int, list[int]] = {}
    for line_id, customers in payers.items():
        for customer_id in customers:
            held.setdefault(customer_id, []).append(line_id)
    return held
