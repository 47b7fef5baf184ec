"""Bank profiles: how one bank lays out its statement tables, as data that can be stored and edited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from backend.core.domain.errors import N_, Message, ValidationFailed

# The fields a table column can hold. payer_*/payee_* are for banks that list both parties of each transfer
# (one of them is us): the counterparty is the payer of money in and the payee of money out.
TABLE_FIELDS = (
    "booked_on",
    "booked_at",
    "value_on",
    "debit",
    "credit",
    "amount",
    "direction",
    "counterparty_name",
    "counterparty_account",
    "counterparty_bank",
    "payer_name",
    "payer_account",
    "payer_bank",
    "payee_name",
    "payee_account",
    "payee_bank",
    "memo",
    "bank_reference",
    "balance_after",
    "currency",
)
# Labelled values around the table: the account block above it, and the closing balance also below it.
ACCOUNT_FIELDS = (
    "account_number",
    "account_name",
    "currency",
    "opening_balance",
    "closing_balance",
    "period",
    "period_start",
    "period_end",
)
# Labelled totals in the summary rows below the table.
SUMMARY_FIELDS = ("total_debits", "total_credits", "line_count", "debit_count", "credit_count")

DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
SUMMARY_MARKERS = (
    "合计",
    "总计",
    "小计",
    "本页小计",
    "本页合计",
    "累计",
    "共",
    "借方合计",
    "贷方合计",
    "借方笔数",
    "贷方笔数",
    "合计笔数",
    "总笔数",
    "交易笔数",
    "期末余额",
    "打印",
    "制表",
    "注:",
    "说明:",
)
ACCOUNT_MARKERS: dict[str, tuple[str, ...]] = {
    "account_number": ("账号", "帐号", "账户", "卡号/账号", "卡号", "本方账号", "查询账号", "账户号码"),
    "account_name": ("户名", "账户名称", "账户名", "单位名称", "客户名称", "本方户名", "公司名称"),
    "currency": ("币种", "币别", "货币", "账户币种"),
    "opening_balance": ("期初余额", "上期余额", "起始余额", "期初金额"),
    "closing_balance": ("期末余额", "本期余额", "期末金额"),
    "period": ("起止日期", "查询区间", "查询期间", "查询日期", "交易日期范围", "日期范围", "查询时间段"),
    "period_start": ("起始日期", "开始日期", "起始时间"),
    "period_end": ("结束日期", "终止日期", "截止日期", "终止时间"),
}
SUMMARY_LABELS: dict[str, tuple[str, ...]] = {
    "total_debits": (
        "借方合计",
        "借方发生额合计",
        "借方总金额",
        "借方总额",
        "支出合计",
        "支出总额",
        "总支出",
    ),
    "total_credits": (
        "贷方合计",
        "贷方发生额合计",
        "贷方总金额",
        "贷方总额",
        "收入合计",
        "收入总额",
        "总收入",
    ),
    "line_count": ("合计笔数", "总笔数", "交易笔数", "笔数", "记录数"),
    "debit_count": ("借方笔数", "支出笔数"),
    "credit_count": ("贷方笔数", "收入笔数"),
}
KEYS = frozenset(
    {
        "code",
        "name",
        "header_aliases",
        "direction_credit_values",
        "direction_debit_values",
        "signed_amounts",
        "date_formats",
        "summary_markers",
        "account_markers",
        "summary_labels",
    }
)
MAX_TEXTS = 60
MAX_TEXT_LENGTH = 100

UNKNOWN_KEY = N_("Unknown key; accepted: %(accepted)s.")
NOT_A_NAME = N_("Must be a text of 1 to %(max)s characters.")
NOT_TEXTS = N_("Must be a list of at most %(count)s texts of 1 to %(max)s characters each.")
NO_TEXTS = N_("Must name at least one header text.")
NOT_A_MAPPING = N_("Must map names to lists of texts.")
NOT_A_FLAG = N_("Must be true or false.")
BAD_DATE_FORMAT = N_("'%(value)s' is not a date format such as %%Y-%%m-%%d.")
NO_DATE_COLUMN = N_("Name the headers of the booking date (booked_on).")
NO_AMOUNT_COLUMNS = N_("Name the headers of debit and credit, or of the amount.")
NO_DIRECTION = N_(
    "An amount without a sign needs the headers of the direction and its credit and debit values."
)
DIRECTION_OVERLAP = N_("'%(value)s' cannot mean both credit and debit.")


@dataclass(frozen=True, kw_only=True)
class BankProfile:
    """How a bank's online banking exports its 明细: the header texts of each field, and the words around."""

    code: str
    name: str
    header_aliases: Mapping[str, tuple[str, ...]]  # our field → the header texts, preferred first
    direction_credit_values: tuple[str, ...] = ()
    direction_debit_values: tuple[str, ...] = ()
    signed_amounts: bool = False  # whether an amount column without a direction column carries its sign
    date_formats: tuple[str, ...] = DATE_FORMATS
    summary_markers: tuple[str, ...] = SUMMARY_MARKERS
    account_markers: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(ACCOUNT_MARKERS))
    summary_labels: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(SUMMARY_LABELS))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BankProfile:
        """A profile from its stored form; refuses naming every bad key."""
        errors: dict[str, list[str]] = {}
        for key in sorted(set(data) - KEYS):
            errors[key] = [Message(UNKNOWN_KEY, accepted=", ".join(sorted(KEYS)))]
        profile = cls(
            code=_name(data, "code", errors),
            name=_name(data, "name", errors),
            header_aliases=_mapping(data, "header_aliases", TABLE_FIELDS, errors, {}),
            direction_credit_values=_texts(data, "direction_credit_values", errors, ()),
            direction_debit_values=_texts(data, "direction_debit_values", errors, ()),
            signed_amounts=_flag(data, "signed_amounts", errors),
            date_formats=_date_formats(data, errors),
            summary_markers=_texts(data, "summary_markers", errors, SUMMARY_MARKERS),
            account_markers=_mapping(data, "account_markers", ACCOUNT_FIELDS, errors, ACCOUNT_MARKERS),
            summary_labels=_mapping(data, "summary_labels", SUMMARY_FIELDS, errors, SUMMARY_LABELS),
        )
        if not any(key.startswith("header_aliases") for key in errors):
            errors.update(profile._layout_errors())
        if errors:
            raise ValidationFailed(errors)
        return profile

    def to_dict(self) -> dict[str, Any]:
        """The profile as plain data (lists and dicts of texts), ready for JSON."""
        return {
            "code": self.code,
            "name": self.name,
            "header_aliases": {name: list(texts) for name, texts in self.header_aliases.items()},
            "direction_credit_values": list(self.direction_credit_values),
            "direction_debit_values": list(self.direction_debit_values),
            "signed_amounts": self.signed_amounts,
            "date_formats": list(self.date_formats),
            "summary_markers": list(self.summary_markers),
            "account_markers": {name: list(texts) for name, texts in self.account_markers.items()},
            "summary_labels": {name: list(texts) for name, texts in self.summary_labels.items()},
        }

    def _layout_errors(self) -> dict[str, list[str]]:
        """What keeps the headers from describing a readable table."""
        aliases = self.header_aliases
        problems: list[str] = []
        if "booked_on" not in aliases:
            problems.append(NO_DATE_COLUMN)
        if not ({"debit", "credit"} <= aliases.keys() or "amount" in aliases):
            problems.append(NO_AMOUNT_COLUMNS)
        has_direction = (
            "direction" in aliases and self.direction_credit_values and self.direction_debit_values
        )
        if "amount" in aliases and not self.signed_amounts and not has_direction:
            problems.append(NO_DIRECTION)
        errors = {"header_aliases": problems} if problems else {}
        both = set(self.direction_credit_values) & set(self.direction_debit_values)
        if both:
            errors["direction_debit_values"] = [Message(DIRECTION_OVERLAP, value=sorted(both)[0])]
        return errors


