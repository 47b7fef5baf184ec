"""Statement readers fuzzed: any bytes or damage is refused as statement problems; exports round-trip."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backend.adapters.statements import read_statement
from backend.adapters.statements.tables import OLE_MAGIC
from backend.banking.domain.statements import (
    BUILTIN_PROFILES,
    BankProfile,
    ParsedStatement,
    StatementLine,
    StatementRejected,
    check_statement,
    find_duplicates_within,
    read_table,
)
from backend.core.domain.errors import PayloadTooLarge
from backend.demo.statement_files import (
    BankTransaction,
    StatementAccount,
    balances,
    local_time,
    write_bank_csv,
    write_bank_xlsx,
    write_camt053,
    write_mt940,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROUND_TRIPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROFILES = {profile.code: profile for profile in BUILTIN_PROFILES}
ACCOUNT = StatementAccount(
    number="6222021001234567890", name="上海某某物业管理有限公司", opening_balance=Decimal("1000.00")
)
SAMPLE = [
    BankTransaction(
        booked_on=date(2026, 3, 1),
        booked_at=local_time(2026, 3, 1, 10, 22, 31),
        amount=Decimal("12345.60"),
        counterparty_name="上海某某餐饮有限公司",
        counterparty_account="31001234567890",
        counterparty_bank="中国建设银行上海分行",
        memo="3月租金 LK-2026-0031",
        reference="R0001",
    ),
    BankTransaction(booked_on=date(2026, 3, 2), amount=Decimal("-200.00"), memo="电费", reference="R0002"),
]
VALID_FILES = {
    "icbc.csv": write_bank_csv("ICBC", ACCOUNT, SAMPLE),
    "bocom.csv": write_bank_csv("BoCom", ACCOUNT, SAMPLE, "utf-8-sig", newest_first=True),
    "cmb.txt": write_bank_csv("CMB", ACCOUNT, SAMPLE, "gb18030", delimiter="\t", excel_text=True),
    "abc.xlsx": write_bank_xlsx("ABC", ACCOUNT, SAMPLE),
    "structured.sta": write_mt940(ACCOUNT, SAMPLE, statements=2),
    "tagged.940": write_mt940(ACCOUNT, SAMPLE, structured=False),
    "camt02.xml": write_camt053(ACCOUNT, SAMPLE, version="02", encoding="gb18030", declared_encoding="UTF-8"),
    "camt08.xml": write_camt053(ACCOUNT, SAMPLE),
}
# Characters that mean something to one reader or another.
MEANINGFUL = [*':?/,;\t\n"=<>&-+.0123456789CDR借贷合计共笔¥（）', "\r\n", "\x00", "\xff"]

words = st.text(
    alphabet=st.sampled_from(list("租金电费水押物业管理上海有限公司abcxyz0123456789-（） ")), max_size=40
)
texts = words.map(lambda text: " ".join(text.split()) or None)
names = st.sampled_from(
    [None, "上海某某餐饮有限公司", "王五", "State Grid Shanghai", "某某咨询（上海）有限公司"]
)
accounts = st.one_of(st.none(), st.from_regex(r"[1-9][0-9]{5,18}", fullmatch=True))
banks = st.sampled_from([None, "中国建设银行上海分行", "PCBCCNBJSHX"])
amounts = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2).filter(bool)
moments = st.one_of(st.none(), st.times().map(lambda moment: moment.replace(microsecond=0)))


@st.composite
def transactions(draw: st.DrawFn) -> list[BankTransaction]:
    """A month of transactions, oldest first, each with its own bank reference or none."""
    days = sorted(draw(st.lists(st.integers(0, 30), max_size=12)))
    found = []
    for index, offset in enumerate(days):
        day = date(2026, 3, 1) + timedelta(days=offset)
        moment = draw(moments)
        found.append(
            BankTransaction(
                booked_on=day,
                booked_at=datetime.combine(day, moment) if moment else None,
                amount=draw(amounts),
                counterparty_name=draw(names),
                counterparty_account=draw(accounts),
                counterparty_bank=draw(banks),
                memo=draw(texts),
                reference=f"R{index:05d}" if draw(st.booleans()) else None,
            )
        )
    return found


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A valid file damaged a few times: bytes flipped, cut, inserted; lines dropped, repeated or swapped."""
    filename = draw(st.sampled_from(sorted(VALID_FILES)))
    data = bytearray(VALID_FILES[filename])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "line"]))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(MEANINGFUL)).encode("utf-8", errors="surrogatepass")
        else:
            lines = bytes(data).split(b"\n")
            first, second = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            operation = draw(st.sampled_from(["drop", "repeat", "swap"]))
            if operation == "drop":
                del lines[first]
            elif operation == "repeat":
                lines.insert(second, lines[first])
            else:
                lines[first], lines[second] = lines[second], lines[first]
            data = bytearray(b"\n".join(lines))
    return filename, bytes(data)


def _read_and_check(data: bytes, filename: str) -> None:
    """Reading, checking and looking for duplicates refuse only as statement problems or by size."""
    try:
        statement = read_statement(data, filename, BUILTIN_PROFILES)
        check_statement(statement, previous_closing=None)
        find_duplicates_within(statement)
    except (StatementRejected, PayloadTooLarge):
        pass


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["x.csv", "x.txt", "x.xlsx", "x.sta", "x.xml"]))
def test_arbitrary_bytes_are_refused_as_statement_problems(data: bytes, filename: str) -> None:
    assume(not data.lstrip().startswith(OLE_MAGIC))  # refused on purpose as an old .xls workbook
    _read_and_check(data, filename)


