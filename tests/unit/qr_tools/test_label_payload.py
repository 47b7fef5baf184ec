"""The label payload: build, sign, parse; forged, truncated, foreign codes and key rotation."""

from __future__ import annotations

import pytest

from qr_tools.payload import Keyring, Rejection, SigningKey, build, parse, parse_keyring, signature
from qr_tools.render import qr_version

BASE = "https://leases.example.com"
OLD = SigningKey("2025", b"old-secret-old-secret")
NEW = SigningKey("2026", b"new-secret-new-secret")
KEYS = Keyring((NEW,))


def test_a_built_label_parses_back_to_its_asset_with_a_valid_signature() -> None:
    url = build(BASE, "SH-LJZ-1201", KEYS)
    assert url.startswith(f"{BASE}/a/SH-LJZ-1201?s=1")
    scan = parse(url, KEYS, BASE)
    assert (scan.verified, scan.asset_code, scan.key_id, scan.version) == (True, "SH-LJZ-1201", "2026", 1)


def test_the_payload_stays_a_low_qr_version_even_for_long_codes() -> None:
    assert qr_version(build(BASE, "SH-LJZ-T2-B1-1201", KEYS)) <= 4
    assert qr_version(build("http://127.0.0.1:8000", "A" * 30, KEYS)) <= 5


def test_a_forged_signature_is_refused_but_names_the_asset() -> None:
    url = build(BASE, "SH-01-0101", KEYS)
    forged = url.replace("SH-01-0101", "SH-01-0102")
    scan = parse(forged, KEYS, BASE)
    assert (scan.rejection, scan.asset_code, scan.verified) == (Rejection.BAD_SIGNATURE, "SH-01-0102", False)


@pytest.mark.parametrize("cut", [1, 3, 9])
def test_a_truncated_code_is_malformed(cut: int) -> None:
    url = build(BASE, "SH-01-0101", KEYS)
    assert parse(url[:-cut], KEYS, BASE).rejection is Rejection.MALFORMED


def test_a_code_without_signature_is_malformed() -> None:
    assert parse(f"{BASE}/a/SH-01-0101", KEYS, BASE).rejection is Rejection.MALFORMED


def test_a_label_re_signed_with_another_key_is_refused() -> None:
    other = Keyring((SigningKey("evil", b"someone-elses-secret"),))
    assert parse(build(BASE, "SH-01-0101", other), KEYS, BASE).rejection is Rejection.BAD_SIGNATURE


def test_after_rotation_old_labels_verify_while_their_key_is_listed_and_new_ones_use_the_new_key() -> None:
    old_label = build(BASE, "SH-01-0101", Keyring((OLD,)))
    rotated = Keyring((NEW, OLD))
    assert parse(old_label, rotated, BASE).key_id == "2025"
    new_label = build(BASE, "SH-01-0101", rotated)
    assert parse(new_label, rotated, BASE).key_id == "2026"
    retired = Keyring((NEW,))
    assert parse(old_label, retired, BASE).rejection is Rejection.BAD_SIGNATURE


@pytest.mark.parametrize(
    "text",
    [
        "wxp://f2f0abcdefghijklmnop",  # a WeChat Pay code
        "00020101021126330014br.gov.bcb.pix",  # an EMVCo merchant payment code
        "hello",
        "",
    ],
)
def test_payment_codes_and_plain_text_are_not_urls(text: str) -> None:
    assert parse(text, KEYS, BASE).rejection is Rejection.NOT_A_URL


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/a/SH-01-0101?s=1AAAAAAAA",
        "https://leases.example.com/products/42",
        "http://leases.example.com/a/SH-01-0101?s=1AAAAAAAA",
    ],
)
def test_urls_of_other_sites_or_pages_are_foreign(text: str) -> None:
    assert parse(text, KEYS, BASE).rejection is Rejection.FOREIGN


def test_an_unknown_payload_version_is_named() -> None:
    url = build(BASE, "SH-01-0101", KEYS).replace("?s=1", "?s=7")
    assert parse(url, KEYS, BASE).rejection is Rejection.UNSUPPORTED_VERSION


@pytest.mark.parametrize(
    "suffix", ["a/../x?s=1AAAAAAAA", "a/SH 01?s=1AAAAAAAA", "a/SH-01?s=1AAAAAAAA&x=1", "a/SH-01?s=1AAAA$AAA"]
)
def test_garbled_label_addresses_are_malformed(suffix: str) -> None:
    assert parse(f"{BASE}/{suffix}", KEYS, BASE).rejection is Rejection.MALFORMED


def test_a_base_url_with_a_path_prefix_is_kept() -> None:
    base = "https://example.com/leasekeeper/"
    url = build(base, "X1", KEYS)
    assert url.startswith("https://example.com/leasekeeper/a/X1?s=")
    assert parse(url, KEYS, base).verified


def test_the_signature_covers_the_version() -> None:
    assert signature(NEW, "X1", 1) != signature(NEW, "X1", 2)


def test_a_keyring_reads_from_configuration_text_with_the_first_key_signing() -> None:
    keyring = parse_keyring("2026:new-secret-new-secret, 2025:old-secret-old-secret")
    assert [key.key_id for key in keyring.keys] == ["2026", "2025"]
    assert keyring.signing_key.secret == b"new-secret-new-secret"
    assert "new-secret" not in repr(keyring)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nokey", "kid:secret"),
        ("k1:short", "shorter than 16"),
        ("k1:long-enough-secret-1,k1:long-enough-secret-2", "unique"),
        ("k 1:long-enough-secret-1", "kid:secret"),
    ],
)
def test_bad_keyring_text_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_keyring(text)


def test_building_a_label_for_an_unprintable_code_is_refused() -> None:
    with pytest.raises(ValueError, match="asset code"):
        build(BASE, "bad code/1", KEYS)
