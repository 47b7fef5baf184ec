"""ISO 20022 camt.053 statements (.001.02 to .001.08), parsed with defusedxml; problems name their line."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from backend.adapters.statements.tables import MAX_ROWS, UNDECODABLE, check_size, too_many_rows
from backend.banking.domain.checks import join_statements
from backend.banking.domain.values import ParsedStatement, Problems, StatementLine, refuse
from backend.core.domain.errors import N_

_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_AMOUNT = re.compile(r"^\d{1,18}(\.\d{1,5})?$")
OPENING_CODES = ("OPBD", "PRCD")  # an opening booked balance, else the previous closing one
NOT_BOOKED = frozenset({"PDNG", "INFO"})  # pending or merely announced: not on the account yet

NOT_XML = N_("Line %(line)s, column %(column)s: the XML is not well-formed.")
FORBIDDEN = N_("Line %(line)s: the XML declares a DTD or entities, which statements never need; refused.")
NOT_CAMT053 = N_("This is not a camt.053 statement: its document is %(found)s.")
BAD_AMOUNT = N_("Line %(line)s: the entry's amount '%(value)s' is not an amount.")
BAD_DIRECTION = N_("Line %(line)s: the entry's CdtDbtInd '%(value)s' is neither CRDT nor DBIT.")
NO_BOOKING_DATE = N_("Line %(line)s: the entry has no booking date (BookgDt).")
BAD_DATE = N_("Line %(line)s: '%(value)s' is not a date.")
SPLIT_DIFFERS = N_(
    "Line %(line)s: the entry's amount %(amount)s is not the sum of its transactions' amounts, %(total)s."
)


def read_camt053(data: bytes) -> ParsedStatement:
    """The statements of one account in a camt.053 file, several Stmt joined in order."""
    check_size(data)
    document = _parse(_decode(data))
    report = _kid(document.root, "BkToCstmrStmt") if _local(document.root.tag) == "Document" else None
    if report is None:
        found = _local(next(iter(document.root), document.root).tag)
        raise refuse(None, None, NOT_CAMT053, found=found)
    problems = Problems()
    parts = [_statement(statement, document, problems) for statement in _kids(report, "Stmt")]
    problems.refuse_if_any()
    if not parts:
        raise refuse(None, None, NOT_CAMT053, found="BkToCstmrStmt without Stmt")
    if sum(len(part.lines) for part in parts) > MAX_ROWS:
        raise too_many_rows()
    return join_statements(parts)


def _decode(data: bytes) -> str:
    """The text of a file whose declaration may lie: UTF-8, then the declared encoding, then GB18030.

    UTF-8 goes first because GB18030 reads most UTF-8 Chinese without an error (as nonsense), while GBK text
    is almost never valid UTF-8; so a file declaring GB18030 but sent as UTF-8 reads right too.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _DECLARATION.sub("", data.decode("utf-16", errors="replace"), count=1)
    declared = _DECLARED.match(data)
    encodings = ["utf-8-sig", declared.group(1).decode("ascii") if declared else "utf-8", "gb18030"]
    failed_at = []
    for encoding in encodings:
        try:
            return _DECLARATION.sub("", data.decode(encoding), count=1)
        except UnicodeDecodeError as error:
            failed_at.append(error.start)
        except LookupError:
            continue  # a declared encoding Python does not know
    offset = max(failed_at)
    raise refuse(
        data.count(b"\n", 0, offset) + 1, None, UNDECODABLE, byte=f"0x{data[offset]:02X}", offset=offset
    )


@dataclass(frozen=True)
class _Document:
    """The parsed XML and the source line of each element's start tag."""

    root: Element
    lines: dict[int, int]

    def line(self, element: Element) -> int | None:
        return self.lines.get(id(element))


