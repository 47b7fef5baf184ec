"""Statement files as banks export them (CSV, XLSX, MT940, camt.053), for the demo, tests and benchmarks."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import accumulate
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.banking.domain.known_banks import BUILTIN_PROFILES
from backend.banking.domain.profiles import BankProfile

ZERO = Decimal("0.00")
HEADER_INDEX = 6  # a table export's title and five account rows come before its header
CAMT_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
CURRENCY_NAMES = {"CNY": "人民币", "USD": "美元", "HKD": "港币", "EUR": "欧元"}
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
# Cells written as ="…" when asked, as banks do to keep Excel from turning long numbers into 6.22E+18.
_NUMBER_FIELDS = frozenset({"counterparty_account", "payer_account", "payee_account", "bank_reference"})


@dataclass(frozen=True, kw_only=True)
class BankTransaction:
    """A transaction as the bank books it: + money in, − money out."""

    booked_on: date
    amount: Decimal
    booked_at: datetime | None = None
    value_on: date | None = None
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    counterparty_bank: str | None = None
    memo: str | None = None
    reference: str | None = None


@dataclass(frozen=True, kw_only=True)
class StatementAccount:
    """Our account whose statement is written, and its balance before the first transaction."""

    number: str
    name: str
    currency: str = "CNY"
    opening_balance: Decimal = ZERO
    # The days the statement covers, as the bank states them (else the first and last transaction's).
    period: tuple[date, date] | None = None

    def days(self, transactions: Sequence[BankTransaction]) -> tuple[date, date]:
        """The first and last day the statement covers."""
        if self.period is not None:
            return self.period
        days = [tx.booked_on for tx in transactions] or [date(2026, 3, 1)]
        return min(days), max(days)


def local_time(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A naive local wall-clock time, the way bank files give one."""
    return datetime.combine(date(year, month, day), time(hour, minute, second))


def balances(account: StatementAccount, transactions: Sequence[BankTransaction]) -> list[Decimal]:
    """The balance after each transaction."""
    return list(accumulate((tx.amount for tx in transactions), initial=account.opening_balance))[1:]


def closing_balance(account: StatementAccount, transactions: Sequence[BankTransaction]) -> Decimal:
    """The balance after the last transaction."""
    return account.opening_balance + sum((tx.amount for tx in transactions), ZERO)


# Tables ---------------------------------------------------------------------------------------------------


def _profile(code: str) -> BankProfile:
    return next(profile for profile in BUILTIN_PROFILES if profile.code == code)


def _layout(profile: BankProfile) -> list[str]:
    """The fields a profile's export has columns for, one column each, in the bank's order."""
    aliases = profile.header_aliases
    split = {"debit", "credit"} <= aliases.keys()
    flagged = not split and not profile.signed_amounts
    skipped = {"amount", "direction"} if split else set() if flagged else {"direction"}
    return [name for name in aliases if name not in skipped]


def _values(
    tx: BankTransaction, balance: Decimal, profile: BankProfile, account: StatementAccount, flagged: bool
) -> dict[str, object]:
    """A transaction's value for each column, typed (dates, Decimals, texts)."""
    money_in = tx.amount > 0
    ours = {"name": account.name, "account": account.number, "bank": profile.name}
    theirs = {"name": tx.counterparty_name, "account": tx.counterparty_account, "bank": tx.counterparty_bank}
    directions = profile.direction_credit_values if money_in else profile.direction_debit_values
    values: dict[str, object] = {
        "booked_on": tx.booked_on,
        "booked_at": _moment(tx, profile),
        "value_on": tx.value_on or tx.booked_on,
        "debit": -tx.amount if tx.amount < 0 else None,
        "credit": tx.amount if money_in else None,
        "amount": abs(tx.amount) if flagged else tx.amount,
        "direction": directions[0] if directions else None,
        "counterparty_name": tx.counterparty_name,
        "counterparty_account": tx.counterparty_account,
        "counterparty_bank": tx.counterparty_bank,
        "memo": tx.memo,
        "bank_reference": tx.reference,
        "balance_after": balance,
        "currency": CURRENCY_NAMES.get(account.currency, account.currency),
    }
    for side, party in (("payer", theirs if money_in else ours), ("payee", ours if money_in else theirs)):
        values.update({f"{side}_{key}": value for key, value in party.items()})
    return values


