"""The outbound allow-list and the checks on a webhook URL, without resolving anything."""

from __future__ import annotations

import pytest

from backend.notify.domain.outbound import (
    check_webhook_url,
    is_allowed,
    is_internal_address,
    parse_allowed_hosts,
)

ALLOWED = "hooks.example.com, *.tenant.example, 127.0.0.1"


def test_the_setting_is_split_trimmed_and_lower_cased() -> None:
    assert parse_allowed_hosts(" Hooks.Example.COM ,, *.Tenant.example., ") == (
        "hooks.example.com",
        "*.tenant.example",
    )
    assert parse_allowed_hosts("") == ()


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/leasekeeper",
        "https://HOOKS.example.com:8443/in?token=abc",
        "https://erp.tenant.example/hooks",
        "https://a.b.tenant.example/",
        "http://127.0.0.1:8080/hook",
    ],
)
def test_urls_to_listed_hosts_are_fine(url: str) -> None:
    assert check_webhook_url(url, ALLOWED) == []


def test_a_pattern_matches_subdomains_not_the_domain_itself() -> None:
    allowed = parse_allowed_hosts("*.tenant.example")
    assert is_allowed("erp.tenant.example", allowed)
    assert not is_allowed("tenant.example", allowed)
    assert not is_allowed("eviltenant.example", allowed)


def test_a_host_outside_the_list_is_named() -> None:
    assert check_webhook_url("https://attacker.example/x", ALLOWED) == [
        "The host attacker.example is not in the outbound allow-list (OUTBOUND_ALLOWED_HOSTS)."
    ]


def test_an_empty_list_allows_nothing() -> None:
    assert check_webhook_url("https://hooks.example.com/", "") != []


def test_plain_http_needs_the_host_listed_by_name() -> None:
    problems = check_webhook_url("http://erp.tenant.example/hooks", ALLOWED)
    assert problems == [
        "Plain http is only allowed to a host listed by name; use https for erp.tenant.example."
    ]
    assert check_webhook_url("http://hooks.example.com/", ALLOWED) == []


def test_credentials_in_the_url_are_refused() -> None:
    assert check_webhook_url("https://user:pw@hooks.example.com/", ALLOWED) == [
        "The webhook URL must not contain a user name or password."
    ]


@pytest.mark.parametrize(
    "url",
    [
        "",
        "hooks.example.com/in",
        "ftp://hooks.example.com/",
        "https://hooks.example.com:99999/",
        "https:// x/",
    ],
)
def test_what_is_not_an_http_url_is_refused(url: str) -> None:
    assert check_webhook_url(url, ALLOWED) != []


def test_an_overlong_url_is_refused() -> None:
    assert check_webhook_url("https://hooks.example.com/" + "a" * 2000, ALLOWED) == [
        "The webhook URL is longer than 2000 characters."
    ]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.10",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "fe80::1%eth0",
        "fd00::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",  # noqa: S104 - an address under test, nothing binds to it
        "224.0.0.1",
        "not-an-ip",
    ],
)
def test_internal_addresses_are_recognised(address: str) -> None:
    assert is_internal_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "203.119.0.1", "2400:3200::1"])
def test_public_addresses_are_not_internal(address: str) -> None:
    assert not is_internal_address(address)
