"""Importing a bank statement file: read, check, preview; commit all of it or nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.adapters import statements as readers
from backend.banking.domain import statements
from backend.banking.domain.lines import LineState
from backend.banking.domain.names import account_key
from backend.banking.domain.statements import ParsedStatement, Problem, StatementRejected
from backend.banking.services.accounts import profiles
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Message
from backend.core.domain.listing import ListQuery, SortKey
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

MAX_DUPLICATES_NAMED = 20


@dataclass(frozen=True)
class ImportResult:
    """What a preview shows, or what a commit stored."""

    statement: ParsedStatement
    bank_account_id: int
    filename: str
    previous_closing: Decimal | None
    warnings: tuple[Message, ...]
    statement_id: int | None = None


def import_statement(
    account_id: int,
    data: bytes,
    filename: str,
    profile_code: str | None,
    commit: bool,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> ImportResult:
    """Read and check a statement of one of our accounts; with `commit`, store it whole.

    Refused (nothing written) when the file cannot be read, belongs to another account, does not continue
    the account's balances, or repeats lines already imported.
    """
    account = uow.bank_accounts.get(account_id, actor.require(P.BANK_WRITE if commit else P.BANK_READ))
    known = profiles(uow)
    parsed = readers.read_statement(
        data, filename, list(known.values()), profile_code or account.profile_code
    )
    _check_account(parsed, account)
    digest = hashlib.sha256(data).hexdigest()
    if uow.bank_statements.by_digest(account.id, digest) is not None:
        raise Conflict(N_("This file was imported already."))
    previous = uow.bank_statements.previous_of(account.id, parsed.period_start)
    previous_closing = previous.closing_balance if previous is not None else None
    statements.check_statement(parsed, previous_closing)
    keys = [statements.duplicate_key(line, account.account_number) for line in parsed.lines]
    _refuse_repeats(parsed, keys, uow.bank_lines.existing_keys(account.id, keys))
    warnings = tuple(w.text() for w in statements.find_duplicates_within(parsed))
    result = ImportResult(parsed, account.id, filename, previous_closing, warnings)
    if not commit:
        return result
    statement = uow.bank_statements.create(
        bank_account_id=account.id,
        filename=filename[:255],
        sha256=digest,
        format=parsed.format,
        profile_code=parsed.profile,
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        opening_balance=parsed.opening_balance,
        closing_balance=parsed.closing_balance,
        line_count=len(parsed.lines),
        total_credits=parsed.total_credits,
        total_debits=parsed.total_debits,
        imported_at=now,
        imported_by_id=actor.user_id,
    )
    uow.flush()
    uow.bank_lines.bulk_create(
        [_line_row(statement.id, account.id, line, key) for line, key in zip(parsed.lines, keys, strict=True)]
    )
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "bank_statement",
        statement.id,
        after={
            "bank_account_id": account.id,
            "filename": filename,
            "lines": len(parsed.lines),
            "opening_balance": parsed.opening_balance,
            "closing_balance": parsed.closing_balance,
        },
        region_id=account.region_id,
        project_id=account.project_id,
    )
    uow.commit()
    return ImportResult(parsed, account.id, filename, previous_closing, warnings, statement.id)


def _check_account(parsed: ParsedStatement, account: Any) -> None:
    number = account_key(parsed.account_number) if parsed.account_number else None
    if number is not None and number != account_key(account.account_number):
        raise StatementRejected(
            [
                Problem(
                    None,
                    None,
                    N_("The file is a statement of account %(found)s, not of %(expected)s."),
                    {"found": parsed.account_number, "expected": account.account_number},
                )
            ]
        )
    if parsed.currency != account.currency:
        raise StatementRejected(
            [
                Problem(
                    None,
                    None,
                    N_("The file is in %(found)s; the account keeps %(expected)s."),
                    {"found": parsed.currency, "expected": account.currency},
                )
            ]
        )


def _refuse_repeats(parsed: ParsedStatement, keys: list[str], existing: dict[str, int]) -> None:
    repeats = [
        Problem(
            line.line_no,
            None,
            N_("Line %(line)s was imported already (statement %(statement)s)."),
            {"line": line.line_no, "statement": existing[key]},
        )
        for line, key in zip(parsed.lines, keys, strict=True)
        if key in existing
    ]
    if repeats:
        raise StatementRejected(repeats[:MAX_DUPLICATES_NAMED])


def _line_row(statement_id: int, account_id: int, line: Any, key: str) -> dict[str, Any]:
    return {
        "statement_id": statement_id,
        "bank_account_id": account_id,
        "line_no": line.line_no,
        "booked_on": line.booked_on,
        "value_on": line.value_on,
        "amount": line.amount,
        "currency": line.currency,
        "counterparty_name": _cut(line.counterparty_name, 200),
        "counterparty_account": _cut(line.counterparty_account, 64),
        "counterparty_bank": _cut(line.counterparty_bank, 200),
        "memo": _cut(line.memo, 500),
        "bank_reference": _cut(line.bank_reference, 100),
        "balance_after": line.balance_after,
        "dedupe_key": key[:300],
        "state": LineState.UNMATCHED if line.amount > 0 else LineState.OUTGOING,
        "note": None,
    }


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else value


def list_statements(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Imported statements of accounts the actor may see, newest first unless asked otherwise."""
    if not query.sort:
        query = ListQuery(
            query.filters, (SortKey("imported_at", descending=True),), query.page, query.page_size
        )
    return uow.bank_statements.page(actor.require(P.BANK_READ), query)


def get_statement(statement_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One imported statement."""
    return uow.bank_statements.get(statement_id, actor.require(P.BANK_READ))