def _moment(tx: BankTransaction, profile: BankProfile) -> object:
    """A time column holds the time of day, or the full date-time where it doubles as the booking date."""
    if tx.booked_at is None or "booked_at" not in profile.header_aliases:
        return None
    header = profile.header_aliases["booked_at"][0]
    return tx.booked_at if header in profile.header_aliases["booked_on"] else tx.booked_at.time()


def _table(
    profile: BankProfile,
    account: StatementAccount,
    transactions: Sequence[BankTransaction],
    newest_first: bool,
) -> list[list[object]]:
    """Title, account block, header, lines and summary rows, as typed values."""
    fields = _layout(profile)
    listed = list(zip(transactions, balances(account, transactions), strict=True))
    if newest_first:
        listed.reverse()
    first, last = account.days(transactions)
    closing = closing_balance(account, transactions)
    debits = sum((-tx.amount for tx in transactions if tx.amount < 0), ZERO)
    credits = sum((tx.amount for tx in transactions if tx.amount > 0), ZERO)
    rows: list[list[object]] = [
        [f"{profile.name} 账户明细查询"],
        [f"账号：{account.number}"],
        [f"户名：{account.name}"],
        [f"币种：{CURRENCY_NAMES.get(account.currency, account.currency)}"],
        [f"起止日期：{first.isoformat()} 至 {last.isoformat()}"],
        ["期初余额：", account.opening_balance],
        [profile.header_aliases[name][0] for name in fields],
    ]
    flagged = "direction" in fields
    for tx, balance in listed:
        values = _values(tx, balance, profile, account, flagged)
        rows.append([values[name] for name in fields])
    totals: list[object] = ["合计", *[None] * (len(fields) - 1)]
    if "debit" in fields:
        totals[fields.index("debit")], totals[fields.index("credit")] = debits, credits
    rows += [
        totals,
        ["借方合计：", debits, "贷方合计：", credits],
        [f"共 {len(transactions)} 笔"],
        ["期末余额：", closing],
    ]
    return rows


def _text(value: object, profile: BankProfile) -> str:
    """A typed value as the bank's CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return f"{value.strftime(profile.date_formats[0])} {value:%H:%M:%S}"
    if isinstance(value, date):
        return value.strftime(profile.date_formats[0])
    if isinstance(value, time):
        return f"{value:%H:%M:%S}"
    return str(value)


def _csv_cell(text: str, delimiter: str, excel_text: bool) -> str:
    if excel_text:
        return f'="{text}"'
    if any(mark in text for mark in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_bank_csv(
    profile_code: str,
    account: StatementAccount,
    transactions: Sequence[BankTransaction],
    encoding: str = "gbk",
    *,
    delimiter: str = ",",
    excel_text: bool = False,
    newest_first: bool = False,
) -> bytes:
    """The bank's CSV export: Windows line ends, GBK by default; `excel_text` writes numbers as ="…"."""
    profile = _profile(profile_code)
    fields = _layout(profile)
    lines = []
    for index, row in enumerate(_table(profile, account, transactions, newest_first)):
        quoted = [
            _csv_cell(
                _text(value, profile),
                delimiter,
                excel_text
                and index > HEADER_INDEX
                and position < len(fields)
                and fields[position] in _NUMBER_FIELDS,
            )
            for position, value in enumerate(row)
        ]
        lines.append(delimiter.join(quoted))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def write_bank_xlsx(
    profile_code: str,
    account: StatementAccount,
    transactions: Sequence[BankTransaction],
    *,
    newest_first: bool = False,
) -> bytes:
    """The bank's workbook export: a merged bold title, date cells, amounts as numbers."""
    profile = _profile(profile_code)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "账户明细"
    rows = _table(profile, account, transactions, newest_first)
    for row in rows:
        sheet.append(row)
    width = len(rows[HEADER_INDEX])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# MT940 ----------------------------------------------------------------------------------------------------


