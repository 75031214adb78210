"""Passwords, web sessions, API tokens, the login rate limit and the role matrix (no routes: app.py wires them).

Secrets at rest: passwords as argon2id hashes; session cookies and API tokens are 256-bit random strings stored
only as their SHA-256 (a database leak yields nothing that logs in; a fast hash suffices because the secrets are
random, not chosen by people). Times come in as arguments (`now`, timezone-aware) so tests need no clock.

Login rate limit (`LOGIN_POLICY`, kept in the login_attempts table so it holds across restarts and processes;
usernames are counted by their key, `username_key`, so `DEMO` and `demo` share one count):

| key                | failures  | window | then                                         | reset by a success          |
|--------------------|-----------|--------|----------------------------------------------|-----------------------------|
| (username, client) | 5         | 15 min | refused until the oldest of the 5 leaves the window (a lock) | yes, of that pair |
| username           | 10        | 15 min | each attempt waits 1 s × 2^(failures − 10) after the latest failure, at most 2 min (a slow-down) | yes, of that username |
| client             | 20        | 15 min | refused until the oldest of the 20 leaves the window | no (one good account must not unlock guessing at others) |

So a guesser from one address gets 5 tries at an account; with many addresses, about 20 tries per 15 minutes in
all, and the owner, from their own address, is never locked out by anyone else: at worst they wait 2 minutes. A
lock's window slides: the 6th attempt from the pair is refused until the oldest counted failure is 15 minutes old,
and `retry_after` says how many seconds that is. Refused attempts are not recorded (the password was never
checked), so a lock cannot be extended by hammering. An empty client (address unknown) skips the pair and client
limits rather than putting every such caller in one shared bucket, where one could lock the others out; the
username's slow-down still applies. Two concurrent logins may both pass the check before either is recorded, so the
limits can be exceeded by the number of simultaneous requests; that is acceptable.

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
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error, InvalidHashError
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from milkprint.errors import InputError, Location, MilkprintError, Text
from milkprint.store.models import ROLES, ApiToken, LoginAttempt, User, WebSession, username_key

# --- passwords --------------------------------------------------------------------------------------------------

# argon2id, t=3, m=64 MiB, p=4 (RFC 9106's second recommendation). Pinned rather than the library default so a
# library upgrade does not silently change the cost; change it here and `needs_rehash` upgrades hashes at login.
_HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)

MIN_PASSWORD_LENGTH = 10
MIN_DISTINCT_CHARACTERS = 4
MIN_GUESSES = 10**6  # zxcvbn's estimate; below it (its scores 0 and 1) a password falls to a throttled online attack
_ESTIMATE_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters decide whether a password is guessable


def normalise_password(password: str) -> str:
    """The form a password is hashed and checked in (NFKC): `ｐａｓｓ１` typed on a full-width keyboard and `pass1`
    are one password, and composed and decomposed accents do not lock a person out on another device."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """An argon2id hash (salted, self-describing) of the normalised password, to store in User.password_hash."""
    return _HASHER.hash(normalise_password(password))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (Argon2Error, InvalidHashError, UnicodeError):
        return False


def _check(password_hash: str, password: str) -> tuple[bool, bool]:
    """(matches, hash should be redone). The normalised form first; a hash made before passwords were normalised
    may hold the text as typed, which is tried second (only when the two differ) and then counts as outdated."""
    normal = normalise_password(password)
    if _verify(password_hash, normal):
        return True, False
    if normal != password and _verify(password_hash, password):
        return True, True
    return False, False


def verify_password(password_hash: str, password: str) -> bool:
    """True only if the password matches; a mismatch, a malformed hash or an unencodable password give False."""
    return _check(password_hash, password)[0]


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with other parameters than ours (or cannot be read), so it should be redone."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@cache
def _common_passwords() -> frozenset[str]:
    """The 30 000 most common passwords of zxcvbn's list (from leaked password sets, lower case), shipped with it."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _guesses(password: str) -> float:
    """zxcvbn's estimate of the guesses an attacker needs (dictionary words, names, keyboard rows, dates, repeats)."""
    from zxcvbn import zxcvbn

    return float(zxcvbn(password[:_ESTIMATE_LENGTH])["guesses"])


