"""Password hashing with argon2id; cost parameters come from configuration."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.core.domain.errors import N_

_hasher = PasswordHasher()
MIN_LENGTH = 10


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


def password_problems(password: str, username: str) -> list[str]:
    """Why a new password is refused, if it is."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(N_("Use at least 10 characters."))
    if password.strip().lower() == username.strip().lower():
        problems.append(N_("The password must differ from the username."))
    return problems
