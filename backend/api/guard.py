"""One guard at the door for every JSON body: its size, its nesting depth and its text, before any view.

A body that passes can be parsed without exhausting memory or the stack, and every string in it can be
stored (UTF-8 has no lone surrogates; a JSON `"\\udc80"` escape would otherwise reach the database driver).
Each refusal is the one error shape and names what is wrong: 413 for the size, 400 for the depth, 422 with
the path of the bad string.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Request

from backend.core.domain.errors import N_, DomainError, PayloadTooLarge, ValidationFailed

MAX_DEPTH = 32  # our deepest body (a sync push of an inspection's results) nests 6 levels
# Skips strings (with their escapes) so brackets inside them do not count; finds every bracket outside.
_STRUCTURE = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def nesting_depth(body: bytes, limit: int) -> int:
    """How deep arrays and objects nest in a JSON text, counting up to `limit + 1` at most."""
    depth = deepest = 0
    for match in _STRUCTURE.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def lone_surrogate_paths(value: Any, path: str = "") -> list[str]:
    """The paths (`items.0.note`) of strings, keys included, holding a lone surrogate."""
    found: list[str] = []
    if isinstance(value, str):
        if _SURROGATE.search(value):
            found.append(path or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _SURROGATE.search(str(key)):
                found.append(where.encode("utf-8", "backslashreplace").decode())
            found.extend(lone_surrogate_paths(item, where))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(lone_surrogate_paths(item, f"{path}.{index}" if path else str(index)))
    return found


def check_json_body(request: Request, max_bytes: int) -> None:
    """Refuse a JSON body that is too large, nested too deep or not valid Unicode text."""
    if not request.is_json or request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(N_("The JSON body is larger than %(max)s bytes."), max=max_bytes)
    request.max_content_length = max_bytes  # a body without Content-Length is cut off at the limit too
    body = request.get_data(cache=True)
    if nesting_depth(body, MAX_DEPTH) > MAX_DEPTH:
        refused = DomainError(N_("The JSON body nests deeper than %(max)s levels."), max=MAX_DEPTH)
        refused.fields = {"body": [N_("Nested too deep.")]}
        raise refused
    parsed = request.get_json(silent=True)
    if paths := lone_surrogate_paths(parsed):
        raise ValidationFailed(
            {path: [N_("Not valid Unicode text (a lone surrogate); send UTF-8 text.")] for path in paths}
        )
