"""Passwords, web sessions, API tokens, the login rate limit and the role matrix (no routes: app.py wires them).

Secrets at rest: passwords as argon2id hashes; session cookies and API tokens are 256-bit random strings stored
only as their SHA-256 (a database leak yields nothing that logs in; a fast hash suffices because the secrets are
random, not chosen by people). Times come in as arguments (`now`, timezone-aware) so tests need no clock.

Login rate limit (`LOGIN_POLICY`, kept in the login_attempts table so it holds across restarts and processes):

| key      | failures allowed | window | reset by a success            |
|----------|------------------|--------|-------------------------------|
| username | 5                | 15 min | yes: only failures since the last success for that username count |
| client   | 20               | 15 min | no (one good account must not unlock guessing at others)          |

The window slides: the 6th attempt is refused until the oldest of the 5 counted failures is 15 minutes old, and
`retry_after` says how many seconds that is. Refused attempts are not recorded (the password was never checked),
so a lockout cannot be extended by hammering. An empty client (address unknown) skips the per-client limit
rather than putting every such caller in one shared bucket. Two concurrent logins may both pass the check before
either is recorded, so the limit can be exceeded by the number of simultaneous requests; that is acceptable.

Roles (`can(role, action)`; an unknown role or action is refused):

| action    | admin | engineer | reviewer | viewer | what it covers                                  |
|-----------|-------|----------|----------|--------|-------------------------------------------------|
| read      | yes   | yes      | yes      | yes    | see assessments, results, reports              |
| write     | yes   | yes      |          |        | create, upload, run                             |
| approve   | yes   |          | yes      |        | approve and lock a version                      |
| admin     | yes   |          |          |        | users, other people's tokens, the audit log     |

`ROLE_RANK` orders roles by how much they may do (the number of actions above). Engineer and reviewer share a
rank because neither's rights contain the other's: use `can` for permissions, the rank only for sorting and for
"a higher rank may do everything a lower one may".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error, InvalidHashError
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.errors import InputError, Location, MilkprintError, Text
from milkprint.store.models import ROLES, ApiToken, LoginAttempt, User, WebSession

# --- passwords --------------------------------------------------------------------------------------------------

# argon2id, t=3, m=64 MiB, p=4 (RFC 9106's second recommendation). Pinned rather than the library default so a
# library upgrade does not silently change the cost; change it here and `needs_rehash` upgrades hashes at login.
_HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """An argon2id hash (salted, self-describing) to store in User.password_hash."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True only if the password matches; a mismatch, a malformed hash or an unencodable password give False."""
    try:
        return _HASHER.verify(password_hash, password)
    except (Argon2Error, InvalidHashError, UnicodeError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with other parameters than ours (or cannot be read), so it should be redone."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def check_password_strength(password: str, username: str) -> list[Text]:
    """The minimum policy's objections to a new password (empty if it is acceptable)."""
    problems: list[Text] = []
    try:
        password.encode("utf-8")
    except UnicodeError:
        problems.append(Text("密码含有无法识别的字符。", "The password contains characters that cannot be encoded."))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Text(
                f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。",
                f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.",
            )
        )
    if password.isdigit():
        problems.append(Text("密码不能全部是数字。", "The password must not be all digits."))
    if username and password.strip().casefold() == username.strip().casefold():
        problems.append(Text("密码不能与用户名相同。", "The password must not be the same as the username."))
    return problems


@cache
def _dummy_hash() -> str:
    """A hash of a random password with our parameters: unknown users are verified against it, costing the same."""
    return hash_password(secrets.token_urlsafe(16))


# --- random secrets ---------------------------------------------------------------------------------------------

TOKEN_PREFIX = "mpt_"
TOKEN_DISPLAY_LENGTH = 12
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)  # last_used_at is written at most this often per token
SESSION_LIFETIME = dt.timedelta(hours=12)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def token_digest(plaintext: str) -> str:
    """What is stored for a token or a session cookie: the SHA-256 of the plaintext, in hex."""
    return _sha256(plaintext)


