"""Accounts as every door changes them (REST API, web pages, the operator's CLI): tokens issued and revoked, users
added, changed and given new passwords, organisations made — each with its audit row, in the caller's transaction.

Incident response is the point of the admin functions (a leaked token, a departed employee): what they change takes
effect at once. A deactivation, a role change or a new password ends the user's browser sessions, and every change
drops the user's entries from the process's token cache (`app.state.token_cache`: digest -> (time, Who, token id)),
now and again when the transaction commits, so no request in between re-caches the old row for its few seconds.
An organisation always keeps an active administrator: a change that would leave none is refused. Who acts is one
`Actor` (service.actor): their organisation scopes every lookup, and the audit rows name them and their client.
"""

from __future__ import annotations

import unicodedata
from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from milkprint.api.security import (
    check_password_strength,
    confirm_password,
    create_api_token,
    end_user_sessions,
    hash_password,
    normalise_password,
    revoke_api_token,
)
from milkprint.errors import InputError, Location, Problem, Text
from milkprint.service import accounts as account_reads
from milkprint.service import assessments as svc
from milkprint.service.actor import Actor
from milkprint.service.errors import ConflictError, NotFoundError, not_found
from milkprint.store.audit import record, record_created, snapshot
from milkprint.store.models import ROLES, ApiToken, Organisation, User, utcnow

TokenCache = MutableMapping[str, tuple[float, Any, int]]  # digest -> (monotonic time, Who, token id)

DISPLAY_NAME_LENGTH = 200  # User.display_name
NO_TOKEN = Text("找不到该令牌", "no such token")
LAST_ADMIN = Text(
    "组织至少要保留一名启用的管理员：请先让另一位用户成为管理员，再停用或降级此账户",
    "the organisation must keep an active administrator: make another user an administrator before deactivating "
    "or demoting this one",
)
WRONG_PASSWORD = Text("当前密码不正确", "the current password is wrong")
OWN_PASSWORD = Text(
    "自己的密码请在“修改我的密码”中修改（需要输入当前密码）",
    "change your own password under 'My password' (it asks for the current one)",
)


def _forget(s: Session, cache: TokenCache | None, *, user_id: int | None = None, token_id: int | None = None) -> None:
    """Drop cached bearer lookups of a user or a token, now and once more when the session commits."""
    if cache is None:
        return

    def drop(*_args: object) -> None:
        for digest, (_, who, cached_token) in list(cache.items()):
            if cached_token == token_id or (user_id is not None and getattr(who, "id", None) == user_id):
                cache.pop(digest, None)

    drop()
    event.listen(s, "after_commit", drop, once=True)


def _person(actor: Actor) -> int:
    """The acting user's id: tokens and one's own password belong to a person, never to the operator."""
    if actor.user_id is None:
        raise NotFoundError(Text("找不到该用户", "no such user"))
    return actor.user_id


def member(s: Session, *, org_id: int, user_id: int) -> User:
    """A user of the organisation; another organisation's user is reported exactly like an absent one."""
    user = s.get(User, user_id)
    if user is None or user.org_id != org_id:
        raise not_found("用户", "user", user_id)
    return user


# --- tokens -----------------------------------------------------------------------------------------------------


def issue_token(s: Session, *, actor: Actor, name: str) -> tuple[str, ApiToken]:
    """A new bearer token of the acting user: the plaintext (shown once) and its row."""
    user_id = _person(actor)
    plain, tok = create_api_token(s, user_id, name, utcnow())
    s.flush()
    record_created(s, tok, "api_token", org_id=actor.org_id, user_id=user_id, client=actor.client)
    return plain, tok


def user_tokens(s: Session, *, actor: Actor, user_id: int) -> list[ApiToken]:
    """A member's tokens, revoked ones included (an admin's view when answering an incident)."""
    member(s, org_id=actor.org_id, user_id=user_id)
    return account_reads.tokens_of(s, user_id=user_id)


