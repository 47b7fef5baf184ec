"""Cells of a bank's table read as amounts, dates, times, currencies and texts, the ways banks write them."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NoReturn

from backend.core.domain.errors import N_

NOT_AN_AMOUNT = N_("Line %(line)s, column %(column)s: '%(value)s' is not an amount.")
NOT_A_DATE = N_("Line %(line)s, column %(column)s: '%(value)s' is not a date.")
NOT_A_TIME = N_("Line %(line)s, column %(column)s: '%(value)s' is not a time of day.")
NOT_A_CURRENCY = N_("Line %(line)s, column %(column)s: '%(value)s' is not a currency.")
NOT_A_COUNT = N_("Line %(line)s, column %(column)s: '%(value)s' is not a number of lines.")

EXCEL_EPOCH = date(1899, 12, 30)
FIRST_YEAR, LAST_YEAR = 1990, 2199
# What banks put in an empty amount cell.
BLANKS = frozenset({"", "-", "--", "—", "——", "/", "null", "none"})
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%H%M%S")
CURRENCY_NAMES = {
    "人民币": "CNY",
    "人民币元": "CNY",
    "rmb": "CNY",
    "美元": "USD",
    "港币": "HKD",
    "港元": "HKD",
    "欧元": "EUR",
    "日元": "JPY",
    "英镑": "GBP",
    "澳元": "AUD",
    "加元": "CAD",
    "新加坡元": "SGD",
}
_SPACES = re.compile(r"\s+")
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
_MONEY_MARKS = re.compile(r"(?i)rmb|cny|[¥$元\s]")
_PLAIN_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^\.\d+$")
_ISO_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNT = re.compile(r"^共?(\d+)笔?$")
# Minus signs that NFKC leaves alone.
_MINUS = str.maketrans({"−": "-", "–": "-"})


class CellError(ValueError):
    """A cell that cannot be read as its kind; `message` names the line and column through its params."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def plain(value: object) -> str:
    """Text as compared and parsed: NFKC (full-width digits and punctuation become ASCII), trimmed."""
    text = unicodedata.normalize("NFKC", str(value)).translate(_MINUS).strip()
    match = _EXCEL_TEXT.match(text)
    return match.group(1).replace('""', '"').strip() if match else text


def header_key(value: object) -> str:
    """A header or label as matched: plain, without any white space, case-folded."""
    return _SPACES.sub("", plain(value)).casefold() if value is not None else ""


def is_blank(value: object) -> bool:
    """Whether a cell holds nothing."""
    return value is None or (isinstance(value, str) and not plain(value))


def text(value: object) -> str | None:
    """A cell as trimmed text on one line, None when blank; whole numbers from a workbook lose their `.0`.

    Unlike amounts and dates, names and memos keep their full-width punctuation: （上海） stays as written.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() and abs(value) < 1e15 else format(value, ".15g")
    if isinstance(value, datetime | date | time):
        value = value.isoformat()
    cleaned = " ".join(str(value).split())
    match = _EXCEL_TEXT.match(cleaned)
    return (match.group(1).replace('""', '"').strip() if match else cleaned) or None


def shown(value: object) -> str:
    """A cell's value as quoted in a message, cut short."""
    raw = "" if value is None else str(value).strip()
    return raw if len(raw) <= 40 else raw[:39] + "…"


def amount(value: object) -> Decimal | None:
    """An amount, None when blank: ¥, 元, thousands separators; (brackets) or a trailing − mean negative."""
    if isinstance(value, bool):
        raise CellError(NOT_AN_AMOUNT)
    if isinstance(value, int | Decimal):
        return _finite(Decimal(value))
    if isinstance(value, float):
        # A workbook keeps amounts as binary floats; 15 significant digits is what Excel itself shows.
        return _finite(Decimal(format(value, ".15g"))) if math.isfinite(value) else _refused()
    if value is None:
        return None
    cleaned = _MONEY_MARKS.sub("", plain(value))
    if cleaned.casefold() in BLANKS:
        return None
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned, negative = cleaned[1:-1], True
    elif cleaned.endswith("-"):
        cleaned, negative = cleaned[:-1], True
    if cleaned[:1] in {"+", "-"}:
        negative ^= cleaned[0] == "-"
        cleaned = cleaned[1:]
    if not _PLAIN_NUMBER.match(cleaned):
        raise CellError(NOT_AN_AMOUNT)
    number = Decimal(cleaned.replace(",", ""))
    return -number if negative else number


def _finite(number: Decimal) -> Decimal:
    return number if number.is_finite() else _refused()


def _refused() -> NoReturn:
    raise CellError(NOT_AN_AMOUNT)


def day_and_time(value: object, formats: Sequence[str]) -> tuple[date, datetime | None] | None:
    """A date, and the moment when the cell also gives a time; None when blank.

    Text in any of `formats`, optionally followed by a time; Excel date cells; 20260301 as a number.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _in_range(value.date()), (value.replace(tzinfo=None) if value.time() != time() else None)
    if isinstance(value, date):
        return _in_range(value), None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _from_number(value, formats)
    return _from_text(_SPACES.sub(" ", plain(value)), formats)


def _from_text(cleaned: str, formats: Sequence[str]) -> tuple[date, datetime | None] | None:
    if not cleaned:
        return None
    day_text, _, time_text = cleaned.replace("T", " ", 1).partition(" ")
    day = _in_range(_strptime(day_text, formats, NOT_A_DATE).date())
    if not time_text:
        return day, None
    moment = _strptime(time_text, TIME_FORMATS, NOT_A_DATE).time()
    return day, datetime.combine(day, moment)


def _from_number(value: float | Decimal, formats: Sequence[str]) -> tuple[date, datetime | None]:
    if not (isinstance(value, int) or Decimal(value) == int(value)):
        raise CellError(NOT_A_DATE)
    number = int(value)
    if 10_000_000 <= number <= 99_999_999:
        return day_and_time(str(number), formats) or _not_a_date()
    if 1 <= number <= 2_958_465:
        return _in_range(EXCEL_EPOCH + timedelta(days=number)), None
    raise CellError(NOT_A_DATE)


def _not_a_date() -> NoReturn:
    raise CellError(NOT_A_DATE)


def _in_range(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CellError(NOT_A_DATE)
    return day


def _strptime(value: str, formats: Sequence[str], error: str) -> datetime:
    for pattern in formats:
        try:
            # A bank writes its local wall-clock time; it stays naive, as StatementLine.booked_at says.
            return datetime.strptime(value, pattern)  # noqa: DTZ007
        except ValueError:
            continue
    raise CellError(error)


def time_of_day(value: object) -> time | None:
    """A time of day from a time column (10:22:31, 102231, or a workbook's time or date-time cell)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    cleaned = plain(value)
    if not cleaned:
        return None
    if " " in cleaned:  # a date-time in the time column
        cleaned = cleaned.rpartition(" ")[2]
    return _strptime(cleaned, TIME_FORMATS, NOT_A_TIME).time()


def currency(value: object) -> str | None:
    """An ISO currency code from a code or a Chinese name (人民币 → CNY); None when blank."""
    cleaned = header_key(value)
    if not cleaned:
        return None
    if cleaned in CURRENCY_NAMES:
        return CURRENCY_NAMES[cleaned]
    if _ISO_CURRENCY.match(cleaned.upper()):
        return cleaned.upper()
    raise CellError(NOT_A_CURRENCY)


def count(value: object) -> int:
    """A number of lines as a bank states it: 12, 12笔, 共12笔."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    match = _COUNT.match(header_key(value))
    if not match:
        raise CellError(NOT_A_COUNT)
    return int(match.group(1))