class _LineNumbers:
    """A tree builder that notes the source line of each element as the parser starts it."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.lines: dict[int, int] = {}
        self.parser: Any = None

    def start(self, tag: str, attributes: dict[str, str]) -> Element:
        element = self.builder.start(tag, attributes)
        self.lines[id(element)] = self.parser.CurrentLineNumber
        return element

    def end(self, tag: str) -> Element:
        return self.builder.end(tag)

    def data(self, text: str) -> None:
        self.builder.data(text)

    def close(self) -> Element:
        return self.builder.close()


def _parse(text: str) -> _Document:
    target = _LineNumbers()
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    target.parser = parser.parser  # the expat parser underneath, which knows the current line
    try:
        parser.feed(text)
        root = parser.close()
    except ParseError as error:
        line, column = error.position
        raise refuse(line, str(column + 1), NOT_XML) from None
    except DefusedXmlException:
        raise refuse(parser.parser.CurrentLineNumber, None, FORBIDDEN) from None
    return _Document(root, target.lines)


def _local(tag: object) -> str:
    """A tag without its namespace, so that every version of the schema reads alike."""
    return str(tag).rpartition("}")[2]


def _kids(element: Element | None, name: str) -> list[Element]:
    return [kid for kid in element if _local(kid.tag) == name] if element is not None else []


def _kid(element: Element | None, path: str) -> Element | None:
    """The first element down a path of local names, such as Acct/Id/IBAN."""
    for name in path.split("/"):
        found = _kids(element, name)
        element = found[0] if found else None
    return element


def _text(element: Element | None, *paths: str) -> str | None:
    """The trimmed text of the first path that has some."""
    for path in paths:
        found = _kid(element, path)
        if found is not None and found.text and found.text.strip():
            return " ".join(found.text.split())
    return None


def _statement(statement: Element, document: _Document, problems: Problems) -> ParsedStatement:
    account = _kid(statement, "Acct")
    balances = {
        _text(balance, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry"): balance
        for balance in _kids(statement, "Bal")
    }
    opening = next((balances[code] for code in OPENING_CODES if code in balances), None)
    closing = balances.get("CLBD")
    currency = _text(account, "Ccy") or _currency(opening) or _currency(_kid(statement, "Ntry")) or ""
    lines = [
        line
        for entry in _kids(statement, "Ntry")
        if _text(entry, "Sts/Cd", "Sts") not in NOT_BOOKED
        for line in _Entry(entry, document, currency, problems).lines()
    ]
    days = [line.booked_on for line in lines]
    start = _day(_text(statement, "FrToDt/FrDtTm"), None, problems)
    end = _day(_text(statement, "FrToDt/ToDtTm"), None, problems)
    return ParsedStatement(
        format="camt053",
        account_number="".join((_text(account, "Id/IBAN", "Id/Othr/Id") or "").split()) or None,
        account_name=_text(account, "Nm", "Ownr/Nm"),
        currency=currency,
        opening_balance=_balance(opening, document, problems),
        closing_balance=_balance(closing, document, problems),
        period_start=start or (min(days) if days else None),
        period_end=end or (max(days) if days else None),
        lines=tuple(lines),
        opening_line=document.line(opening) if opening is not None else None,
        closing_line=document.line(closing) if closing is not None else None,
    )


def _currency(element: Element | None) -> str | None:
    amount = _kid(element, "Amt")
    return amount.get("Ccy") if amount is not None else None


def _signed(
    amount: Element | None,
    direction: str | None,
    line: int | None,
    problems: Problems,
    reversal: bool = False,
) -> Decimal | None:
    """The Amt of an element signed by a CdtDbtInd; a reversal moves money the other way."""
    text = _text(amount, "Amt") or ""
    if not _AMOUNT.match(text):
        problems.at(line, None, BAD_AMOUNT, value=text[:40])
        return None
    if direction not in {"CRDT", "DBIT"}:
        problems.at(line, None, BAD_DIRECTION, value=(direction or "")[:40])
        return None
    outward = (direction == "DBIT") != reversal
    return -Decimal(text) if outward else Decimal(text)


def _balance(balance: Element | None, document: _Document, problems: Problems) -> Decimal | None:
    if balance is None:
        return None
    return _signed(balance, _text(balance, "CdtDbtInd"), document.line(balance), problems)


def _day(value: str | None, line: int | None, problems: Problems) -> date | None:
    moment = _moment(value, line, problems)
    return moment.date() if moment else None


def _moment(value: str | None, line: int | None, problems: Problems) -> datetime | None:
    """A Dt or DtTm as naive local time: the wall-clock time the bank wrote."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        problems.at(line, None, BAD_DATE, value=value[:40])
        return None


