"""Bank statement files read into statements: CSV and XLSX tables of Chinese banks, MT940, camt.053."""

from backend.adapters.statements.read import read_statement
from backend.adapters.statements.tables import ACCEPTED_TYPES, MAX_BYTES, MAX_ROWS

__all__ = ["ACCEPTED_TYPES", "MAX_BYTES", "MAX_ROWS", "read_statement"]
