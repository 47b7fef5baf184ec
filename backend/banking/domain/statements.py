"""Bank statements, the one place to import them from: values, bank profiles, reading tables, the checks.

The parts live in their own modules: values (lines, statements, problems), profiles and known_banks (table
layouts as data), headers, labels and tables (reading a table), checks (balances and duplicates).
"""

from __future__ import annotations

from backend.banking.domain.checks import (
    check_statement,
    chronological,
    duplicate_key,
    find_duplicates_within,
    join_statements,
)
from backend.banking.domain.headers import SCAN_ROWS, detect_profile
from backend.banking.domain.known_banks import BUILTIN_PROFILES
from backend.banking.domain.profiles import BankProfile
from backend.banking.domain.tables import read_table
from backend.banking.domain.values import (
    MAX_PROBLEMS,
    ParsedStatement,
    Problem,
    Problems,
    StatementLine,
    StatementRejected,
)

__all__ = [
    "BUILTIN_PROFILES",
    "MAX_PROBLEMS",
    "SCAN_ROWS",
    "BankProfile",
    "ParsedStatement",
    "Problem",
    "Problems",
    "StatementLine",
    "StatementRejected",
    "check_statement",
    "chronological",
    "detect_profile",
    "duplicate_key",
    "find_duplicates_within",
    "join_statements",
    "read_table",
]
