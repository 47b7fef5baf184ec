"""Finding the header row of a statement table, and the bank profile whose header texts explain it best."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backend.banking.domain.cells import header_key, text
from backend.banking.domain.profiles import TABLE_FIELDS, BankProfile
from backend.banking.domain.values import Problem, StatementRejected, refuse
from backend.core.domain.errors import N_

# Title, account block and blank rows above the header: no bank puts more than a dozen or so.
SCAN_ROWS = 30
# What may follow a header text to name its unit or translate it: 借方发生额(元), 交易金额[ Trade Amount ].
_QUALIFIERS = ("(", "[", "【", "/")

Row = tuple[int, Sequence[object]]

NO_PROFILE = N_(
    "No header row of a known bank export was found in the first %(rows)s lines; "
    "accepted profiles: %(accepted)s."
)
NO_HEADER = N_(
    "No header row of %(profile)s was found in the first %(rows)s lines; "
    "it names columns such as %(expected)s."
)
MISSING_COLUMN = N_("Line %(line)s: the column %(column)s is missing; the header row has: %(headers)s.")


@dataclass(frozen=True)
class Header:
    """Where a profile's fields sit in a file: the header row and the column of each field."""

    line_no: int
    position: int  # the header's index among the rows
    columns: dict[str, int]  # each field but memo → its column
    memo_columns: tuple[int, ...]  # memo may be written over several columns (摘要, 用途, 附言)
    names: tuple[str, ...]  # the header texts as the file writes them

    @property
    def explained(self) -> int:
        """How many header cells the profile gives a meaning to."""
        return len(self.columns) + len(self.memo_columns)

    @property
    def layout(self) -> str | None:
        """How amounts are written: "split" (debit and credit), "flagged" (amount and direction), "signed"."""
        if {"debit", "credit"} <= self.columns.keys():
            return "split"
        if {"amount", "direction"} <= self.columns.keys():
            return "flagged"
        return "signed" if "amount" in self.columns else None

    def name(self, field: str) -> str:
        """The header text of a field's column."""
        return self.names[self.columns[field]]


def match_header(line_no: int, position: int, cells: Sequence[object], profile: BankProfile) -> Header:
    """The profile's fields found among a row's cells; exact header texts win over qualified ones."""
    keys = [header_key(cell) for cell in cells]
    claimed: set[int] = set()
    columns: dict[str, int] = {}
    memo: list[int] = []
    for exact in (True, False):
        for name in TABLE_FIELDS:
            if name in columns:
                continue
            for alias in map(header_key, profile.header_aliases.get(name, ())):
                hits = [i for i, key in enumerate(keys) if i not in claimed and _fits(key, alias, exact)]
                claimed.update(hits if name == "memo" else hits[:1])
                if name == "memo":
                    memo.extend(hits)
                elif hits:
                    columns[name] = hits[0]
                    break
    names = tuple(text(cell) or "" for cell in cells)
    return Header(line_no, position, columns, tuple(memo), names)


def _fits(key: str, alias: str, exact: bool) -> bool:
    if exact:
        return key == alias
    return key.startswith(alias) and key[len(alias) : len(alias) + 1] in _QUALIFIERS


def find_header(rows: Sequence[Row], profile: BankProfile) -> Header | None:
    """The row among the first ones that the profile explains best (the earliest of equals), if any."""
    best: Header | None = None
    for position, (line_no, cells) in enumerate(rows[:SCAN_ROWS]):
        header = match_header(line_no, position, cells, profile)
        if header.explained and (best is None or header.explained > best.explained):
            best = header
    return best


def detect_profile(rows: Sequence[Row], profiles: Sequence[BankProfile]) -> BankProfile:
    """The profile that explains the most header cells of a readable header; refuses when none fits."""
    best: tuple[int, int, BankProfile] | None = None
    for profile in profiles:
        header = find_header(rows, profile)
        if header is None or _missing(header, profile):
            continue
        rank = (header.explained, -header.position)
        if best is None or rank > best[:2]:
            best = (*rank, profile)
    if best is None:
        accepted = ", ".join(f"{profile.code} ({profile.name})" for profile in profiles)
        raise refuse(None, None, NO_PROFILE, rows=SCAN_ROWS, accepted=accepted)
    return best[2]


def header_for(rows: Sequence[Row], profile: BankProfile) -> Header:
    """The profile's header row; refuses naming the missing columns and the headers found."""
    header = find_header(rows, profile)
    if header is None:
        expected = ", ".join(aliases[0] for aliases in profile.header_aliases.values())
        raise refuse(None, None, NO_HEADER, profile=profile.name, rows=SCAN_ROWS, expected=expected)
    missing = _missing(header, profile)
    if missing:
        headers = ", ".join(name for name in header.names if name)
        raise StatementRejected(
            Problem(header.line_no, column, MISSING_COLUMN, {"headers": headers}) for column in missing
        )
    return header


def _missing(header: Header, profile: BankProfile) -> list[str]:
    """The header texts of the required columns the header lacks."""
    aliases = profile.header_aliases
    first = {name: texts[0] for name, texts in aliases.items()}
    found = header.columns.keys()
    missing = [first["booked_on"]] if "booked_on" not in found and "booked_on" in first else []
    if header.layout is None:
        if {"debit", "credit"} & found:
            missing += [first[name] for name in ("debit", "credit") if name not in found]
        else:
            missing.append(" / ".join(first[name] for name in ("debit", "credit", "amount") if name in first))
    elif header.layout == "signed" and not profile.signed_amounts and "direction" in first:
        missing.append(first["direction"])
    return missing