class _Entry:
    """One Ntry: a line, or one line per transaction when its TxDtls carry amounts of their own."""

    def __init__(self, entry: Element, document: _Document, currency: str, problems: Problems) -> None:
        self.entry = entry
        self.document = document
        self.line_no = document.line(entry)
        self.currency = currency
        self.problems = problems
        self.reversal = (_text(entry, "RvslInd") or "").lower() in {"true", "1"}

    def lines(self) -> list[StatementLine]:
        direction = _text(self.entry, "CdtDbtInd")
        amount = _signed(self.entry, direction, self.line_no, self.problems, self.reversal)
        booking = _text(self.entry, "BookgDt/Dt", "BookgDt/DtTm")
        if booking is None:
            self.problems.at(self.line_no, None, NO_BOOKING_DATE)
        booked = _moment(booking, self.line_no, self.problems)
        if amount is None or booked is None:
            return []
        details = [tx for group in _kids(self.entry, "NtryDtls") for tx in _kids(group, "TxDtls")]
        if len(details) > 1 and all(_own_amount(tx) is not None for tx in details):
            return self._split(amount, booked, details)
        return [self._line(self.line_no, amount, booked, details[0] if details else None, self._reference())]

    def _split(self, amount: Decimal, booked: datetime, details: Sequence[Element]) -> list[StatementLine]:
        lines = []
        entry_reference = self._reference()
        for position, tx in enumerate(details, start=1):
            line_no = self.document.line(tx)
            direction = _text(tx, "CdtDbtInd") or _text(self.entry, "CdtDbtInd")
            tx_amount = _signed(_own_amount(tx), direction, line_no, self.problems, self.reversal)
            if tx_amount is None:
                continue
            # A split entry has one service reference; each part gets one of its own, so the lines stay apart.
            own_reference = _text(tx, "Refs/AcctSvcrRef")
            reference = own_reference or (f"{entry_reference}/{position}" if entry_reference else None)
            lines.append(self._line(line_no, tx_amount, booked, tx, reference))
        total = sum((line.amount for line in lines), Decimal(0))
        if len(lines) == len(details) and total != amount:
            self.problems.at(self.line_no, None, SPLIT_DIFFERS, amount=amount, total=total)
        return lines

    def _reference(self) -> str | None:
        return _text(self.entry, "AcctSvcrRef")

    def _line(
        self,
        line_no: int | None,
        amount: Decimal,
        booked: datetime,
        tx: Element | None,
        reference: str | None,
    ) -> StatementLine:
        party = "Dbtr" if amount > 0 else "Cdtr"
        parties = _kid(tx, "RltdPties")
        agent = _kid(tx, f"RltdAgts/{party}Agt/FinInstnId")
        value = _text(self.entry, "ValDt/Dt", "ValDt/DtTm")
        has_time = _kid(self.entry, "BookgDt/DtTm") is not None
        memo_parts = [
            " ".join(_all_texts(tx, "RmtInf", "Ustrd")),
            " ".join(_all_texts(_kid(tx, "RmtInf/Strd"), "CdtrRefInf", "Ref")),
            _text(tx, "AddtlTxInf"),
            _text(self.entry, "AddtlNtryInf"),
        ]
        return StatementLine(
            line_no=line_no or self.line_no or 0,
            booked_on=booked.date(),
            value_on=_day(value, line_no, self.problems),
            booked_at=booked if has_time else None,
            amount=amount,
            currency=_currency(self.entry) or self.currency,
            counterparty_name=_text(parties, f"{party}/Nm", f"{party}/Pty/Nm"),
            counterparty_account=_text(parties, f"{party}Acct/Id/IBAN", f"{party}Acct/Id/Othr/Id"),
            counterparty_bank=_text(agent, "BICFI", "BIC", "Nm"),
            memo=" / ".join(dict.fromkeys(part for part in memo_parts if part)) or None,
            bank_reference=reference,
        )


def _own_amount(tx: Element) -> Element | None:
    """What holds a transaction's own Amt: itself (from .04 on), or its AmtDtls/TxAmt (.02)."""
    return tx if _kid(tx, "Amt") is not None else _kid(tx, "AmtDtls/TxAmt")


def _all_texts(element: Element | None, container: str, name: str) -> list[str]:
    """The texts of every `name` under every `container` child: RmtInf/Ustrd may repeat."""
    return [
        " ".join(found.text.split())
        for group in _kids(element, container)
        for found in _kids(group, name)
        if found.text and found.text.strip()
    ]
