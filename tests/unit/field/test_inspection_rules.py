"""Checklist rules and answer checking: every problem named by field, findings fail the inspection."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.core.domain.errors import ValidationFailed
from backend.field.domain.checklists import DEFAULT_CHECKLISTS
from backend.field.domain.inspections import (
    ChecklistItemSpec,
    InspectionResult,
    ItemKind,
    check_items,
    evaluate,
)
from backend.org.domain.org import AssetType

K = ItemKind
HASH = "ab" * 32
ITEMS = (
    ChecklistItemSpec("lights", K.PASS_FAIL, "照明正常", "Lights work"),
    ChecklistItemSpec("hour_meter", K.NUMBER, "小时表读数", "Hour meter", number_min=Decimal(0),
                      number_max=Decimal(20000), number_unit="h"),
    ChecklistItemSpec("remarks", K.TEXT, "备注", "Remarks", required=False),
    ChecklistItemSpec("nameplate", K.PHOTO, "铭牌照片", "Nameplate photo"),
)  # fmt: skip
GOOD = {"lights": {"value": True}, "hour_meter": {"value": "1234.5"}, "nameplate": {"photos": [HASH]}}


def problems(answers: dict[str, dict[str, object]]) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        evaluate(ITEMS, answers)
    return refused.value.fields


def test_complete_answers_pass_and_keep_the_values_by_kind() -> None:
    evaluation = evaluate(ITEMS, GOOD | {"remarks": {"value": "  门口有积水  "}})
    assert evaluation.result is InspectionResult.PASS
    by_key = {answer.key: answer for answer in evaluation.answers}
    assert by_key["hour_meter"].number_value == Decimal("1234.5")
    assert by_key["remarks"].text_value == "门口有积水"
    assert evaluation.photo_hashes == (HASH,)


def test_a_failed_check_or_a_reading_out_of_range_fails_the_inspection() -> None:
    assert evaluate(ITEMS, GOOD | {"lights": {"value": False}}).result is InspectionResult.FAIL
    out_of_range = evaluate(ITEMS, GOOD | {"hour_meter": {"value": 25000}})
    assert out_of_range.result is InspectionResult.FAIL
    assert [a.passed for a in out_of_range.answers if a.key == "hour_meter"] == [False]


def test_unknown_missing_wrongly_typed_and_unstorable_answers_are_each_named() -> None:
    found = problems(
        {
            "lights": {"value": "yes"},
            "hour_meter": {"value": "1e15"},
            "ghost": {"value": True},
        }
    )
    assert set(found) == {"answers.lights", "answers.hour_meter", "answers.ghost", "answers.nameplate"}
    assert found["answers.nameplate"] == ["This item must be answered."]
    assert found["answers.ghost"] == ["Not an item of this checklist."]
    assert "out of range" in found["answers.hour_meter"][0]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"value": True}, "A photo item takes photos only, no value."),
        ({"photos": ["not-a-hash"]}, "Give each photo's SHA-256 as 64 lower-case hex digits."),
        ({"photos": "abc"}, "Photos are a list of at most 20 SHA-256 hashes."),
    ],
)
def test_a_photo_item_takes_only_well_formed_photo_hashes(answer: dict[str, object], message: str) -> None:
    assert problems(GOOD | {"nameplate": answer}) == {"answers.nameplate": [message]}


@pytest.mark.parametrize("value", [True, "NaN", "Infinity", "12,5", [1], {"n": 1}, "1.00001"])
def test_a_number_item_refuses_what_is_not_a_storable_reading(value: object) -> None:
    assert list(problems(GOOD | {"hour_meter": {"value": value}})) == ["answers.hour_meter"]


def test_checklist_items_need_unique_keys_and_sensible_ranges() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_items(
            [
                ChecklistItemSpec("lights", K.PASS_FAIL, "照明", "Lights", number_unit="h"),
                ChecklistItemSpec("lights", K.NUMBER, "读数", "Reading", number_min=Decimal(5),
                                  number_max=Decimal(1)),
                ChecklistItemSpec("Bad Key", K.TEXT, "备注", "Remarks"),
            ]
        )  # fmt: skip
    assert set(refused.value.fields) == {"items.0.kind", "items.1.key", "items.1.number_max", "items.2.key"}


def test_every_asset_type_has_a_valid_bilingual_default_checklist() -> None:
    assert {default.asset_type for default in DEFAULT_CHECKLISTS} == set(AssetType)
    assert len({default.code for default in DEFAULT_CHECKLISTS}) == len(DEFAULT_CHECKLISTS)
    for default in DEFAULT_CHECKLISTS:
        check_items(default.items)
        assert all(item.label_zh and item.label_en for item in default.items)
