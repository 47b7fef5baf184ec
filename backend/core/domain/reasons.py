"""Whether a reason someone must give says something ("." or "ok" do not)."""

from __future__ import annotations

# This much weight of letters and digits, where a Chinese character weighs two: 视频确认 ("confirmed by
# video") passes, "." or "ok" or 确认 do not.
MIN_WEIGHT = 8
MIN_DISTINCT = 3


def weight(text: str) -> int:
    """How much a text says: letters and digits count one, CJK characters two; the rest nothing."""
    total = 0
    for char in text:
        if "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff":
            total += 2
        elif char.isalnum():
            total += 1
    return total


def says_something(text: str | None) -> bool:
    """Whether a reason is of real length: enough weight, and not one or two characters repeated."""
    reason = (text or "").strip()
    return weight(reason) >= MIN_WEIGHT and len(set(reason)) >= MIN_DISTINCT