def _swift_amount(amount: Decimal) -> str:
    return f"{abs(amount):.2f}".replace(".", ",")


def _balance_field(tag: str, amount: Decimal, day: date, currency: str) -> str:
    return f":{tag}:{'D' if amount < 0 else 'C'}{day:%y%m%d}{currency}{_swift_amount(amount)}"


def _details_86(tx: BankTransaction, structured: bool) -> str:
    """:86: as German banks structure it (?20 purpose in pieces of 27, ?30 bank, ?31 account, ?32/?33 name),
    or as /NAME/…/ACCT/…/REMI/… tags."""
    if not structured:
        tags = [
            ("NAME", tx.counterparty_name),
            ("ACCT", tx.counterparty_account),
            ("BIC", tx.counterparty_bank),
        ]
        text = "".join(f"/{key}/{value}" for key, value in tags if value)
        return f"{text}/REMI/{tx.memo}" if tx.memo else text or "/REMI/"
    memo = tx.memo or ""
    pieces = range(0, min(len(memo), 270), 27)  # ?20 to ?29 at most
    # An empty ?20 still marks the details as structured.
    parts = [f"?{20 + index}{memo[start : start + 27]}" for index, start in enumerate(pieces)] or ["?20"]
    name = tx.counterparty_name or ""
    parts += [f"?30{tx.counterparty_bank}"] if tx.counterparty_bank else []
    parts += [f"?31{tx.counterparty_account}"] if tx.counterparty_account else []
    parts += [
        f"?{32 + index}{name[start : start + 27]}"
        for index, start in enumerate(range(0, min(len(name), 54), 27))
    ]
    return "166" + "".join(parts)