def withdraw_token(
    s: Session,
    *,
    actor: Actor,
    token_id: int,
    cache: TokenCache | None = None,
    admin: bool = False,
    owner_id: int | None = None,
) -> None:
    """Revoke a live token: one of the acting user's own or, with `admin`, any of a member of the actor's
    organisation (`owner_id`, when given, must own it). Anything else, another organisation's token included, is
    NotFoundError. The token cache forgets it at once: revoked means revoked now."""
    org_id, user_id = actor.org_id, actor.user_id
    row = s.get(ApiToken, token_id)
    owner = None if row is None else s.get(User, row.user_id)
    if (
        row is None
        or owner is None
        or owner.org_id != org_id
        or (row.user_id != user_id and not admin)
        or (owner_id is not None and row.user_id != owner_id)
        or not revoke_api_token(s, token_id, row.user_id, utcnow())
    ):
        raise NotFoundError(NO_TOKEN)
    _forget(s, cache, token_id=token_id)
    record(
        s,
        org_id=org_id,
        user_id=user_id,
        action="revoke",
        entity="api_token",
        entity_id=token_id,
        after=snapshot(row),
        client=actor.client,
    )


# --- users ------------------------------------------------------------------------------------------------------


def add_user(s: Session, *, actor: Actor, username: str, password: str, role: str, display_name: str) -> User:
    """A new account of the actor's organisation (an admin's act, or the operator's with no user): every problem
    with the name, password and role at once, before the password is hashed; a name in use anywhere gets the same
    answer as any unusable name."""
    name, name_problems = svc.clean_username(username)
    problems = [Problem(Location(column="username"), t) for t in name_problems]
    problems += [Problem(Location(column="password"), t) for t in check_password_strength(password, name)]
    if role not in ROLES:
        problems.append(Problem(Location(column="role"), Text(f"未知角色“{role}”", f"unknown role '{role}'")))
    problems += _display_name_problems(display_name.strip())
    if problems:
        raise InputError(problems)
    user = svc.create_user(
        s,
        org_id=actor.org_id,
        username=name,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name.strip(),
    )
    s.flush()
    record_created(s, user, "user", org_id=actor.org_id, user_id=actor.user_id, client=actor.client)
    return user


def _display_name_problems(name: str) -> list[Problem]:
    if len(name) <= DISPLAY_NAME_LENGTH and not any(unicodedata.category(ch) == "Cc" for ch in name):
        return []
    text = Text(
        f"显示名称最多 {DISPLAY_NAME_LENGTH} 个字符，且不含控制字符",
        f"a display name has at most {DISPLAY_NAME_LENGTH} characters and no control characters",
    )
    return [Problem(Location(column="display_name"), text)]


def update_user(
    s: Session,
    *,
    actor: Actor,
    user_id: int,
    cache: TokenCache | None = None,
    role: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
) -> User:
    """An admin changes a member's role, active flag or display name (None leaves a field as it is); audited with
    the row before and after, nothing written when nothing changes. Deactivating or changing the role ends the
    member's browser sessions. ConflictError if the organisation would be left without an active admin."""
    problems: list[Problem] = []
    if role is not None and role not in ROLES:
        problems.append(Problem(Location(column="role"), Text(f"未知角色“{role}”", f"unknown role '{role}'")))
    if display_name is not None:
        display_name = display_name.strip()
        problems += _display_name_problems(display_name)
    if problems:
        raise InputError(problems)
    org_id = actor.org_id
    s.get(Organisation, org_id, with_for_update=True)  # PostgreSQL: one admin change of an organisation at a time
    user = member(s, org_id=org_id, user_id=user_id)
    before = snapshot(user)
    was_admin = user.role == "admin" and user.active
    if role is not None:
        user.role = role
    if active is not None:
        user.active = active
    if display_name is not None:
        user.display_name = display_name
    after = snapshot(user)
    if after == before:
        return user
    s.flush()
    if was_admin and not (user.role == "admin" and user.active) and account_reads.active_admins(s, org_id) == 0:
        raise ConflictError(LAST_ADMIN)
    if after["role"] != before["role"] or not user.active:
        end_user_sessions(s, user.id)
    _forget(s, cache, user_id=user.id)
    record(
        s,
        org_id=org_id,
        user_id=actor.user_id,
        action="update",
        entity="user",
        entity_id=user.id,
        before=before,
        after=after,
        client=actor.client,
    )
    return user


