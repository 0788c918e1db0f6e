"""Security primitives: password hashing, random tokens, keyed digests and CSRF tokens. No database here."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

log = logging.getLogger("majal")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


class StaffMember(Protocol):
    """What the domains' rules need to know of the staff member who acts (majal.accounts' User is one): they never
    reach into the accounts' tables."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def department(self) -> str | None: ...
    @property
    def commune_code(self) -> str | None: ...
    @property
    def is_active(self) -> bool: ...


class HashCost(StrEnum):
    """How much work an argon2id password hash costs (setting MAJAL_PASSWORD_HASH_COST)."""

    strong = "strong"  # every real install: argon2-cffi's default, RFC 9106's low-memory profile
    test = "test"  # the test suite only, which creates and signs in accounts thousands of times


_HASHERS = {
    HashCost.strong: PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY),  # 3 passes over 64 MiB, 4 lanes
    HashCost.test: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),  # the least argon2id accepts
}
_cost = HashCost.strong


def use_hash_cost(cost: HashCost | str) -> None:
    """Hash new passwords at `cost` in this process. Verifying reads the cost from each hash, and a sign-in
    rehashes a password whose hash was made at another cost, so a database filled at the test cost is upgraded
    account by account once the strong one is in force."""
    global _cost
    _cost = HashCost(cost)
    if _cost is not HashCost.strong:
        log.warning("MAJAL_PASSWORD_HASH_COST=%s: passwords are hashed at a cost fit for tests only", _cost.value)


def hash_cost() -> HashCost:
    return _cost


def password_hasher() -> PasswordHasher:
    """The hasher new passwords are hashed with in this process."""
    return _HASHERS[_cost]


@cache
def _dummy_hash(cost: HashCost) -> str:
    """Verifying against this keeps the time of a login for an unknown user equal to that of a known one."""
    return _HASHERS[cost].hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    """The roles the code compares against. Which roles an account may have is what the installed domains declare
    (`Domain.roles`, majal.accounts.staff); a new domain names its own roles as plain strings."""

    admin = "admin"
    manager = "manager"
    agent = "agent"
    social_worker = "social_worker"
    inspector = "inspector"
    programme_officer = "programme_officer"




def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return password_hasher().verify(password_hash or _dummy_hash(_cost), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords (see data/README.md for where the list comes from)."""
    listed = (Path(__file__).parent / "data" / "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(listed.split())


def is_common_password(password: str) -> bool:
    return password.strip().lower() in _common_passwords()


def password_needs_rehash(password_hash: str) -> bool:
    return password_hasher().check_needs_rehash(password_hash)


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """Tokens are stored only as digests, so a stolen database does not yield live sessions or keys."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def keyed_digest(secret: str, value: str) -> str:
    return hmac.new(secret.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_token(secret: str, browser_token: str) -> str:
    """Signed double-submit token: the form carries an HMAC of the browser's own random cookie."""
    return keyed_digest(secret, "csrf:" + browser_token)


def csrf_valid(secret: str, browser_token: str | None, submitted: str | None) -> bool:
    if not browser_token or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, browser_token), submitted)