def check_password_strength(password: str, username: str) -> list[Text]:
    """The policy's objections to a new password (empty if it is acceptable), each saying why, in both languages.

    After NFKC (as it is hashed): at least MIN_PASSWORD_LENGTH characters; not all digits; not whitespace only; no
    control or format characters (a NUL, a zero-width space: invisible, and typed differently by every keyboard);
    at least MIN_DISTINCT_CHARACTERS different characters; not containing the username; not one of the 30 000 most
    common passwords. Only when none of those apply, zxcvbn's estimate must reach MIN_GUESSES (so `password2024`
    or `asdfghjkl;` fail for being guessable even though they pass every rule above).
    """
    problems: list[Text] = []
    try:
        password.encode("utf-8")
    except UnicodeError:
        problems.append(Text("密码含有无法识别的字符。", "The password contains characters that cannot be encoded."))
    normal = normalise_password(password)
    folded = normal.casefold()
    if len(normal) < MIN_PASSWORD_LENGTH:
        problems.append(
            Text(
                f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。",
                f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.",
            )
        )
    if normal.isdigit():
        problems.append(Text("密码不能全部是数字。", "The password must not be all digits."))
    if normal and not normal.strip():
        problems.append(Text("密码不能只由空白组成。", "The password must not be only spaces."))
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in normal):
        problems.append(
            Text(
                "密码不能含控制字符或不可见字符（如 NUL、制表符、零宽空格）。",
                "The password must not contain control or invisible characters (NUL, tab, zero-width space).",
            )
        )
    if normal and len(set(normal)) < MIN_DISTINCT_CHARACTERS:
        problems.append(
            Text(
                f"密码至少要含 {MIN_DISTINCT_CHARACTERS} 个不同的字符（如 aaaaaaaaaa、pw3pw3pw3pw3 太容易猜）。",
                f"The password must contain at least {MIN_DISTINCT_CHARACTERS} different characters "
                "(aaaaaaaaaa or pw3pw3pw3pw3 are easy to guess).",
            )
        )
    key = username_key(username)
    if key and (folded == key or (len(key) >= 3 and key in folded)):
        problems.append(Text("密码不能包含用户名。", "The password must not contain the username."))
    if len(normal) >= MIN_PASSWORD_LENGTH and folded in _common_passwords():  # a short one is refused anyway
        problems.append(
            Text(
                "这是最常见的密码之一（见于泄露的密码表），很容易被猜中。",
                "This is one of the most common passwords (found in leaked password lists) and easy to guess.",
            )
        )
    if not problems and _guesses(normal) < MIN_GUESSES:
        problems.append(
            Text(
                "密码太容易猜：由常见单词、姓名、键盘序列、日期或重复构成。请用更长的、几个不相关的词组成的密码。",
                "The password is easy to guess: it is made of common words, names, keyboard rows, dates or repeats. "
                "Use a longer one, such as a few unrelated words.",
            )
        )
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


def end_user_sessions(session: Session, user_id: int, keep: str | None = None) -> int:
    """Log a user out everywhere (but the session whose digest is `keep`): after a deactivation, a role change or a
    new password, an old browser session must not live on. Returns how many sessions ended."""
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep is not None:
        query = query.where(WebSession.id_hash != keep)
    ended = session.execute(query)
    return int(getattr(ended, "rowcount", 0) or 0)


# --- API tokens -------------------------------------------------------------------------------------------------


def create_api_token(session: Session, user_id: int, name: str, now: dt.datetime) -> tuple[str, ApiToken]:
    """Issue a token for a user; returns the plaintext (show it once) and the stored row (digest and prefix only)."""
    now = _now(now)
    name = name.strip()
    if not 1 <= len(name) <= 100 or any(unicodedata.category(ch) == "Cc" for ch in name):
        raise InputError.at(
            Location(column="name"),
            "令牌名称须为 1 到 100 个字符，且不含控制字符。",
            "A token name must be 1 to 100 characters, without control characters.",
        )
    plaintext, digest, prefix = new_api_token()
    row = ApiToken(user_id=user_id, name=name, token_hash=digest, prefix=prefix, created_at=now)
    session.add(row)
    session.flush()
    return plaintext, row


def token_user(session: Session, bearer: str, now: dt.datetime, touch: bool = True) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token, or None if unknown, revoked or the user is inactive.

    With `touch`, last_used_at is refreshed at most once per TOKEN_TOUCH_INTERVAL, so a busy machine does not write per
    request; the service passes touch=False and refreshes it in its own short transaction (`touch_due`), so a
    read never waits for the database's write lock. Lookup by digest needs no constant-time care: the digest of a
    random secret tells an attacker nothing useful.
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
    if touch and touch_due(row, now):
        row.last_used_at = now
        session.flush()
    return user, row


def touch_due(token: ApiToken, now: dt.datetime) -> bool:
    """Whether the token's last_used_at is older than TOKEN_TOUCH_INTERVAL (or was never set)."""
    return token.last_used_at is None or _now(now) - _stored(token.last_used_at) >= TOKEN_TOUCH_INTERVAL


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
    """Failed logins per `key` within `window`, counting only those since the key's last success if
    `reset_on_success`. Without `backoff` a lock: at most `max_failures`, then refused until the oldest of them
    leaves the window. With `backoff` a slow-down: after `max_failures`, each attempt waits
    backoff × 2^(failures − max_failures) after the latest failure, never longer than `max_delay`."""

    key: Literal["pair", "username", "client"]
    max_failures: int
    window: dt.timedelta
    reset_on_success: bool
    backoff: dt.timedelta | None = None
    max_delay: dt.timedelta = dt.timedelta(0)


