"""camt.053 statements: versions .02 and .08, mis-declared encodings, batch entries, unsafe or broken XML."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.adapters.statements import read_statement
from backend.adapters.statements.camt import read_camt053
from backend.banking.domain.statements import BUILTIN_PROFILES, StatementRejected, check_statement
from backend.demo.statement_files import BankTransaction, StatementAccount, local_time, write_camt053

CAMT_02 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>BOCSH20260303</MsgId>
      <CreDtTm>2026-03-04T06:00:00+08:00</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>STMT-20260303</Id>
      <FrToDt><FrDtTm>2026-03-01T00:00:00+08:00</FrDtTm><ToDtTm>2026-03-03T23:59:59+08:00</ToDtTm></FrToDt>
      <Acct>
        <Id><Othr><Id>4567 0123 4567 89</Id></Othr></Id>
        <Ccy>CNY</Ccy>
        <Ownr><Nm>上海某某物业管理有限公司</Nm></Ownr>
      </Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="CNY">100000.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-03-01</Dt></Dt>
      </Bal>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="CNY">112140.10</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-03-03</Dt></Dt>
      </Bal>
      <Ntry>
        <Amt Ccy="CNY">12345.60</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><DtTm>2026-03-01T10:22:31+08:00</DtTm></BookgDt>
        <ValDt><Dt>2026-03-01</Dt></ValDt>
        <AcctSvcrRef>BOC0301001</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <RltdPties>
              <Dbtr><Nm>上海某某餐饮有限公司</Nm></Dbtr>
              <DbtrAcct><Id><Othr><Id>31001234567890</Id></Othr></Id></DbtrAcct>
              <Cdtr><Nm>上海某某物业管理有限公司</Nm></Cdtr>
            </RltdPties>
            <RltdAgts><DbtrAgt><FinInstnId><BIC>PCBCCNBJSHX</BIC></FinInstnId></DbtrAgt></RltdAgts>
            <RmtInf><Ustrd>3月租金</Ustrd><Ustrd>LK-2026-0031</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
        <AddtlNtryInf>网银转账</AddtlNtryInf>
      </Ntry>
      <Ntry>
        <Amt Ccy="CNY">999.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>PDNG</Sts>
        <BookgDt><Dt>2026-03-03</Dt></BookgDt>
      </Ntry>
      <Ntry>
        <Amt Ccy="CNY">205.50</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-03-02</Dt></BookgDt>
        <AcctSvcrRef>BOC0302001</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>BOC0302001-A</AcctSvcrRef></Refs>
            <AmtDtls><TxAmt><Amt Ccy="CNY">200.00</Amt></TxAmt></AmtDtls>
            <RltdPties>
              <Cdtr><Nm>国网上海市电力公司</Nm></Cdtr>
              <CdtrAcct><Id><Othr><Id>1001290109000012345</Id></Othr></Id></CdtrAcct>
            </RltdPties>
            <RmtInf><Ustrd>电费</Ustrd></RmtInf>
          </TxDtls>
          <TxDtls>
            <AmtDtls><TxAmt><Amt Ccy="CNY">5.50</Amt></TxAmt></AmtDtls>
            <AddtlTxInf>手续费</AddtlTxInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""
ACCOUNT = StatementAccount(
    number="CN0012345678901234", name="上海某某物业管理有限公司", opening_balance=Decimal("50.00")
)
TRANSACTIONS = [
    BankTransaction(
        booked_on=date(2026, 3, 1),
        booked_at=local_time(2026, 3, 1, 9, 0, 5),
        amount=Decimal("8800.00"),
        counterparty_name="某某咨询（上海）有限公司",
        counterparty_account="DE89370400440532013000",
        counterparty_bank="COBADEFFXXX",
        memo="押金 LK-2026-0102",
        reference="E2E-0001",
    ),
    BankTransaction(
        booked_on=date(2026, 3, 2),
        amount=Decimal("-120.00"),
        counterparty_name="上海市自来水公司",
        counterparty_bank="招商银行上海分行",
        memo="水费",
    ),
]


def _lines_of(text: str, fragment: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), start=1) if fragment in line]


def _rejected(data: bytes) -> list[str]:
    with pytest.raises(StatementRejected) as rejected:
        read_camt053(data)
    return rejected.value.fields["file"]


def test_a_camt_053_001_02_statement_reads_balances_entries_and_their_source_lines() -> None:
    statement = read_statement(CAMT_02.encode(), "camt053.xml", BUILTIN_PROFILES)

    assert (statement.format, statement.account_number, statement.account_name, statement.currency) == (
        "camt053",
        "45670123456789",
        "上海某某物业管理有限公司",
        "CNY",
    )
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("100000.00"),
        Decimal("112140.10"),
    )
    assert (statement.period_start, statement.period_end) == (date(2026, 3, 1), date(2026, 3, 3))
    entry, *_ = _lines_of(CAMT_02, "<Ntry>")
    assert [line.line_no for line in statement.lines] == [entry, *_lines_of(CAMT_02, "<TxDtls>")[1:]]
    check_statement(statement, previous_closing=Decimal("100000.00"))


def test_the_debtor_of_a_credit_is_the_counterparty_and_the_remittance_texts_are_the_memo() -> None:
    rent = read_camt053(CAMT_02.encode()).lines[0]

    assert (rent.booked_on, rent.booked_at, rent.value_on) == (
        date(2026, 3, 1),
        local_time(2026, 3, 1, 10, 22, 31),
        date(2026, 3, 1),
    )
    assert (rent.counterparty_name, rent.counterparty_account, rent.counterparty_bank) == (
        "上海某某餐饮有限公司",
        "31001234567890",
        "PCBCCNBJSHX",
    )
    assert (rent.memo, rent.bank_reference) == ("3月租金 LK-2026-0031 / 网银转账", "BOC0301001")


def test_a_batch_entry_becomes_one_line_per_transaction_and_pending_entries_are_left_out() -> None:
    electricity, fee = read_camt053(CAMT_02.encode()).lines[1:]

    assert (electricity.amount, electricity.counterparty_name, electricity.bank_reference) == (
        Decimal("-200.00"),
        "国网上海市电力公司",
        "BOC0302001-A",
    )
    assert (fee.amount, fee.memo, fee.bank_reference) == (Decimal("-5.50"), "手续费", "BOC0302001/2")


def test_a_batch_whose_parts_do_not_sum_to_the_entry_is_refused_naming_the_entry() -> None:
    broken = CAMT_02.replace('<Amt Ccy="CNY">5.50</Amt>', '<Amt Ccy="CNY">6.00</Amt>')

    assert _rejected(broken.encode()) == [
        f"Line {_lines_of(broken, '<Ntry>')[2]}: the entry's amount -205.50 is not the sum of its "
        "transactions' amounts, -206.00."
    ]


@pytest.mark.parametrize("version", ["02", "08"])
def test_the_writers_statement_of_each_version_reads_back(version: str) -> None:
    data = write_camt053(ACCOUNT, TRANSACTIONS, version=version)
    assert f"camt.053.001.{version}".encode() in data

    statement = read_camt053(data)

    assert [
        (line.amount, line.counterparty_name, line.counterparty_bank, line.memo) for line in statement.lines
    ] == [
        (Decimal("8800.00"), "某某咨询（上海）有限公司", "COBADEFFXXX", "押金 LK-2026-0102"),
        (Decimal("-120.00"), "上海市自来水公司", "招商银行上海分行", "水费"),
    ]
    assert statement.lines[0].counterparty_account == "DE89370400440532013000"
    assert statement.lines[0].booked_at == local_time(2026, 3, 1, 9, 0, 5)
    assert statement.closing_balance == Decimal("8730.00")


@pytest.mark.parametrize(("sent", "declared"), [("gb18030", "UTF-8"), ("utf-8", "GB18030"), ("gbk", "GBK")])
def test_a_file_whose_declaration_names_another_encoding_is_still_read_right(
    sent: str, declared: str
) -> None:
    data = write_camt053(ACCOUNT, TRANSACTIONS, version="02", encoding=sent, declared_encoding=declared)

    assert read_camt053(data).lines[1].counterparty_name == "上海市自来水公司"


def test_a_reversal_moves_money_the_other_way() -> None:
    reversed_rent = CAMT_02.replace("<Sts>BOOK</Sts>", "<RvslInd>true</RvslInd><Sts>BOOK</Sts>", 1).replace(
        ">112140.10<", ">87448.90<"
    )

    assert read_camt053(reversed_rent.encode()).lines[0].amount == Decimal("-12345.60")


def test_entries_without_a_booking_date_or_with_a_bad_amount_are_named_by_line() -> None:
    broken = CAMT_02.replace("<BookgDt><Dt>2026-03-02</Dt></BookgDt>", "").replace(
        '<Amt Ccy="CNY">12345.60</Amt>', '<Amt Ccy="CNY">12,345.60</Amt>'
    )
    first, _, third = _lines_of(broken, "<Ntry>")

    assert _rejected(broken.encode()) == [
        f"Line {first}: the entry's amount '12,345.60' is not an amount.",
        f"Line {third}: the entry has no booking date (BookgDt).",
    ]


def test_xml_that_declares_entities_is_refused_before_anything_expands() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        "<Document>&lol2;</Document>\n"
    )

    assert _rejected(bomb.encode()) == [
        "Line 2: the XML declares a DTD or entities, which statements never need; refused."
    ]


def test_xml_that_is_not_well_formed_is_named_by_line_and_column() -> None:
    broken = CAMT_02.replace("</Ustrd><Ustrd>", "</Ustr><Ustrd>")

    (message,) = _rejected(broken.encode())

    assert message.startswith(f"Line {_lines_of(broken, '</Ustr>')[0]}, column ")
    assert message.endswith(": the XML is not well-formed.")


def test_other_iso_messages_are_not_taken_for_a_statement() -> None:
    report = CAMT_02.replace("BkToCstmrStmt", "BkToCstmrAcctRpt").replace("camt.053", "camt.052")

    assert _rejected(report.encode()) == [
        "This is not a camt.053 statement: its document is BkToCstmrAcctRpt."
    ]


def test_two_statements_of_one_account_must_follow_on() -> None:
    start, end = CAMT_02.index("    <Stmt>"), CAMT_02.index("  </BkToCstmrStmt>")
    second = CAMT_02[start:end].replace(">100000.00<", ">112100.00<").replace(">112140.10<", ">124240.10<")
    twice = CAMT_02[:end] + second + CAMT_02[end:]

    assert _rejected(twice.encode()) == [
        f"Line {_lines_of(twice, '<Bal>')[2]}: the opening balance 112100.00 does not continue the closing "
        "balance 112140.10 of the statement before it in the file."
    ]


def test_bytes_that_no_encoding_reads_are_named_by_line_and_offset() -> None:
    data = CAMT_02.encode().replace("网银转账".encode(), b"\xff\xfe\xff")

    (message,) = _rejected(data)

    assert message.startswith(f"Line {_lines_of(CAMT_02, '网银转账')[0]}: the byte 0x")
