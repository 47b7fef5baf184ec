"""What people type into bank lines, made comparable: company names, account numbers, bill numbers."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

# Provinces, autonomous regions and the main cities, as company names start with them (上海某某有限公司).
_PLACE_NAMES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 "
    "河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 "
    "宁夏 新疆 香港 澳门 内蒙古自治区 广西壮族自治区 西藏自治区 宁夏回族自治区 "
    "新疆维吾尔自治区 香港特别行政区 澳门特别行政区 广州 深圳 杭州 南京 苏州 成都 "
    "武汉 西安 郑州 长沙 沈阳 青岛 宁波 厦门 大连 济南 哈尔滨 长春 福州 合肥 昆明 "
    "南昌 南宁 贵阳 石家庄 太原 兰州 无锡 佛山 东莞 珠海 常州 温州 烟台 泉州 "
    "呼和浩特 乌鲁木齐 海口 三亚 银川 西宁 拉萨 嘉兴 绍兴 金华 台州 南通 徐州 扬州 "
    "惠州 中山 唐山 保定 潍坊 洛阳"
)
# 市 ends a place unless it starts a word: 上海市政工程 is 上海 + 市政工程, not 上海市 + 政工程.
_PLACE = "(?:" + "|".join(sorted(_PLACE_NAMES.split(), key=len, reverse=True)) + ")(?:省|市(?!政|场))?"
_LEADING_PLACE = re.compile(f"^{_PLACE}")
_TRAILING_PLACE = re.compile(f"{_PLACE}$")
_NOT_WORD = re.compile(r"[\W_]+")
# 股份有限公司 and 有限责任公司 are both a 有限公司 for telling who paid; Latin names get the same treatment.
_CHINESE_SUFFIX = re.compile("股份有限公司|有限责任公司")
_LATIN_SUFFIX = re.compile(r"\b(?:co(?:mpany)?\b[\s.,]*)?(?:ltd|limited)\b\.?")
_COMPANY = "有限公司"
_BRANCH = "分公司"
_ENTITY_SUFFIX = re.compile(f"(?:{_COMPANY}|公司|ltd)$")

T = TypeVar("T", bound=Hashable)

_REFERENCE_RUN = re.compile(r"[A-Z0-9]+(?:[\s\-_‐‑‒–—―/.]+[A-Z0-9]+)*")
_REFERENCE_PIECE = re.compile(r"[A-Z]+|[0-9]+")
_NOT_REFERENCE = re.compile(r"[^A-Z0-9]+")
_ASCII_SEPARATORS = str.maketrans("", "", " -_/.")


@dataclass(frozen=True, slots=True)
class PayerName:
    """A payer's name three ways: the key for an exact match, its legal entity for likeness, its branch."""

    key: str
    entity: str
    branch: str | None


def payer_name(text: str) -> PayerName:
    """Normalise a company or person name: NFKC, no spaces or punctuation, one suffix, no leading place."""
    folded = _LATIN_SUFFIX.sub(" ltd", unicodedata.normalize("NFKC", text).casefold())
    compact = _CHINESE_SUFFIX.sub(_COMPANY, _NOT_WORD.sub("", folded))
    key = _without_place(compact)
    if not compact.endswith(_BRANCH) or len(compact) == len(_BRANCH):
        return PayerName(key, _entity(key), None)
    parent, branch = _split_branch(compact.removesuffix(_BRANCH))
    return PayerName(key, _entity(_without_place(parent)), branch)


def _without_place(name: str) -> str:
    """The name without up to two leading places (广东省深圳市…); a name that is only a place stays."""
    for _ in range(2):
        rest = _LEADING_PLACE.sub("", name, count=1)
        if len(rest) < 2:
            break
        name = rest
    return name


def _split_branch(head: str) -> tuple[str, str]:
    """`上海某某有限公司北京` → the parent `上海某某有限公司` and the branch's place `北京`."""
    cut = head.rfind(_COMPANY)
    if cut >= 0 and cut + len(_COMPANY) < len(head):
        return head[: cut + len(_COMPANY)], head[cut + len(_COMPANY) :]
    if cut >= 0:
        return head, ""
    parent = _TRAILING_PLACE.sub("", head)
    return (parent, head[len(parent) :]) if len(parent) >= 2 else (head, "")


def _entity(key: str) -> str:
    """The legal entity a key names, without its company suffix, which only adds likeness."""
    bare = _ENTITY_SUFFIX.sub("", key)
    return bare if bare else key


def account_key(text: str) -> str:
    """An account number as digits and capitals only: banks print them grouped, with dashes, full-width."""
    if text.isascii():
        # The common case, written with ASCII separators only, needs no regular expression.
        folded = text.upper().translate(_ASCII_SEPARATORS)
        return folded if folded.isalnum() else _NOT_REFERENCE.sub("", folded)
    return _NOT_REFERENCE.sub("", unicodedata.normalize("NFKC", text).upper())


