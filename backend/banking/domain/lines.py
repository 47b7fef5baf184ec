"""What becomes of an imported bank line: reconciled, waiting on the difference list, or set aside."""

from __future__ import annotations

import enum


class LineState(enum.StrEnum):
    """A bank line's place in reconciliation."""

    UNMATCHED = "unmatched"  # money in that no rule settled yet: the difference list
    MATCHED = "matched"  # recorded as a customer's payment (or a deposit), by a rule or a person
    IGNORED = "ignored"  # set aside by a person with a reason (interest, a transfer between our accounts)
    OUTGOING = "outgoing"  # money out: not a receivable's concern
