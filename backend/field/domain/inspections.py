"""Inspection checklists and the rules an inspection's answers must follow.

An item's number range (min/max) is the range the reading should lie in: a reading outside it is a
finding that fails the inspection, not bad input, because the inspector must be able to report it.
Numbers that cannot be a reading at all (not finite, beyond the stored precision) are refused.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.core.domain.errors import N_, ValidationFailed

NUMBER_LIMIT = Decimal(10) ** 12
NUMBER_PLACES = 4
MAX_PHOTOS_PER_ANSWER = 20
MAX_TEXT_LENGTH = 2000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class ItemKind(enum.StrEnum):
    """What an inspector records for a checklist item."""

    PASS_FAIL = "pass_fail"  # noqa: S105 - not a password
    NUMBER = "number"
    TEXT = "text"
    PHOTO = "photo"


class InspectionResult(enum.StrEnum):
    """The overall outcome of an inspection."""

    PASS = "pass"  # noqa: S105 - not a password
    FAIL = "fail"


@dataclass(frozen=True)
class ChecklistItemSpec:
    """One item of a checklist: what to check, how to answer, and the accepted number range."""

    key: str
    kind: ItemKind
    label_zh: str
    label_en: str
    required: bool = True
    number_min: Decimal | None = None
    number_max: Decimal | None = None
    number_unit: str | None = None


@dataclass(frozen=True)
class Answer:
    """An inspector's answer to one item, as checked: the value by kind and the cited photos."""

    key: str
    kind: ItemKind
    passed: bool | None = None
    number_value: Decimal | None = None
    text_value: str | None = None
    photo_hashes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """Checked answers in checklist order and the overall result."""

    answers: tuple[Answer, ...]
    result: InspectionResult
    photo_hashes: tuple[str, ...] = field(default=())


def check_items(items: Sequence[ChecklistItemSpec]) -> None:
    """Refuse a checklist without items, with repeated keys, or with a number range that makes no sense."""
    errors: dict[str, list[str]] = {}
    if not items:
        errors["items"] = [N_("A checklist needs at least one item.")]
    seen: set[str] = set()
    for position, item in enumerate(items):
        name = f"items.{position}"
        if not _KEY.match(item.key):
            errors[f"{name}.key"] = [N_("Use lower-case letters, digits and '_', starting with a letter.")]
        elif item.key in seen:
            errors[f"{name}.key"] = [N_("Each item key may appear only once in a checklist.")]
        seen.add(item.key)
        has_range = item.number_min is not None or item.number_max is not None or item.number_unit
        if item.kind is not ItemKind.NUMBER and has_range:
            errors[f"{name}.kind"] = [N_("Only number items take a minimum, maximum or unit.")]
        low, high = item.number_min, item.number_max
        if low is not None and high is not None and low > high:
            errors[f"{name}.number_max"] = [N_("The maximum must not be below the minimum.")]
    if errors:
        raise ValidationFailed(errors)


def evaluate(items: Sequence[ChecklistItemSpec], answers: Mapping[str, Mapping[str, Any]]) -> Evaluation:
    """Check answers (by item key: `value` and `photos`) against a checklist; every problem by field."""
    errors: dict[str, list[str]] = {}
    by_key = {item.key: item for item in items}
    for key in answers:
        if key not in by_key:
            errors[f"answers.{key}"] = [N_("Not an item of this checklist.")]
    checked: list[Answer] = []
    for item in items:
        answer = answers.get(item.key)
        if answer is None or _is_blank(item, answer):
            if item.required:
                errors[f"answers.{item.key}"] = [N_("This item must be answered.")]
            continue
        try:
            checked.append(_check_answer(item, answer))
        except ValueError as problem:
            errors[f"answers.{item.key}"] = [str(problem)]
    if errors:
        raise ValidationFailed(errors)
    failed = any(answer.passed is False for answer in checked)
    hashes = tuple(dict.fromkeys(h for answer in checked for h in answer.photo_hashes))
    return Evaluation(tuple(checked), InspectionResult.FAIL if failed else InspectionResult.PASS, hashes)


def _is_blank(item: ChecklistItemSpec, answer: Mapping[str, Any]) -> bool:
    if item.kind is ItemKind.PHOTO:
        return not answer.get("photos") and answer.get("value") is None
    return answer.get("value") is None and not answer.get("photos")


def _check_answer(item: ChecklistItemSpec, answer: Mapping[str, Any]) -> Answer:
    """One answer checked against its item; a ValueError carries the message for the field."""
    photos = _photo_hashes(answer.get("photos"))
    value = answer.get("value")
    if item.kind is ItemKind.PHOTO:
        if value is not None:
            raise ValueError(N_("A photo item takes photos only, no value."))
        if not photos:
            raise ValueError(N_("A photo item needs at least one photo."))
        return Answer(item.key, item.kind, photo_hashes=photos)
    if value is None:
        raise ValueError(_EXPECTED[item.kind])
    if item.kind is ItemKind.PASS_FAIL:
        if not isinstance(value, bool):
            raise ValueError(_EXPECTED[item.kind])
        return Answer(item.key, item.kind, passed=value, photo_hashes=photos)
    if item.kind is ItemKind.NUMBER:
        number = _number(value)
        in_range = (item.number_min is None or number >= item.number_min) and (
            item.number_max is None or number <= item.number_max
        )
        return Answer(item.key, item.kind, passed=in_range, number_value=number, photo_hashes=photos)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT_LENGTH:
        raise ValueError(_EXPECTED[item.kind])
    return Answer(item.key, item.kind, text_value=value.strip(), photo_hashes=photos)


_EXPECTED = {
    ItemKind.PASS_FAIL: N_("Answer true (passed) or false (failed)."),
    ItemKind.NUMBER: N_("Answer with a number, e.g. 1234.5."),
    ItemKind.TEXT: N_("Answer with a text of 1 to 2000 characters."),
}


def _number(value: Any) -> Decimal:
    """A reading as a Decimal: a JSON number or a decimal string, finite, within the stored precision."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(_EXPECTED[ItemKind.NUMBER])
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_EXPECTED[ItemKind.NUMBER]) from None
    if not number.is_finite():
        raise ValueError(_EXPECTED[ItemKind.NUMBER])
    if abs(number) >= NUMBER_LIMIT or number != round(number, NUMBER_PLACES):
        raise ValueError(N_("The number is out of range: below 10^12, at most 4 decimal places."))
    return number


def _photo_hashes(photos: Any) -> tuple[str, ...]:
    if photos is None:
        return ()
    if not isinstance(photos, list | tuple) or len(photos) > MAX_PHOTOS_PER_ANSWER:
        raise ValueError(N_("Photos are a list of at most 20 SHA-256 hashes."))
    for photo in photos:
        if not isinstance(photo, str) or not _SHA256.match(photo):
            raise ValueError(N_("Give each photo's SHA-256 as 64 lower-case hex digits."))
    return tuple(dict.fromkeys(photos))
