"""Staff accounts: creation, login with rate limiting, sessions and API keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from majal.accounts import repository
from majal.accounts.models import ApiKey, LoginAttempt, User, UserSession
from majal.db import write_apart
from majal.kit import audit
from majal.kit.audit import utcnow
from majal.kit.errors import Conflict, MajalError, TooManyRequests, Unauthorized
from majal.kit.i18n import N_
from majal.kit.security import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Department,
    Role,
    hash_password,
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
IP_FAILURE_FACTOR = 4  # an office behind one address gets more room than a single account
TOUCH_EVERY = timedelta(minutes=1)  # how stale "last seen" / "last used" may be


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    window: timedelta
    idle: timedelta
    lifetime: timedelta


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
    if role not in Role.__members__:
        raise MajalError(
            N_("Unknown role %(role)s. Choose one of: %(choices)s."),
            where="role",
            role=role,
            choices=", ".join(Role),
        )
    if role == Role.agent and department not in Department.__members__:
        raise MajalError(
            N_("An agent belongs to a department. Choose one of: %(choices)s."),
            where="department",
            choices=", ".join(Department),
        )


def authenticate(db: Session, username: str, password: str, ip: str, policy: LoginPolicy) -> User | None:
    """Check a login. Refuses (429) after too many recent failures; records every attempt."""
    username = username.strip().lower()[:64]
    now = utcnow()
    by_user, by_ip = repository.failures_since(db, now - policy.window, username, ip)
    if by_user >= policy.max_failures or by_ip >= policy.max_failures * IP_FAILURE_FACTOR:
        raise TooManyRequests(
            N_("Too many failed sign-in attempts. Try again in %(minutes)s minutes."),
            minutes=int(policy.window.total_seconds() // 60),
        )
    user = repository.user_by_username(db, username)
    ok = (
        verify_password(user.password_hash if user else None, password)
        and user is not None
        and user.is_active
    )
    db.add(LoginAttempt(username=username, ip=ip, succeeded=ok))
    audit.record(
        db, username, "login.success" if ok else "login.failure", "user", user.id if user else None, ip=ip
    )
    if not ok or user is None:
        return None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
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


def find_user(db: Session, username: str) -> User | None:
    return repository.user_by_username(db, username.strip().lower())


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