def _strong(password: str, username: str, column: str = "password") -> None:
    problems = check_password_strength(password, username)
    if problems:
        raise InputError([Problem(Location(column=column), t) for t in problems])


def reset_password(s: Session, *, actor: Actor, user_id: int, password: str, cache: TokenCache | None = None) -> User:
    """An admin sets a member's new password (the member was locked out, or the old one leaked): the policy holds,
    the member's browser sessions end. An admin's own password is changed with the current one, not here."""
    user = member(s, org_id=actor.org_id, user_id=user_id)
    if user.id == actor.user_id:
        raise InputError([Problem(Location(column="password"), OWN_PASSWORD)])
    _strong(password, user.username)
    user.password_hash = hash_password(password)
    end_user_sessions(s, user.id)
    _forget(s, cache, user_id=user.id)
    record(
        s,
        org_id=actor.org_id,
        user_id=actor.user_id,
        action="reset_password",
        entity="user",
        entity_id=user.id,
        client=actor.client,
    )
    return user


def change_own_password(
    s: Session,
    *,
    actor: Actor,
    current: str,
    new: str,
    keep_session: str | None = None,
    cache: TokenCache | None = None,
) -> None:
    """Anyone changes their own password, giving the current one; their other browser sessions end (the one whose
    digest is `keep_session` stays signed in).

    Unlike the others this takes a session outside a transaction and commits itself: a wrong current password is
    recorded as a failed login (and rate-limited like one) even though the change is refused.
    """
    org_id, user_id, client = actor.org_id, _person(actor), actor.client
    with s.begin():
        user = member(s, org_id=org_id, user_id=user_id)
        problems = [Problem(Location(column="new_password"), t) for t in check_password_strength(new, user.username)]
        if normalise_password(new) == normalise_password(current):
            problems.append(
                Problem(
                    Location(column="new_password"),
                    Text("新密码不能与当前密码相同", "the new password must differ from the current one"),
                )
            )
        if problems:
            raise InputError(problems)
        ok = confirm_password(s, user, current, client, utcnow())
    if not ok:
        raise InputError([Problem(Location(column="current_password"), WRONG_PASSWORD)])
    with s.begin():
        user = member(s, org_id=org_id, user_id=user_id)
        user.password_hash = hash_password(new)
        end_user_sessions(s, user.id, keep=keep_session)
        _forget(s, cache, user_id=user.id)
        record(
            s, org_id=org_id, user_id=user.id, action="change_password", entity="user", entity_id=user.id, client=client
        )


# --- organisations (the operator's) -----------------------------------------------------------------------------


def create_organisation(s: Session, *, name: str, admin_username: str, password: str, client: str) -> User:
    """A new tenant and its first administrator, as the operator makes them (no user exists yet to be named)."""
    name_clean, name_problems = svc.clean_username(admin_username)
    problems = [Problem(Location(column="admin"), t) for t in name_problems]
    problems += [Problem(Location(column="password"), t) for t in check_password_strength(password, name_clean)]
    if problems:
        raise InputError(problems)
    org = svc.create_organisation(s, name)
    operator = Actor(org_id=org.id, user_id=None, client=client)
    return add_user(s, actor=operator, username=name_clean, password=password, role="admin", display_name="")


def organisations(s: Session) -> list[tuple[Organisation, int, int]]:
    """Every organisation with its number of users and of active administrators (the operator's overview)."""
    return account_reads.organisations(s)
