"""Names, account numbers and bill numbers as bank lines spell them, made comparable."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from backend.banking.domain.names import NameBook, ReferenceBook, account_key, payer_name


@pytest.mark.parametrize(
    "spelling",
    [
        "上海某某科技有限公司",
        "上海市某某科技有限公司",
        "某某科技有限公司",
        "上海某某科技有限责任公司",
        "某某科技股份有限公司",
        "上海 某某科技 有限公司",
        "上海某某科技有限公司。",
        "（上海）某某科技有限公司",
        "上海某某科技有限公司　",
    ],
)
def test_spellings_of_one_company_share_one_key(spelling: str) -> None:
    assert payer_name(spelling).key == "某某科技有限公司"


def test_a_province_and_a_city_before_the_name_are_both_dropped() -> None:
    assert payer_name("广东省深圳市腾飞贸易有限公司").key == payer_name("深圳腾飞贸易有限公司").key
    assert payer_name("深圳腾飞贸易有限公司").key == "腾飞贸易有限公司"


def test_a_word_starting_with_shi_after_the_city_keeps_it() -> None:
    assert payer_name("上海市政工程有限公司").key == "市政工程有限公司"


def test_a_name_that_is_only_a_place_stays_a_name() -> None:
    assert payer_name("北京").key == "北京"


def test_full_width_latin_letters_and_the_usual_suffixes_compare_equal() -> None:
    keys = {
        payer_name(name).key
        for name in (
            "ABC Trading Co., Ltd.",
            "abc trading company limited",
            "ＡＢＣ Ｔｒａｄｉｎｇ Ｌｉｍｉｔｅｄ",
        )
    }
    assert keys == {"abctradingltd"}


def test_a_persons_name_loses_only_its_spaces() -> None:
    assert payer_name("张 三") == payer_name("张三")
    assert payer_name("张三").key == "张三"


def test_a_branch_is_its_parent_for_likeness_but_not_for_an_exact_match() -> None:
    parent = payer_name("上海某某科技有限公司")
    branch = payer_name("上海某某科技有限公司北京分公司")
    assert branch.key != parent.key
    assert branch.entity == parent.entity == "某某科技"
    assert (parent.branch, branch.branch) == (None, "北京")


def test_a_branch_named_without_the_parents_suffix_is_still_recognised() -> None:
    branch = payer_name("某某科技深圳分公司")
    assert (branch.entity, branch.branch) == ("某某科技", "深圳")


def test_the_company_suffix_does_not_count_towards_likeness() -> None:
    assert payer_name("某某科技有限公司").entity == "某某科技"
    assert payer_name("ABC Trading Ltd").entity == "abctrading"


@pytest.mark.parametrize(
    "number", ["6222 0212 3456 7890", "6222-0212-3456-7890", "６２２２０２１２３４５６７８９０"]
)
def test_account_numbers_compare_however_they_are_grouped(number: str) -> None:
    assert account_key(number) == "6222021234567890"


def _book(*numbers: str) -> ReferenceBook[str]:
    book: ReferenceBook[str] = ReferenceBook()
    for number in numbers:
        book.add(number, number)
    return book


@pytest.mark.parametrize(
    "memo",
    [
        "房租 sh ljz 202603 0007",
        "SHLJZ2026030007",
        "付SH-LJZ-202603-0007款",
        "租金ＳＨ－ＬＪＺ－２０２６０３－０００７三月",
        "sh_ljz/202603.0007 rent",
        "SH LJZ 2026 03 0007",
    ],
)
def test_a_bill_number_is_found_however_the_memo_spells_it(memo: str) -> None:
    assert _book("SH-LJZ-202603-0007").find(memo) == ["SH-LJZ-202603-0007"]


def test_a_lease_number_is_found_inside_chinese_text() -> None:
    assert _book("SH-LJZ-L-2026-003").find("租金SH-LJZ-L-2026-003三月") == ["SH-LJZ-L-2026-003"]


def test_a_longer_number_does_not_name_the_number_it_starts_with() -> None:
    book = _book("SH-LJZ-202603-0007")
    assert book.find("SH-LJZ-202603-00071") == []
    assert book.find("XSH-LJZ-202603-0007") == []


def test_every_number_in_a_memo_is_found_once_in_the_order_written() -> None:
    book = _book("SH-LJZ-202603-0007", "SH-LJZ-202602-0007")
    memo = "SH-LJZ-202603-0007 / SH-LJZ-202602-0007 / sh-ljz-202603-0007"
    assert book.find(memo) == ["SH-LJZ-202603-0007", "SH-LJZ-202602-0007"]


def test_a_memo_without_numbers_finds_nothing() -> None:
    assert _book("SH-LJZ-202603-0007").find("三月房租") == []


def test_the_name_book_knows_legal_names_and_aliases_by_their_keys() -> None:
    book = NameBook({1: "上海某某科技有限公司", 2: "北京某某科技有限公司"}, {"某某集团有限公司": 1})
    assert book.legal(payer_name("某某科技股份有限公司")) == {1, 2}
    assert book.aliased(payer_name("某某集团股份有限公司")) == {1}
    assert book.legal(payer_name("某某集团有限公司")) == frozenset()


def test_the_name_book_finds_names_alike_with_their_best_score() -> None:
    book = NameBook({1: "上海华盛泰科技有限公司", 2: "深圳宏远贸易有限公司"}, {"华盛泰集团": 2})
    alike = book.resembling(payer_name("华盛泰科枝有限公司").entity, cutoff=70)
    assert set(alike) == {1}
    score, key = alike[1]
    assert key == "华盛泰科技"
    assert score == pytest.approx(80.0)


names = st.text(alphabet="华盛泰康德瑞丰祥和信科技贸易", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(names, min_size=1, max_size=30), names, st.sampled_from([0.0, 50.0, 70.0, 80.0, 95.0, 100.0]))
def test_looking_up_alike_names_by_shared_characters_misses_none_that_rapidfuzz_finds(
    customers: list[str], payer: str, cutoff: float
) -> None:
    book = NameBook(dict(enumerate(customers)), {})
    entities = {index: payer_name(name).entity for index, name in enumerate(customers)}
    expected = {
        index
        for index, entity in entities.items()
        if process.extractOne(payer, [entity], scorer=fuzz.ratio, processor=None, score_cutoff=cutoff)
    }
    assert set(book.resembling(payer, cutoff)) == expected
