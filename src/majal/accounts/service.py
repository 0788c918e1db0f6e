"""Staff accounts: creation, login with rate limiting, sessions and API keys."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from majal.accounts import repository, staff
from majal.accounts.models import ApiKey, LoginBucket, User, UserSession
from majal.db import write_apart
from majal.kit import audit
from majal.kit.audit import utcnow
from majal.kit.errors import Conflict, MajalError, NotFound, TooManyRequests, Unauthorized
from majal.kit.i18n import N_
from majal.kit.security import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Role,
    hash_password,
    is_common_password,
    keyed_digest,
    new_token,
    password_needs_rehash,
    token_digest,
    verify_password,
)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
API_KEY_PREFIX = "mjl_"
SESSION_EXPIRED = N_("Your session has expired. Please sign in again.")
SIGN_IN_REQUIRED = N_("Please sign in to continue.")
BAD_CREDENTIALS = N_("Wrong username or password.")
TOO_MANY_FAILURES = N_("Too many failed sign-in attempts. Try again in %(minutes)s minutes.")
IP_FAILURE_FACTOR = 4  # an office behind one address gets more room than a single account
TOUCH_EVERY = timedelta(minutes=1)  # how stale "last seen" / "last used" may be
UNKNOWN_ACTOR = "unknown"  # what a failed sign-in with a name that is no account is recorded under


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    window: timedelta
    idle: timedelta
    lifetime: timedelta
    max_pause: timedelta = timedelta(hours=24)  # the pause doubles with each lockout in a row, up to this


def create_user(
    db: Session,
    username: str,
    password: str,
    role: str,
    department: str | None = None,
    full_name: str = "",
    actor: str = "cli",
    commune_code: str | None = None,
) -> User:
    username = username.strip().lower()
    _check_new_user(username, password, role, department)
    if repository.user_by_username(db, username) is not None:
        raise Conflict(N_("The username %(username)s is already taken."), where="username", username=username)
    user = User(
        username=username,
        full_name=full_name.strip()[:200],
        password_hash=hash_password(password),
        role=role,
        department=department if role == Role.agent else None,
        commune_code=(commune_code or "").strip()[:32] or None,
    )
    db.add(user)
    db.flush()
    audit.record(db, actor, "user.create", "user", user.id, {"username": username, "role": role})
    return user


def _check_new_user(username: str, password: str, role: str, department: str | None) -> None:
    if not USERNAME_PATTERN.match(username):
        raise MajalError(
            N_("A username has 3 to 64 characters: lower-case letters, digits, dot, dash or underscore."),
            where="username",
        )
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise MajalError(
            N_("A password needs at least %(min)s characters."), where="password", min=MIN_PASSWORD_LENGTH
        )
    if len(set(password)) == 1:
        raise MajalError(N_("A password cannot be one character repeated."), where="password")
    if username in password.lower():
        raise MajalError(N_("A password cannot contain the username."), where="password")
    if is_common_password(password):
        raise MajalError(N_("This password is one of the most common ones: choose another."), where="password")
    if role not in staff.roles():
        raise MajalError(
            N_("Unknown role %(role)s. Choose one of: %(choices)s."),
            where="role",
            role=role,
            choices=", ".join(staff.roles()),
        )
    if role == Role.agent and department not in staff.departments():
        raise MajalError(
            N_("An agent belongs to a department. Choose one of: %(choices)s."),
            where="department",
            choices=", ".join(staff.departments()),
        )


@dataclass(frozen=True)
class _Buckets:
    """The keyed hashes a sign-in is counted under: what was typed as the username, and the caller's address."""

    user: str
    ip: str

    @classmethod
    def of(cls, secret: str, username: str, ip: str) -> _Buckets:
        return cls(_user_bucket(secret, username), keyed_digest(secret, f"login-ip:{ip}"))

    def limits(self, policy: LoginPolicy) -> dict[str, int]:
        return {self.user: policy.max_failures, self.ip: policy.max_failures * IP_FAILURE_FACTOR}


def _user_bucket(secret: str, username: str) -> str:
    return keyed_digest(secret, f"login-user:{username}")


def authenticate(
    db: Session, username: str, password: str, ip: str, policy: LoginPolicy, secret: str
) -> User | None:
    """Check a sign-in. The attempt is counted as a failure before its password is checked, in a short
    transaction of its own, so parallel attempts cannot all pass the limit; a success takes it back. Refuses
    (429), without checking the password, while the username or the address is paused.

    Call it before `db` has written anything: the count's own transaction must not wait on this one."""
    username = _typed_username(username)
    buckets = _Buckets.of(secret, username, ip)
    found = _count_attempt(db.get_bind(), buckets, username, policy)
    ok = verify_password(found.password_hash if found else None, password) and found is not None and found.is_active
    user = db.get(User, found.id) if ok and found is not None else None
    audit.record(db, found.username if found else UNKNOWN_ACTOR, "login.success" if user else "login.failure",
                 "user", found.id if found else None, ip=ip)
    if user is None:
        return None
    _take_back(db, buckets, policy)
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _typed_username(username: str) -> str:
    return username.strip().lower()[:64]


def _count_attempt(bind: Engine | Connection, buckets: _Buckets, username: str, policy: LoginPolicy) -> User | None:
    """Count one attempt in both buckets (committed at once, so the next attempt sees it) and read the account;
    refuse, changing nothing, while a bucket is paused."""
    now = utcnow()
    limits = buckets.limits(policy)
    with Session(bind, expire_on_commit=False) as counting, counting.begin():
        repository.ensure_buckets(counting, list(limits), now)
        held = repository.locked_buckets(counting, list(limits))
        paused = [_aware(b.locked_until) for b in held if b.locked_until is not None and now < _aware(b.locked_until)]
        if paused:
            raise TooManyRequests(TOO_MANY_FAILURES, minutes=math.ceil((max(paused) - now).total_seconds() / 60))
        for counter in held:
            _count_failure(counter, limits[counter.key], now, policy)
        repository.forget_quiet_buckets(counting, now - policy.max_pause - policy.window, keep=list(limits))
        # A name no account can have is not looked up (PostgreSQL refuses a NUL byte, for one).
        return repository.user_by_username(counting, username) if USERNAME_PATTERN.match(username) else None