def new_api_token() -> tuple[str, str, str]:
    """A fresh API token: (plaintext shown once, its digest to store, a prefix to tell tokens apart in lists)."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return plaintext, token_digest(plaintext), plaintext[:TOKEN_DISPLAY_LENGTH]


def new_session() -> tuple[str, str]:
    """A fresh session id: (cookie value, its digest to store)."""
    cookie = secrets.token_urlsafe(32)
    return cookie, token_digest(cookie)


def new_csrf_token() -> str:
    """A per-session CSRF token (43 URL-safe characters), sent back by the browser in a header on unsafe methods."""
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    """Constant-time equality of two secrets; any text (even non-ASCII from a header) is accepted."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


# --- time -------------------------------------------------------------------------------------------------------


def _now(now: dt.datetime) -> dt.datetime:
    """An injected `now` in UTC; a naive one is refused, since local time would silently shift every comparison."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(dt.UTC)


def _stored(value: dt.datetime) -> dt.datetime:
    """A timestamp read back from the database in UTC (SQLite returns naive UTC, PostgreSQL aware)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# --- web sessions -----------------------------------------------------------------------------------------------


def create_session(
    session: Session, user_id: int, now: dt.datetime, lifetime: dt.timedelta = SESSION_LIFETIME
) -> tuple[str, WebSession]:
    """Start a browser session; returns the cookie plaintext (never stored) and the row with its CSRF token."""
    now = _now(now)
    cookie, digest = new_session()
    row = WebSession(
        id_hash=digest, user_id=user_id, csrf_token=new_csrf_token(), created_at=now, expires_at=now + lifetime
    )
    session.add(row)
    session.flush()
    return cookie, row


def session_user(session: Session, cookie: str, now: dt.datetime) -> tuple[User, WebSession] | None:
    """The active user behind a cookie, or None; an expired session, or one of a deactivated user, is deleted."""
    now = _now(now)
    row = session.get(WebSession, token_digest(cookie))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active or _stored(row.expires_at) <= now:
        session.delete(row)  # a deactivated user stays logged out if reactivated later
        session.flush()
        return None
    return user, row


def end_session(session: Session, cookie: str) -> bool:
    """Log out: delete the session row; False if there was none."""
    row = session.get(WebSession, token_digest(cookie))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


# --- API tokens -------------------------------------------------------------------------------------------------


def create_api_token(session: Session, user_id: int, name: str, now: dt.datetime) -> tuple[str, ApiToken]:
    """Issue a token for a user; returns the plaintext (show it once) and the stored row (digest and prefix only)."""
    now = _now(now)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InputError.at(
            Location(column="name"), "令牌名称须为 1 到 100 个字符。", "A token name must be 1 to 100 characters."
        )
    plaintext, digest, prefix = new_api_token()
    row = ApiToken(user_id=user_id, name=name, token_hash=digest, prefix=prefix, created_at=now)
    session.add(row)
    session.flush()
    return plaintext, row


def token_user(session: Session, bearer: str, now: dt.datetime) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token, or None if unknown, revoked or the user is inactive.

    last_used_at is refreshed at most once per TOKEN_TOUCH_INTERVAL, so a busy machine does not write per request.
    Lookup by digest needs no constant-time care: the digest of a random secret tells an attacker nothing useful.
    """
    now = _now(now)
    if not bearer.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(bearer)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - _stored(row.last_used_at) >= TOKEN_TOUCH_INTERVAL:
        row.last_used_at = now
        session.flush()
    return user, row


def revoke_api_token(session: Session, token_id: int, user_id: int, now: dt.datetime) -> bool:
    """Revoke a token owned by `user_id`; False if there is no such live token of theirs (already revoked included).

    An admin revoking someone else's token passes that token's owner, after checking can(role, "admin").
    """
    now = _now(now)
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    session.flush()
    return True


# --- login rate limit -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginLimit:
    """At most `max_failures` failed logins per `key` within `window`; optionally counting only since a success."""

    key: Literal["username", "client"]
    max_failures: int
    window: dt.timedelta
    reset_on_success: bool


LOGIN_POLICY: tuple[LoginLimit, ...] = (
    LoginLimit("username", 5, dt.timedelta(minutes=15), reset_on_success=True),
    LoginLimit("client", 20, dt.timedelta(minutes=15), reset_on_success=False),
)

_USERNAME_LENGTH = 100  # LoginAttempt.username
_CLIENT_LENGTH = 64  # LoginAttempt.client


class RateLimited(MilkprintError):
    """Too many failed logins; the door answers 429 with Retry-After: retry_after."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            Text(
                f"登录失败次数过多，请在 {retry_after} 秒后重试。",
                f"Too many failed logins; try again in {retry_after} seconds.",
            )
        )