def _name(data: Mapping[str, Any], key: str, errors: dict[str, list[str]]) -> str:
    value = data.get(key)
    if isinstance(value, str) and 0 < len(value.strip()) <= MAX_TEXT_LENGTH:
        return value.strip()
    errors[key] = [Message(NOT_A_NAME, max=MAX_TEXT_LENGTH)]
    return ""


def _flag(data: Mapping[str, Any], key: str, errors: dict[str, list[str]]) -> bool:
    value = data.get(key, False)
    if isinstance(value, bool):
        return value
    errors[key] = [NOT_A_FLAG]
    return False


def _text_list(value: object) -> tuple[str, ...] | None:
    """The texts of a JSON list, or None when it is not a short list of short non-empty texts."""
    if not isinstance(value, list | tuple) or len(value) > MAX_TEXTS:
        return None
    if not all(isinstance(text, str) and 0 < len(text.strip()) <= MAX_TEXT_LENGTH for text in value):
        return None
    return tuple(text.strip() for text in value)


def _texts(
    data: Mapping[str, Any], key: str, errors: dict[str, list[str]], default: tuple[str, ...]
) -> tuple[str, ...]:
    if key not in data:
        return default
    texts = _text_list(data[key])
    if texts is None:
        errors[key] = [Message(NOT_TEXTS, count=MAX_TEXTS, max=MAX_TEXT_LENGTH)]
        return default
    return texts


def _mapping(
    data: Mapping[str, Any],
    key: str,
    names: tuple[str, ...],
    errors: dict[str, list[str]],
    default: Mapping[str, tuple[str, ...]],
) -> dict[str, tuple[str, ...]]:
    value = data.get(key, default)
    if not isinstance(value, Mapping):
        errors[key] = [NOT_A_MAPPING]
        return dict(default)
    found: dict[str, tuple[str, ...]] = {}
    for name, texts in value.items():
        where = f"{key}.{name}"
        listed = _text_list(texts)
        if name not in names:
            errors[where] = [Message(UNKNOWN_KEY, accepted=", ".join(names))]
        elif listed is None:
            errors[where] = [Message(NOT_TEXTS, count=MAX_TEXTS, max=MAX_TEXT_LENGTH)]
        elif not listed:
            errors[where] = [NO_TEXTS]
        else:
            found[name] = listed
    return found


def _date_formats(data: Mapping[str, Any], errors: dict[str, list[str]]) -> tuple[str, ...]:
    formats = _texts(data, "date_formats", errors, DATE_FORMATS)
    sample = date(2026, 3, 1)
    for pattern in formats:
        try:
            # A format is good when a date written with it reads back as that date.
            parsed = datetime.strptime(sample.strftime(pattern), pattern).date()  # noqa: DTZ007
        except ValueError:
            parsed = None
        if "%" not in pattern or parsed != sample:
            errors["date_formats"] = [Message(BAD_DATE_FORMAT, value=pattern)]
            return DATE_FORMATS
    return formats