def _count_failure(counter: LoginBucket, limit: int, now: datetime, policy: LoginPolicy) -> None:
    """A fixed window of `policy.window`; reaching the limit pauses the bucket, twice as long as the time before
    when the lockouts follow each other, up to `policy.max_pause`."""
    window_end = _aware(counter.window_start) + policy.window
    if counter.locked_until is not None or now >= window_end:
        last_seen = max(window_end, _aware(counter.locked_until or counter.window_start))
        if now - last_seen >= policy.max_pause:
            counter.lockouts = 0  # quiet for long: the next lockout is a short one again
        counter.failures, counter.window_start, counter.locked_until = 0, now, None
    counter.failures += 1
    if counter.failures >= limit:
        counter.locked_until = now + pause_after(counter.lockouts, policy)
        counter.lockouts += 1


def pause_after(lockouts: int, policy: LoginPolicy) -> timedelta:
    """How long a bucket is paused when it reaches its limit after `lockouts` lockouts in a row."""
    return min(policy.window * 2 ** min(lockouts, 32), policy.max_pause)


def _take_back(db: Session, buckets: _Buckets, policy: LoginPolicy) -> None:
    """A successful sign-in: the account's counter starts afresh; the address gets its counted attempt back."""
    for counter in repository.locked_buckets(db, [buckets.user, buckets.ip]):
        if counter.key == buckets.user:
            db.delete(counter)
            continue
        counter.failures = max(counter.failures - 1, 0)
        if counter.locked_until is not None and counter.failures < buckets.limits(policy)[buckets.ip]:
            counter.locked_until, counter.lockouts = None, max(counter.lockouts - 1, 0)


def unlock_user(db: Session, secret: str, username: str, actor: str = "cli") -> User:
    """Lift the pause on an account (its failed sign-ins are forgotten); the address counters stay."""
    user = find_user(db, username)
    if user is None:
        raise NotFound(N_("There is no account named %(username)s."), where="username", username=username)
    for counter in repository.locked_buckets(db, [_user_bucket(secret, user.username)]):
        db.delete(counter)
    audit.record(db, actor, "user.unlock", "user", user.id, {"username": user.username})
    return user


def open_session(db: Session, user: User, policy: LoginPolicy) -> str:
    token = new_token()
    now = utcnow()
    db.add(
        UserSession(
            token_digest=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.lifetime,
        )
    )
    return token


def session_user(db: Session, token: str, policy: LoginPolicy) -> User:
    """The user behind a session cookie; refuses ended, idle or expired sessions."""
    found = repository.live_session(db, token_digest(token))
    if found is None or found.ended_at is not None or not found.user.is_active:
        raise Unauthorized(SIGN_IN_REQUIRED)
    now = utcnow()
    if now >= _aware(found.expires_at) or now - _aware(found.last_seen_at) > policy.idle:
        raise Unauthorized(SESSION_EXPIRED)
    if now - _aware(found.last_seen_at) > TOUCH_EVERY:  # once a minute, apart: a page view takes no row lock
        session_id = found.id
        write_apart(db, lambda apart: repository.touch_session(apart, session_id, now, now - TOUCH_EVERY))
    return found.user


def close_session(db: Session, token: str) -> None:
    found = repository.live_session(db, token_digest(token))
    if found is not None and found.ended_at is None:
        found.ended_at = utcnow()
        audit.record(db, found.user.username, "logout", "user", found.user_id)


def create_api_key(db: Session, name: str, actor: str = "cli") -> str:
    """Create a key for an integration; the key itself is shown once and only its digest is kept."""
    name = name.strip()
    if not 1 <= len(name) <= 100 or not name.isprintable():
        raise MajalError(N_("An API key needs a name of 1 to 100 printable characters."), where="name")
    if repository.api_key_by_name(db, name) is not None:
        raise Conflict(N_("An API key named %(name)s already exists."), where="name", name=name)
    prefix = new_token(6)[:8]
    key = f"{API_KEY_PREFIX}{prefix}_{new_token(32)}"
    record = ApiKey(name=name, prefix=prefix, key_digest=token_digest(key))
    db.add(record)
    db.flush()
    audit.record(db, actor, "apikey.create", "api_key", record.id, {"name": name, "prefix": prefix})
    return key


def api_key_for(db: Session, key: str) -> ApiKey:
    found = repository.api_key_by_digest(db, token_digest(key)) if key.startswith(API_KEY_PREFIX) else None
    if found is None or found.revoked_at is not None:
        raise Unauthorized(N_("Unknown or revoked API key."))
    now = utcnow()
    if found.last_used_at is None or now - _aware(found.last_used_at) > TOUCH_EVERY:
        # Apart from the caller's transaction: integrations sharing one key must not queue on its row.
        key_id = found.id
        write_apart(db, lambda apart: repository.touch_api_key(apart, key_id, now, now - TOUCH_EVERY))
    return found


def list_users(db: Session) -> list[User]:
    return repository.users(db)


def staff_visible_to(db: Session, viewer: User) -> list[User]:
    """The staff accounts `viewer` may list: all of them for an admin, none for anyone else."""
    return list_users(db) if viewer.role == Role.admin else []


def find_user(db: Session, username: str) -> User | None:
    return repository.user_by_username(db, username.strip().lower())


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
