"""Spreadsheet cells read as typed values: text, lists, dates, amounts, percentages, integers, codes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from backend.core.domain.errors import N_, Message, ValidationFailed
from backend.leasing.domain import codes

LIST_SEPARATORS = re.compile(r"[;；,，、\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0?0:00(?::00)?)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_CURRENCY = re.compile(r"(?i)rmb|cny|[¥￥元,，\s_]")
MAX_MONEY = Decimal("999999999999.99")
EXCEL_EPOCH = date(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; carries the message for the report."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_blank(value: object) -> bool:
    """Whether a cell holds nothing (None, or only white space)."""
    return value is None or (isinstance(value, str) and not value.strip())


def to_text(value: object, max_length: int = 64) -> str:
    """A cell as trimmed text; whole numbers lose Excel's `.0`."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if _CONTROL.search(text):
        raise CellError(N_("Control characters are not accepted."))
    if len(text) > max_length:
        raise CellError(Message(N_("Longer than maximum length %(max)s."), max=max_length))
    return text


def to_date(value: object) -> date:
    """A date from an Excel date cell or serial number, or text: 2026-01-31, 2026/1/31, 2026年1月31日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= value <= 2958465:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(N_("Not a date; write 2026-01-31, 2026/1/31 or 2026年1月31日."))
    match = _DATE.match(str(value).strip())
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(N_("Not a date; write 2026-01-31, 2026/1/31 or 2026年1月31日."))


def _decimal(value: object, strip: re.Pattern[str]) -> Decimal:
    if isinstance(value, bool):
        raise CellError(N_("Not a valid number."))
    if isinstance(value, int):
        return Decimal(value)
    text = strip.sub("", repr(value) if isinstance(value, float) else str(value))
    if not _NUMBER.match(text):
        raise CellError(N_("Not a valid number."))
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise CellError(N_("Not a valid number.")) from None


def to_money(value: object) -> Decimal:
    """An amount: ¥, 元, RMB and thousands separators accepted; at most two decimals, not negative."""
    amount = _decimal(value, _CURRENCY)
    if amount < 0 or amount > MAX_MONEY:
        raise CellError(Message(N_("Must lie between %(min)s and %(max)s."), min=0, max=MAX_MONEY))
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(N_("Use at most two decimal places."))
    return amount.quantize(Decimal("0.01"))


def to_percent(value: object) -> Decimal:
    """A percentage: 5 and 5% both mean five percent."""
    percent = _decimal(value, re.compile(r"[%％\s]"))
    if not Decimal(-100) < percent <= Decimal(100):
        raise CellError(Message(N_("Must lie between %(min)s and %(max)s."), min=-100, max=100))
    if percent != percent.quantize(Decimal("0.0001")):
        raise CellError(N_("Use at most four decimal places."))
    return percent


def to_integer(value: object, bounds: tuple[int, int] | None = None) -> int:
    """A whole number, within bounds when given."""
    number = _decimal(value, re.compile(r"\s"))
    if number != number.to_integral_value():
        raise CellError(N_("Not a valid integer."))
    if bounds and not bounds[0] <= number <= bounds[1]:
        raise CellError(Message(N_("Must lie between %(min)s and %(max)s."), min=bounds[0], max=bounds[1]))
    return int(number)


def to_list(value: object, max_length: int = 64) -> tuple[str, ...]:
    """Several values in one cell, separated by ; ； , ， or 、 (duplicates dropped)."""
    parts = (to_text(part, max_length) for part in LIST_SEPARATORS.split(to_text(value, 2000)))
    return tuple(dict.fromkeys(part for part in parts if part))


def to_code(value: object, accepted: type[codes.E], aliases: Mapping[str, str]) -> codes.E:
    """A free-text code through the alias table; otherwise the value and the accepted values are named."""
    text = to_text(value, 100)
    try:
        return codes.parse_code("value", text, accepted, aliases)
    except ValidationFailed as exc:
        choices = ", ".join(member.value for member in accepted)
        if exc.fields["value"][0] == codes.UNKNOWN_CODE % {"value": text, "accepted": choices}:
            raise CellError(Message(codes.UNKNOWN_CODE, value=text, accepted=choices)) from None
        raise CellError(exc.fields["value"][0]) from None
