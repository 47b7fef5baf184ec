"""Codes typed as free text: normalisation, an editable alias table, and strict parsing into enums."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from backend.core.domain.errors import N_, Message, ValidationFailed

_SEPARATORS = re.compile(r"[\s\-_‐‑‒–—―－]+")
# Ideographs and kana, between which a space means nothing (季 付 is 季付).
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")

E = TypeVar("E", bound=StrEnum)

UNKNOWN_CODE = N_("Unknown value “%(value)s”; accepted values: %(accepted)s.")
MISCONFIGURED_ALIAS = N_("The alias “%(value)s” points to “%(target)s”, which is not an accepted value.")


def normalise(text: str) -> str:
    """NFKC, casefold, drop invisible format characters (zero-width spaces, soft hyphens), collapse runs of
    whitespace, hyphens and underscores into one space, drop spaces next to CJK characters, and trim."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return _SPACE_BY_CJK.sub("", _SEPARATORS.sub(" ", visible).strip())


BUILTIN_ALIAS = N_("“%(alias)s” is a built-in alias of %(canonical)s; it cannot be redefined.")
CANONICAL_CODE = N_("“%(alias)s” is a %(domain)s code itself; it cannot be an alias.")
OTHER_MEANING = N_("“%(alias)s” already means %(canonical)s.")


def alias_clash(
    domain: str,
    alias: str,
    canonical: str,
    accepted: type[StrEnum],
    existing: Mapping[str, str],
) -> Message | None:
    """Why an organisation may not add `alias` → `canonical`, or None when it may.

    Canonical codes and built-in aliases are never shadowed, whatever case, width or spacing the new alias
    uses; an alias the organisation added already keeps its meaning until it is removed.
    """
    key = normalise(alias)
    if any(normalise(member.value) == key for member in accepted):
        return Message(CANONICAL_CODE, alias=alias, domain=domain)
    builtin = {normalise(k): v for k, v in DEFAULT_ALIASES.get(domain, {}).items()}
    if key in builtin:
        return Message(BUILTIN_ALIAS, alias=alias, canonical=builtin[key])
    taken = {normalise(k): v for k, v in existing.items()}.get(key)
    if taken is not None and taken != canonical:
        return Message(OTHER_MEANING, alias=alias, canonical=taken)
    return None


def parse_code(field: str, value: str, accepted: type[E], aliases: Mapping[str, str]) -> E:
    """The member of `accepted` that `value` names, directly or by an alias; `ValidationFailed` otherwise."""
    key = normalise(value)
    for member in accepted:
        if normalise(member.value) == key:
            return member
    target = {normalise(alias): canonical for alias, canonical in aliases.items()}.get(key)
    choices = ", ".join(member.value for member in accepted)
    if target is None:
        raise ValidationFailed.single(field, Message(UNKNOWN_CODE, value=value, accepted=choices))
    for member in accepted:
        if member.value == target:
            return member
    raise ValidationFailed.single(field, Message(MISCONFIGURED_ALIAS, value=value, target=target))


DEFAULT_ALIASES: dict[str, dict[str, str]] = {
    "frequency": {
        # monthly
        "每月": "monthly",
        "月付": "monthly",
        "按月": "monthly",
        "按月付": "monthly",
        "按月支付": "monthly",
        "一月一次": "monthly",
        "一个月一次": "monthly",
        "每个月": "monthly",
        "月缴": "monthly",
        "every month": "monthly",
        "per month": "monthly",
        "month": "monthly",
        "monthly in advance": "monthly",
        "pcm": "monthly",
        # bimonthly
        "两月一次": "bimonthly",
        "两个月一次": "bimonthly",
        "每两个月": "bimonthly",
        "每两月": "bimonthly",
        "双月付": "bimonthly",
        "双月": "bimonthly",
        "两月付": "bimonthly",
        "二月一付": "bimonthly",
        "bi-monthly": "bimonthly",
        "bi monthly": "bimonthly",
        "every 2 months": "bimonthly",
        "every two months": "bimonthly",
        "every other month": "bimonthly",
        # quarterly
        "季付": "quarterly",
        "按季": "quarterly",
        "按季付": "quarterly",
        "按季度": "quarterly",
        "每季": "quarterly",
        "每季度": "quarterly",
        "季度": "quarterly",
        "三个月一次": "quarterly",
        "三月一次": "quarterly",
        "押一付三": "quarterly",
        "quarterly": "quarterly",
        "quarter": "quarterly",
        "every 3 months": "quarterly",
        "every three months": "quarterly",
        "per quarter": "quarterly",
        # semiannual
        "半年付": "semiannual",
        "每半年": "semiannual",
        "按半年": "semiannual",
        "半年一次": "semiannual",
        "六个月一次": "semiannual",
        "押一付六": "semiannual",
        "semi-annual": "semiannual",
        "semi-annually": "semiannual",
        "semiannually": "semiannual",
        "half-yearly": "semiannual",
        "biannual": "semiannual",
        "every 6 months": "semiannual",
        "every six months": "semiannual",
        # annual
        "年付": "annual",
        "每年": "annual",
        "按年": "annual",
        "按年付": "annual",
        "一年一次": "annual",
        "押一付十二": "annual",
        "annually": "annual",
        "yearly": "annual",
        "per year": "annual",
        "per annum": "annual",
        "every year": "annual",
        "every 12 months": "annual",
        # one-off
        "一次性": "one_off",
        "一次性付清": "one_off",
        "一次付清": "one_off",
        "单次": "one_off",
        "one-off": "one_off",
        "one off": "one_off",
        "once": "one_off",
        "one time": "one_off",
        "one-time": "one_off",
        "lump sum": "one_off",
    },
    "timing": {
        "预付": "prepaid",
        "先付": "prepaid",
        "提前支付": "prepaid",
        "先付后用": "prepaid",
        "预交": "prepaid",
        "in advance": "prepaid",
        "advance": "prepaid",
        "pre-paid": "prepaid",
        "upfront": "prepaid",
        "后付": "arrears",
        "到期支付": "arrears",
        "期末支付": "arrears",
        "后付费": "arrears",
        "先用后付": "arrears",
        "in arrears": "arrears",
        "in arrear": "arrears",
        "postpaid": "arrears",
        "post-paid": "arrears",
    },
    "business_day_rule": {
        "不调整": "none",
        "不顺延": "none",
        "no adjustment": "none",
        "unadjusted": "none",
        "顺延": "following",
        "遇节假日顺延": "following",
        "节假日顺延": "following",
        "顺延至下一工作日": "following",
        "following": "following",
        "following business day": "following",
        "next business day": "following",
        "修正顺延": "modified_following",
        "修正后顺延": "modified_following",
        "modified following": "modified_following",
        "modified-following": "modified_following",
        "mod following": "modified_following",
    },
    "charge_type": {
        "租金": "rent",
        "房租": "rent",
        "基本租金": "rent",
        "rent": "rent",
        "base rent": "rent",
        "物业费": "service_fee",
        "管理费": "service_fee",
        "物业管理费": "service_fee",
        "服务费": "service_fee",
        "service fee": "service_fee",
        "service charge": "service_fee",
        "management fee": "service_fee",
        "property management fee": "service_fee",
        "停车费": "parking",
        "车位费": "parking",
        "车位租金": "parking",
        "停车位": "parking",
        "parking": "parking",
        "parking fee": "parking",
        "car park": "parking",
        "其他": "other",
        "其它": "other",
        "杂费": "other",
        "other": "other",
        "misc": "other",
        "miscellaneous": "other",
    },
}
