"""Password hashing with argon2id; cost parameters come from configuration."""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from backend.core.domain.errors import N_

_hasher = PasswordHasher()
MIN_LENGTH = 10
# zxcvbn's scale: 3 is "safely unguessable" for an online attack that is throttled, as sign-in is.
MIN_STRENGTH = 3
STRENGTH_CHECKED_CHARACTERS = 72  # zxcvbn refuses longer input; what follows only adds strength


def configure(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Set the argon2 cost for this process (tests use a cheap one)."""
    global _hasher  # noqa: PLW0603 - one hasher per process, set once at start-up
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other cost parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


# A real hash to verify against when the username is unknown, so timing does not reveal it.
_DUMMY: list[str] = []


def burn_time(password: str) -> None:
    """Spend the time one verification takes."""
    if not _DUMMY:
        _DUMMY.append(_hasher.hash("not-a-real-password"))
    verify_password(_DUMMY[0], password)


def password_problems(password: str, username: str, also_avoid: Sequence[str] = ()) -> list[str]:
    """Why a new password is refused, if it is: too short, the username in it, or easy to guess.

    Easy to guess is what zxcvbn finds: common passwords and words, repeats (`aaaaaaaaaa`), sequences
    (`1234567890`), keyboard walks, dates, and the username or `also_avoid` (the person's name, the
    product's) in any case or with common substitutions.
    """
    problems = []
    name = username.strip().lower()
    if len(password) < MIN_LENGTH:
        problems.append(N_("Use at least 10 characters."))
    if len(name) >= 3 and name in password.lower():
        problems.append(N_("The password must not contain the username."))
    elif password.strip().lower() == name:
        problems.append(N_("The password must differ from the username."))
    if not problems:
        avoid = [name, "leasekeeper", *(word for word in also_avoid if word)]
        if zxcvbn(password[:STRENGTH_CHECKED_CHARACTERS], user_inputs=avoid)["score"] < MIN_STRENGTH:
            problems.append(
                N_(
                    "This password is easy to guess: a common password, a repeat, a sequence or a date. "
                    "Use a few uncommon words together."
                )
            )
    return problems