@FUZZ
@given(mutated())
def test_damaged_statement_files_are_refused_as_statement_problems(damaged: tuple[str, bytes]) -> None:
    filename, data = damaged
    _read_and_check(data, filename)


cells = st.one_of(
    st.none(),
    st.sampled_from(
        [
            alias
            for profile in BUILTIN_PROFILES
            for aliases in profile.header_aliases.values()
            for alias in aliases
        ]
        + [
            "合计",
            "共 3 笔",
            "借方合计：",
            "账号：6222",
            "期初余额",
            "借",
            "贷",
            "来账",
            "2026-03-01",
            "20260301",
        ]
    ),
    st.text(max_size=12),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.times(),
)


@FUZZ
@given(
    st.lists(st.tuples(st.integers(1, 10**6), st.lists(cells, max_size=10)), max_size=15),
    st.sampled_from(BUILTIN_PROFILES),
)
def test_any_table_of_cells_reads_or_is_refused_as_statement_problems(
    rows: list[tuple[int, list[object]]], profile: BankProfile
) -> None:
    with suppress(StatementRejected):
        check_statement(read_table(rows, profile), previous_closing=None)


def _expected_table(
    profile: BankProfile, account: StatementAccount, txs: list[BankTransaction]
) -> list[StatementLine]:
    has = profile.header_aliases.keys()
    return [
        StatementLine(
            line_no=0,
            booked_on=tx.booked_on,
            value_on=tx.booked_on if "value_on" in has else None,
            booked_at=tx.booked_at if "booked_at" in has else None,
            amount=tx.amount,
            currency="CNY",
            counterparty_name=tx.counterparty_name,
            counterparty_account=tx.counterparty_account,
            counterparty_bank=tx.counterparty_bank if {"counterparty_bank", "payer_bank"} & has else None,
            memo=tx.memo,
            bank_reference=tx.reference if "bank_reference" in has else None,
            balance_after=balance,
        )
        for tx, balance in zip(txs, balances(account, txs), strict=True)
    ]


def _expected_message(txs: list[BankTransaction], with_time: bool) -> list[StatementLine]:
    return [
        StatementLine(
            line_no=0,
            booked_on=tx.booked_on,
            value_on=tx.booked_on,
            booked_at=tx.booked_at if with_time else None,
            amount=tx.amount,
            currency="CNY",
            counterparty_name=tx.counterparty_name,
            counterparty_account=tx.counterparty_account,
            counterparty_bank=tx.counterparty_bank,
            memo=tx.memo,
            bank_reference=tx.reference,
        )
        for tx in txs
    ]


def _lines(statement: ParsedStatement) -> list[StatementLine]:
    return [replace(line, line_no=0) for line in statement.lines]


openings = st.decimals(min_value=Decimal("-50000.00"), max_value=Decimal("500000.00"), places=2)


@ROUND_TRIPS
@given(
    transactions(),
    openings,
    st.sampled_from(sorted(PROFILES)),
    st.sampled_from(["csv", "xlsx"]),
    st.booleans(),
)
def test_a_banks_table_export_reads_back_to_its_transactions(
    txs: list[BankTransaction], opening: Decimal, code: str, kind: str, newest_first: bool
) -> None:
    account = replace(ACCOUNT, opening_balance=opening)
    if kind == "csv":
        data = write_bank_csv(code, account, txs, newest_first=newest_first)
    else:
        data = write_bank_xlsx(code, account, txs, newest_first=newest_first)

    statement = read_statement(data, f"statement.{kind}", BUILTIN_PROFILES, code)

    expected = _expected_table(PROFILES[code], account, txs)
    assert _lines(statement) == (expected[::-1] if newest_first else expected)
    check_statement(statement, previous_closing=opening)


@ROUND_TRIPS
@given(transactions(), openings, st.integers(1, 3), st.booleans())
def test_an_mt940_export_reads_back_to_its_transactions(
    txs: list[BankTransaction], opening: Decimal, blocks: int, structured: bool
) -> None:
    account = replace(ACCOUNT, opening_balance=opening)

    statement = read_statement(
        write_mt940(account, txs, statements=blocks, structured=structured), "x.sta", ()
    )

    assert _lines(statement) == _expected_message(txs, with_time=False)
    assert statement.opening_balance == opening
    check_statement(statement, previous_closing=opening)


@ROUND_TRIPS
@given(transactions(), openings, st.sampled_from(["02", "08"]), st.sampled_from(["utf-8", "gb18030"]))
def test_a_camt053_export_reads_back_to_its_transactions(
    txs: list[BankTransaction], opening: Decimal, version: str, encoding: str
) -> None:
    account = replace(ACCOUNT, opening_balance=opening)
    data = write_camt053(account, txs, version=version, encoding=encoding, declared_encoding="UTF-8")

    statement = read_statement(data, "x.xml", ())

    assert _lines(statement) == _expected_message(txs, with_time=True)
    check_statement(statement, previous_closing=opening)
