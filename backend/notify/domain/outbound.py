"""Where LeaseKeeper may send a webhook: the outbound allow-list and the checks on a webhook's URL.

`OUTBOUND_ALLOWED_HOSTS` lists host names (`hooks.example.com`) and suffix patterns (`*.example.com`, which
matches the subdomains, not `example.com` itself). Nothing is resolved here: the service layer checks a URL
when it is configured, and the webhook adapter checks it again, with the addresses it resolves to, before
every send.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

MAX_URL_LENGTH = 2000


def parse_allowed_hosts(setting: str) -> tuple[str, ...]:
    """The entries of a comma-separated allow-list, lower-cased, without blanks."""
    return tuple(entry.strip().lower().rstrip(".") for entry in setting.split(",") if entry.strip())


def is_listed_exactly(host: str, allowed: tuple[str, ...]) -> bool:
    """Whether the host itself is an entry of the list (a pattern does not count)."""
    return host.lower().rstrip(".") in allowed


def is_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Whether the host is listed, by name or by a `*.suffix` pattern."""
    name = host.lower().rstrip(".")
    for entry in allowed:
        if entry.startswith("*."):
            if name.endswith(entry[1:]):
                return True
        elif name == entry:
            return True
    return False


def is_ip_literal(host: str) -> bool:
    """Whether a URL's host is an IP address rather than a name."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def is_internal_address(address: str) -> bool:
    """Whether an IP address is not on the public internet: private, loopback, link-local, reserved…"""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True  # what is not an address is not trusted as a public one
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_webhook_url(url: str, allowed: tuple[str, ...] | str) -> list[str]:
    """The problems of a webhook URL against the allow-list; empty when it may be used.

    The URL must be https, or plain http to a host listed exactly (not through a pattern); it must name a
    host in the allow-list and carry no user name or password.
    """
    entries = parse_allowed_hosts(allowed) if isinstance(allowed, str) else allowed
    if len(url) > MAX_URL_LENGTH:
        return [f"The webhook URL is longer than {MAX_URL_LENGTH} characters."]
    parts = split_url(url)
    if parts is None or not parts.hostname:
        return ["The webhook URL is not a valid http or https URL with a host."]
    host = parts.hostname
    problems: list[str] = []
    if parts.scheme not in {"https", "http"}:
        problems.append("The webhook URL must start with https://.")
    elif parts.scheme == "http" and not is_listed_exactly(host, entries):
        problems.append(f"Plain http is only allowed to a host listed by name; use https for {host}.")
    if parts.username is not None or parts.password is not None:
        problems.append("The webhook URL must not contain a user name or password.")
    if not is_allowed(host, entries):
        problems.append(f"The host {host} is not in the outbound allow-list (OUTBOUND_ALLOWED_HOSTS).")
    return problems


def split_url(url: str) -> SplitResult | None:
    """The URL's parts, None when it cannot be parsed (a bad port, stray brackets, whitespace)."""
    if not url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return None
    return parts
