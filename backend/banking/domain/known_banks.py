"""The bank profiles known out of the box: the 明细 exports of six Chinese banks, and a generic one.

The header texts are those of each bank's corporate online banking export, preferred first (the demo files
are written with the first one), followed by what its personal online banking and older versions write.
"""

from __future__ import annotations

from backend.banking.domain.profiles import BankProfile

ICBC = BankProfile(
    code="ICBC",
    name="中国工商银行",
    header_aliases={
        "booked_on": ("交易日期", "交易时间", "入账日期"),
        "memo": ("摘要", "用途", "附言", "个性化信息"),
        "counterparty_name": ("对方户名", "对方单位名称", "对方单位"),
        "counterparty_account": ("对方账号", "对方账户"),
        "counterparty_bank": ("对方行名", "对方开户行", "对方行号"),
        "debit": ("借方发生额", "记账金额(支出)", "借方金额"),
        "credit": ("贷方发生额", "记账金额(收入)", "贷方金额"),
        "balance_after": ("余额", "账户余额"),
        "currency": ("币种", "记账币种"),
    },
)

CCB = BankProfile(
    code="CCB",
    name="中国建设银行",
    header_aliases={
        "booked_on": ("记账日期", "交易日期", "交易时间"),
        "booked_at": ("交易时间",),
        "debit": ("借方发生额（支取）", "借方发生额"),
        "credit": ("贷方发生额（收入）", "贷方发生额"),
        "amount": ("交易金额",),
        "balance_after": ("余额", "账户余额"),
        "currency": ("币种", "币别"),
        "counterparty_name": ("对方户名", "对方账号与户名"),
        "counterparty_account": ("对方账号",),
        "counterparty_bank": ("对方开户机构", "对方开户行"),
        "memo": ("摘要", "备注", "交易地点/附言"),
        "bank_reference": ("账户明细编号-交易流水号", "交易流水号"),
    },
    # The personal export has one signed 交易金额 column instead of debit and credit.
    signed_amounts=True,
)

BOC = BankProfile(
    code="BOC",
    name="中国银行",
    header_aliases={
        "direction": ("交易类型", "借贷标识"),
        "payer_bank": ("付款人开户行名", "付款人开户行"),
        "payer_account": ("付款人账号",),
        "payer_name": ("付款人名称",),
        "payee_bank": ("收款人开户行名", "收款人开户行"),
        "payee_account": ("收款人账号",),
        "payee_name": ("收款人名称",),
        "booked_on": ("交易日期",),
        "booked_at": ("交易时间",),
        "currency": ("交易货币", "币种"),
        "amount": ("交易金额",),
        "balance_after": ("交易后余额", "余额"),
        "value_on": ("起息日期", "起息日"),
        "bank_reference": ("交易流水号",),
        "memo": ("摘要", "用途", "交易附言", "备注"),
    },
    direction_credit_values=("来账", "贷", "收入"),
    direction_debit_values=("往账", "借", "支出"),
)

ABC = BankProfile(
    code="ABC",
    name="中国农业银行",
    header_aliases={
        "booked_on": ("交易日期", "交易时间"),
        "booked_at": ("交易时间",),
        "credit": ("收入金额", "贷方发生额", "贷方金额"),
        "debit": ("支出金额", "借方发生额", "借方金额"),
        "amount": ("交易金额",),
        "balance_after": ("本次余额", "账户余额", "余额"),
        "counterparty_name": ("对方户名", "对方账户名称"),
        "counterparty_account": ("对方账号",),
        "counterparty_bank": ("对方开户行", "交易行"),
        "memo": ("交易用途", "摘要", "交易摘要", "附言"),
        "bank_reference": ("日志号", "交易流水号"),
        "currency": ("币种",),
    },
    # The personal export has one signed 交易金额 column instead of 收入金额 and 支出金额.
    signed_amounts=True,
)

CMB = BankProfile(
    code="CMB",
    name="招商银行",
    header_aliases={
        "booked_on": ("交易日", "交易日期", "记账日期"),
        "booked_at": ("交易时间",),
        "value_on": ("起息日",),
        "debit": ("借方金额", "借方(出账)"),
        "credit": ("贷方金额", "贷方(入账)"),
        "amount": ("交易金额",),
        "balance_after": ("余额", "联机余额"),
        "memo": ("摘要", "用途", "业务摘要", "其它摘要", "交易摘要"),
        "bank_reference": ("流水号", "交易流水号"),
        "counterparty_bank": ("收(付)方开户行名", "收(付)方分行名"),
        "counterparty_name": ("收(付)方名称", "对手信息"),
        "counterparty_account": ("收(付)方帐号", "收(付)方账号"),
        "currency": ("币种", "货币"),
    },
    # The personal export has one signed 交易金额 column.
    signed_amounts=True,
    date_formats=("%Y%m%d", "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"),
)

BOCOM = BankProfile(
    code="BoCom",
    name="交通银行",
    header_aliases={
        "booked_on": ("交易日期", "记账日期"),
        "booked_at": ("交易时间",),
        "direction": ("借贷标志", "借贷方向"),
        "amount": ("发生额", "交易金额"),
        "balance_after": ("余额",),
        "counterparty_account": ("对方账号",),
        "counterparty_name": ("对方户名",),
        "counterparty_bank": ("对方行名", "对方开户行"),
        "memo": ("摘要", "附言", "用途"),
        "bank_reference": ("会计流水号", "交易流水号", "流水号"),
        "currency": ("币种",),
    },
    direction_credit_values=("贷", "贷方"),
    direction_debit_values=("借", "借方"),
)

GENERIC = BankProfile(
    code="GENERIC",
    name="通用格式",
    header_aliases={
        "booked_on": ("交易日期", "日期", "记账日期", "入账日期", "交易时间", "date"),
        "booked_at": ("时间", "交易时间", "time"),
        "value_on": ("起息日", "起息日期", "value date"),
        "debit": ("借方发生额", "借方金额", "支出金额", "支出", "借方", "debit"),
        "credit": ("贷方发生额", "贷方金额", "收入金额", "收入", "贷方", "credit"),
        "amount": ("金额", "交易金额", "发生额", "amount"),
        "direction": ("借贷标志", "借贷", "借/贷", "收支", "收/支", "方向"),
        "balance_after": ("余额", "账户余额", "balance"),
        "counterparty_name": ("对方户名", "对方名称", "对方单位", "交易对方", "counterparty"),
        "counterparty_account": ("对方账号", "对方账户"),
        "counterparty_bank": ("对方开户行", "对方行名", "对方银行"),
        "memo": ("摘要", "用途", "附言", "备注", "说明", "memo"),
        "bank_reference": ("交易流水号", "流水号", "参考号", "reference"),
        "currency": ("币种", "货币", "currency"),
    },
    direction_credit_values=("贷", "贷方", "收", "收入", "C", "CR", "credit"),
    direction_debit_values=("借", "借方", "支", "支出", "D", "DR", "debit"),
    signed_amounts=True,
)

# Most specific first: when two profiles explain a header equally well, the earlier one wins.
BUILTIN_PROFILES: tuple[BankProfile, ...] = (ICBC, CCB, BOC, ABC, CMB, BOCOM, GENERIC)