def reference_key(number: str) -> str:
    """A bill or lease number as it is compared: capitals and digits, without separators."""
    return account_key(number)


class ReferenceBook(Generic[T]):
    """Bill and lease numbers with what each stands for, found in memos however people type them.

    A memo writes `SH-LJZ-202603-0007` as "sh ljz 202603 0007", "SHLJZ2026030007" or inside Chinese text, so
    runs of adjacent letter and digit groups are joined and looked up; joining whole groups only means that
    `…-0007` is never found inside `…-00071`.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, list[T]] = {}
        self._shortest = self._longest = 0

    def add(self, number: str, value: T) -> None:
        """Record that `number` stands for `value` (a number may stand for several)."""
        key = reference_key(number)
        if not key:
            return
        self._by_key.setdefault(key, []).append(value)
        self._shortest = min(self._shortest or len(key), len(key))
        self._longest = max(self._longest, len(key))

    def find(self, memo: str) -> list[T]:
        """What the numbers in `memo` stand for, each once, in the order found."""
        found: dict[T, None] = {}
        text = memo.upper() if memo.isascii() else unicodedata.normalize("NFKC", memo).upper()
        for run in _REFERENCE_RUN.findall(text):
            pieces = _REFERENCE_PIECE.findall(run)
            for start in range(len(pieces)):
                key = ""
                for piece in pieces[start:]:
                    key += piece
                    if len(key) > self._longest:
                        break
                    if len(key) >= self._shortest and key in self._by_key:
                        found.update(dict.fromkeys(self._by_key[key]))
        return list(found)


def customers_by_key(pairs: Iterable[tuple[str, int | frozenset[int]]]) -> dict[str, frozenset[int]]:
    """Normalised keys, each with every customer any of its spellings names; empty keys say nothing."""
    grouped: dict[str, set[int]] = defaultdict(set)
    for key, customers in pairs:
        if key:
            grouped[key].update(customers if isinstance(customers, frozenset) else {customers})
    return {key: frozenset(customers) for key, customers in grouped.items()}


class NameBook:
    """Customers' legal names and payer aliases: exactly, to tell who paid; by likeness, to suggest."""

    def __init__(self, names: Mapping[int, str], aliases: Mapping[str, int | frozenset[int]]) -> None:
        legal = [(payer_name(name), customer) for customer, name in names.items()]
        aliased = [(payer_name(alias), customers) for alias, customers in aliases.items()]
        self._legal = customers_by_key((name.key, customer) for name, customer in legal)
        self._aliases = customers_by_key((name.key, customers) for name, customers in aliased)
        self._entities = customers_by_key((name.entity, owner) for name, owner in [*legal, *aliased])
        holding: dict[str, list[str]] = defaultdict(list)
        for entity in self._entities:
            for char in set(entity):
                holding[char].append(entity)
        self._holding = dict(holding)
        self._alike: dict[tuple[str, float], dict[int, tuple[float, str]]] = {}

    def legal(self, payer: PayerName) -> frozenset[int]:
        """The customers whose legal name is the payer's."""
        return self._legal.get(payer.key, frozenset())

    def aliased(self, payer: PayerName) -> frozenset[int]:
        """The customers the payer is registered to pay for."""
        return self._aliases.get(payer.key, frozenset())

    def resembling(self, entity: str, cutoff: float) -> dict[int, tuple[float, str]]:
        """The customers whose names score `cutoff` or more against `entity`, with best score and key."""
        if (entity, cutoff) not in self._alike:
            self._alike[entity, cutoff] = self._resembling(entity, cutoff)
        return self._alike[entity, cutoff]

    def _resembling(self, entity: str, cutoff: float) -> dict[int, tuple[float, str]]:
        best: dict[int, tuple[float, str]] = {}
        candidates = self._sharing(entity, cutoff)
        for key, score, _ in process.extract(
            entity, candidates, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=None
        ):
            for customer in self._entities[key]:
                best[customer] = max(best.get(customer, (0.0, "")), (score, key))
        return best

    def _sharing(self, entity: str, cutoff: float) -> list[str]:
        """The entity keys that may score `cutoff` against `entity`, found by the characters they share.

        fuzz.ratio is 200 × LCS / (both lengths), and the LCS is at most the characters both hold, so a
        key scoring `cutoff` holds `needed` of the entity's characters. It therefore holds one of the
        rarest few that leave fewer than `needed` aside, and few keys hold those.
        """
        # Rounded down a hair: a float just above a whole number must not ask for a character too many.
        needed = math.ceil(cutoff * len(entity) / (200 - cutoff) - 1e-9) if cutoff < 100 else len(entity)
        if needed < 1:
            return list(self._entities)
        found: set[str] = set()
        aside = len(entity)
        for char, times in sorted(
            Counter(entity).items(), key=lambda pair: len(self._holding.get(pair[0], ()))
        ):
            if aside < needed:
                break
            found.update(self._holding.get(char, ()))
            aside -= times
        # In any order: the best score per customer, ties to the greater key, does not depend on it.
        return list(found)