def _retry_for(session: Session, limit: LoginLimit, value: str, now: dt.datetime) -> int | None:
    """Seconds until `limit` allows another attempt for this username or client, or None if it allows one now."""
    column = LoginAttempt.username if limit.key == "username" else LoginAttempt.client
    since = now - limit.window
    if limit.reset_on_success:
        last_success = session.scalar(
            select(LoginAttempt.at)
            .where(column == value, LoginAttempt.success.is_(True), LoginAttempt.at > since)
            .order_by(LoginAttempt.at.desc())
            .limit(1)
        )
        if last_success is not None:
            since = _stored(last_success)
    # The max_failures-th most recent failure in the window: while it is inside the window, the limit is reached.
    blocking = session.scalar(
        select(LoginAttempt.at)
        .where(column == value, LoginAttempt.success.is_(False), LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc())
        .offset(limit.max_failures - 1)
        .limit(1)
    )
    if blocking is None:
        return None
    return max(1, math.ceil((_stored(blocking) + limit.window - now).total_seconds()))


def login_retry_after(
    session: Session, username: str, client: str, now: dt.datetime, policy: tuple[LoginLimit, ...] = LOGIN_POLICY
) -> int | None:
    """Seconds a login for this username from this client must wait, or None if it may be tried now."""
    now = _now(now)
    keys = {"username": username[:_USERNAME_LENGTH], "client": client[:_CLIENT_LENGTH]}
    waits = [
        wait
        for limit in policy
        if keys[limit.key]  # an unknown client shares no bucket with other unknown clients
        and (wait := _retry_for(session, limit, keys[limit.key], now)) is not None
    ]
    return max(waits) if waits else None


def record_login(session: Session, username: str, client: str, success: bool, now: dt.datetime) -> LoginAttempt:
    """Keep one login attempt (history is never erased; a success only stops older failures from counting)."""
    row = LoginAttempt(
        username=username[:_USERNAME_LENGTH], client=client[:_CLIENT_LENGTH], success=success, at=_now(now)
    )
    session.add(row)
    session.flush()
    return row


def authenticate(
    session: Session,
    username: str,
    password: str,
    client: str,
    now: dt.datetime,
    policy: tuple[LoginLimit, ...] = LOGIN_POLICY,
) -> User | None:
    """The user if the password is right and they are active, else None; raises RateLimited before checking.

    An unknown username is verified against a dummy hash, so the response time does not reveal which names exist;
    an inactive user with the right password gets None and counts as a failure. A successful login upgrades a hash
    made with older parameters.
    """
    retry = login_retry_after(session, username, client, now, policy)
    if retry is not None:
        raise RateLimited(retry)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(_dummy_hash(), password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.active
    record_login(session, username, client, ok, now)
    if not ok or user is None:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user


# --- roles ------------------------------------------------------------------------------------------------------

ACTIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "write": frozenset({"admin", "engineer"}),
    "approve": frozenset({"admin", "reviewer"}),
    "admin": frozenset({"admin"}),
}

ROLE_RANK: dict[str, int] = {role: sum(role in allowed for allowed in ACTIONS.values()) for role in ROLES}


def can(role: str, action: str) -> bool:
    """Whether a role may do an action (see the matrix above); unknown roles and actions are refused."""
    allowed = ACTIONS.get(action)
    return allowed is not None and role in allowed
