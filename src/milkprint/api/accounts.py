"""Accounts as both doors change them (REST API and web pages): tokens issued and revoked, users added — each with
its audit row, in the caller's transaction."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.api.security import check_password_strength, create_api_token, hash_password, revoke_api_token
from milkprint.errors import InputError, Location, Problem, Text
from milkprint.service import assessments as svc
from milkprint.service.errors import ConflictError, NotFoundError
from milkprint.store.audit import record, record_created
from milkprint.store.models import ROLES, ApiToken, User, utcnow


def issue_token(s: Session, *, org_id: int, user_id: int, name: str, client: str) -> tuple[str, ApiToken]:
    """A new bearer token of the user: the plaintext (shown once) and its row."""
    plain, tok = create_api_token(s, user_id, name, utcnow())
    s.flush()
    record_created(s, tok, "api_token", org_id=org_id, user_id=user_id, client=client)
    return plain, tok


def withdraw_token(
    s: Session,
    *,
    org_id: int,
    user_id: int,
    token_id: int,
    client: str,
    cache: MutableMapping[str, tuple[float, Any, int]] | None = None,
) -> None:
    """Revoke one of the user's own tokens (NotFoundError otherwise); a process's token cache forgets it at once."""
    if not revoke_api_token(s, token_id, user_id, utcnow()):
        raise NotFoundError(Text("找不到该令牌", "no such token"))
    if cache is not None:
        for digest, (_, _, cached_id) in list(cache.items()):  # revoked means revoked now, not in the cache's 5 s
            if cached_id == token_id:
                cache.pop(digest, None)
    record(s, org_id=org_id, user_id=user_id, action="revoke", entity="api_token", entity_id=token_id, client=client)


def add_user(
    s: Session,
    *,
    org_id: int,
    by_user_id: int,
    username: str,
    password: str,
    role: str,
    display_name: str,
    client: str,
) -> User:
    """A new account of the organisation (an admin's act): the password policy, a free username, a known role."""
    username = username.strip()
    problems = [Problem(Location(column="password"), t) for t in check_password_strength(password, username)]
    if not 1 <= len(username) <= 100:
        problems.insert(
            0,
            Problem(
                Location(column="username"), Text("用户名须为 1 到 100 个字符", "a username is 1 to 100 characters")
            ),
        )
    if role not in ROLES:
        problems.append(Problem(Location(column="role"), Text(f"未知角色“{role}”", f"unknown role '{role}'")))
    if problems:
        raise InputError(problems)
    if s.scalar(select(User).where(User.username == username)) is not None:
        raise ConflictError(Text(f"用户名“{username}”已被使用", f"the username '{username}' is taken"))
    user = svc.create_user(
        s,
        org_id=org_id,
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name.strip(),
    )
    s.flush()
    record_created(s, user, "user", org_id=org_id, user_id=by_user_id, client=client)
    return user