def write_mt940(
    account: StatementAccount,
    transactions: Sequence[BankTransaction],
    *,
    statements: int = 1,
    structured: bool = True,
    encoding: str = "utf-8",
) -> bytes:
    """MT940 text: the transactions over `statements` consecutive :20: blocks, balances chained."""
    size = max(1, -(-len(transactions) // statements))
    blocks = [transactions[start : start + size] for start in range(0, len(transactions), size)] or [[]]
    lines: list[str] = []
    opening = account.opening_balance
    for number, block in enumerate(blocks, start=1):
        closing = opening + sum((tx.amount for tx in block), ZERO)
        first_day = block[0].booked_on if block else account.days(transactions)[0]
        last_day = block[-1].booked_on if block else first_day
        if account.period is not None:
            # The first block opens on the period's first day, the last closes on its last.
            first_day = account.period[0] if number == 1 else first_day
            last_day = account.period[1] if number == len(blocks) else last_day
        lines += [f":20:STMT{number:04d}", f":25:{account.number}", f":28C:{number}/1"]
        lines.append(_balance_field("60F", opening, first_day, account.currency))
        for tx in block:
            value_on = tx.value_on or tx.booked_on
            mark = "C" if tx.amount > 0 else "D"
            reference = f"NONREF//{tx.reference}" if tx.reference else "NONREF"
            lines.append(
                f":61:{value_on:%y%m%d}{tx.booked_on:%m%d}{mark}{_swift_amount(tx.amount)}NTRF{reference}"
            )
            lines.append(f":86:{_details_86(tx, structured)}")
        lines.append(_balance_field("62F", closing, last_day, account.currency))
        lines.append("-")
        opening = closing
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


# camt.053 -------------------------------------------------------------------------------------------------


class _Camt:
    """Builds camt.053 elements of one schema version."""

    def __init__(self, version: str) -> None:
        self.version = int(version)
        self.namespace = CAMT_NAMESPACE.format(version=version)

    def add(self, parent: Element, path: str, text: str | None = None, **attributes: str) -> Element:
        """The element at the end of `path` under `parent`, created with its ancestors."""
        element = parent
        for name in path.split("/"):
            element = SubElement(element, name)
        element.text = text
        element.attrib.update(attributes)
        return element

    def amount(self, parent: Element, amount: Decimal, currency: str) -> None:
        self.add(parent, "Amt", f"{abs(amount):.2f}", Ccy=currency)
        self.add(parent, "CdtDbtInd", "DBIT" if amount < 0 else "CRDT")

    def balance(self, statement: Element, code: str, amount: Decimal, day: date, currency: str) -> None:
        balance = self.add(statement, "Bal")
        self.add(balance, "Tp/CdOrPrtry/Cd", code)
        self.amount(balance, amount, currency)
        self.add(balance, "Dt/Dt", day.isoformat())

    def account(self, parent: Element, path: str, number: str) -> None:
        if _IBAN.match(number):
            self.add(parent, f"{path}/Id/IBAN", number)
        else:
            self.add(parent, f"{path}/Id/Othr/Id", number)

    def entry(self, statement: Element, tx: BankTransaction, currency: str) -> None:
        entry = self.add(statement, "Ntry")
        self.amount(entry, tx.amount, currency)
        self.add(entry, "Sts/Cd" if self.version >= 5 else "Sts", "BOOK")
        booked = ("DtTm", tx.booked_at.isoformat()) if tx.booked_at else ("Dt", tx.booked_on.isoformat())
        self.add(entry, f"BookgDt/{booked[0]}", booked[1])
        self.add(entry, "ValDt/Dt", (tx.value_on or tx.booked_on).isoformat())
        if tx.reference:
            self.add(entry, "AcctSvcrRef", tx.reference)
        details = self.add(entry, "NtryDtls/TxDtls")
        party = "Dbtr" if tx.amount > 0 else "Cdtr"
        if tx.counterparty_name:
            name_path = f"{party}/Pty/Nm" if self.version >= 8 else f"{party}/Nm"
            self.add(details, f"RltdPties/{name_path}", tx.counterparty_name)
        if tx.counterparty_account:
            self.account(_child(details, "RltdPties"), f"{party}Acct", tx.counterparty_account)
        if tx.counterparty_bank:
            bic = "BICFI" if self.version >= 4 else "BIC"
            kind = bic if _BIC.match(tx.counterparty_bank) else "Nm"
            self.add(details, f"RltdAgts/{party}Agt/FinInstnId/{kind}", tx.counterparty_bank)
        if tx.memo:
            self.add(details, "RmtInf/Ustrd", tx.memo)


def _child(parent: Element, name: str) -> Element:
    """The existing child of that name, or a new one."""
    found = parent.find(name)
    return found if found is not None else SubElement(parent, name)


def write_camt053(
    account: StatementAccount,
    transactions: Sequence[BankTransaction],
    *,
    version: str = "08",
    encoding: str = "utf-8",
    declared_encoding: str | None = None,
) -> bytes:
    """A camt.053.001.`version` document, in `encoding`, declaring `declared_encoding` (a bank's mistake)."""
    camt = _Camt(version)
    # Tags are written bare under a default namespace, as banks write them.
    root = Element("Document", xmlns=camt.namespace)
    report = camt.add(root, "BkToCstmrStmt")
    camt.add(report, "GrpHdr/MsgId", f"MSG-{account.number}")
    statement = camt.add(report, "Stmt")
    camt.add(statement, "Id", f"STMT-{account.number}")
    first, last = account.days(transactions)
    camt.add(statement, "FrToDt/FrDtTm", datetime.combine(first, time()).isoformat())
    camt.add(
        _child(statement, "FrToDt"),
        "ToDtTm",
        datetime.combine(last, time(23, 59, 59)).isoformat(),
    )
    camt.account(statement, "Acct", account.number)
    camt.add(_child(statement, "Acct"), "Ccy", account.currency)
    camt.add(_child(statement, "Acct"), "Nm", account.name)
    camt.balance(statement, "OPBD", account.opening_balance, first, account.currency)
    camt.balance(statement, "CLBD", closing_balance(account, transactions), last, account.currency)
    for tx in transactions:
        camt.entry(statement, tx, account.currency)
    indent(root)
    body = tostring(root, encoding="unicode")
    declaration = f'<?xml version="1.0" encoding="{declared_encoding or encoding.upper()}"?>\n'
    return (declaration + body + "\n").encode(encoding)