LOGIN_POLICY: tuple[LoginLimit, ...] = (
    LoginLimit("pair", 5, dt.timedelta(minutes=15), reset_on_success=True),
    LoginLimit(
        "username",
        10,
        dt.timedelta(minutes=15),
        reset_on_success=True,
        backoff=dt.timedelta(seconds=1),
        max_delay=dt.timedelta(minutes=2),
    ),
    LoginLimit("client", 20, dt.timedelta(minutes=15), reset_on_success=False),
)

_USERNAME_LENGTH = 100  # LoginAttempt.username
_CLIENT_LENGTH = 64  # LoginAttempt.client
_MAX_DOUBLINGS = 30  # 2**30 s is far beyond any max_delay; the cap keeps the arithmetic small


class RateLimited(MilkprintError):
    """Too many failed logins; the door answers 429 with Retry-After: retry_after."""

    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            Text(
                f"登录失败次数过多，请在 {retry_after} 秒后重试。",
                f"Too many failed logins; try again in {retry_after} seconds.",
            )
        )


def login_key(username: str) -> str:
    """The username as login attempts are kept and accounts looked up: `username_key`, cut to the column. A NUL,
    which no username holds and PostgreSQL cannot store, becomes U+FFFD so the attempt is still counted."""
    return username_key(username).replace("\x00", "\ufffd")[:_USERNAME_LENGTH]


def _seconds(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def _retry_for(session: Session, limit: LoginLimit, username: str, client: str, now: dt.datetime) -> int | None:
    """Seconds until `limit` allows another attempt for this key, or None if it allows one now."""
    where = {
        "pair": (LoginAttempt.username == username, LoginAttempt.client == client),
        "username": (LoginAttempt.username == username,),
        "client": (LoginAttempt.client == client,),
    }[limit.key]
    since = now - limit.window
    if limit.reset_on_success:
        last_success = session.scalar(
            select(LoginAttempt.at)
            .where(*where, LoginAttempt.success.is_(True), LoginAttempt.at > since)
            .order_by(LoginAttempt.at.desc())
            .limit(1)
        )
        if last_success is not None:
            since = _stored(last_success)
    failures = select(LoginAttempt.at).where(*where, LoginAttempt.success.is_(False), LoginAttempt.at > since)
    if limit.backoff is None:
        # The max_failures-th most recent failure in the window: while it is inside the window, the limit holds.
        blocking = session.scalar(failures.order_by(LoginAttempt.at.desc()).offset(limit.max_failures - 1).limit(1))
        return None if blocking is None else _seconds(_stored(blocking) + limit.window, now)
    counted = failures.subquery()
    count, latest = session.execute(select(func.count(), func.max(counted.c.at))).one()
    if count < limit.max_failures or latest is None:
        return None
    doublings = min(count - limit.max_failures, _MAX_DOUBLINGS)
    until = _stored(latest) + min(limit.backoff * 2**doublings, limit.max_delay)
    return _seconds(until, now) if until > now else None


def login_retry_after(
    session: Session, username: str, client: str, now: dt.datetime, policy: tuple[LoginLimit, ...] = LOGIN_POLICY
) -> int | None:
    """Seconds a login for this username from this client must wait, or None if it may be tried now."""
    now = _now(now)
    username, client = login_key(username), client[:_CLIENT_LENGTH]
    waits = [
        wait
        for limit in policy
        if client or limit.key == "username"  # unknown clients share no bucket (see the module's docstring)
        if (wait := _retry_for(session, limit, username, client, now)) is not None
    ]
    return max(waits) if waits else None


def record_login(session: Session, username: str, client: str, success: bool, now: dt.datetime) -> LoginAttempt:
    """Keep one login attempt, under the username's key (history is never erased; a success only stops older
    failures from counting)."""
    row = LoginAttempt(username=login_key(username), client=client[:_CLIENT_LENGTH], success=success, at=_now(now))
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

    The username is looked up by its key (`DEMO`, `ＤＥＭＯ` and `  demo ` all find `demo`). An unknown username
    is verified against a dummy hash, so the response time does not reveal which names exist; an inactive user with
    the right password gets None and counts as a failure. A successful login upgrades a hash made with older
    parameters, or made before passwords were normalised.
    """
    key = login_key(username)
    retry = login_retry_after(session, key, client, now, policy)
    if retry is not None:
        raise RateLimited(retry)
    user = session.scalar(select(User).where(User.username_key == key))
    if user is None:
        _check(_dummy_hash(), password)
        ok = stale = False
    else:
        ok, stale = _check(user.password_hash, password)
        ok = ok and user.active
    record_login(session, key, client, ok, now)
    if not ok or user is None:
        return None
    if stale or needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user


def confirm_password(session: Session, user: User, password: str, client: str, now: dt.datetime) -> bool:
    """Whether `password` is the user's current one, asked before a change of password: rate-limited and recorded
    exactly like a login (RateLimited before checking), so a stolen session cannot be used to guess the password."""
    retry = login_retry_after(session, user.username, client, now)
    if retry is not None:
        raise RateLimited(retry)
    ok = verify_password(user.password_hash, password)
    record_login(session, user.username, client, ok, now)
    return ok


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
