"""Organisations (tenants) and their users: creating them, and the rule a username follows."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.errors import InputError, Location, Problem, Text
from milkprint.service.common import flush, text_field
from milkprint.service.errors import ConflictError, not_found
from milkprint.store.audit import record_created
from milkprint.store.models import ROLES, Organisation, User, username_key


def create_organisation(session: Session, name: str) -> Organisation:
    """A new tenant (bootstrap: no user exists yet to be named in the audit row)."""
    clean = text_field(name, "name", "名称", 200)
    if session.scalar(select(Organisation.id).where(Organisation.name == clean)) is not None:
        raise ConflictError(Text(f"组织“{clean}”已存在", f"the organisation '{clean}' exists already"))
    org = Organisation(name=clean)
    session.add(org)
    flush(session)
    record_created(session, org, "organisation", org_id=org.id, user_id=None)
    return org


USERNAME_LENGTH = 100  # User.username and User.username_key
USERNAME_REFUSED = frozenset("<>\"'&")  # markup characters: a name is shown in pages, lists and the audit log

USERNAME_TAKEN = Text("该用户名不可用，请换一个", "this username cannot be used; choose another")


def clean_username(name: str) -> tuple[str, list[Text]]:
    """The username as stored (NFKC, stripped) and the rule's objections to it (empty if it is acceptable).

    Names are shown to people who must tell them apart (user lists, the audit log), so anything invisible or
    look-alike is refused: whitespace inside a name, control and format characters (a NUL, a zero-width space),
    unassigned or private code points, and markup characters. Full-width letters are folded by NFKC rather than
    refused. Login strips and normalises the same way, so a name is found however it was typed.
    """
    clean = unicodedata.normalize("NFKC", name).strip()
    problems: list[Text] = []
    if not 1 <= len(clean) <= USERNAME_LENGTH or len(username_key(clean)) > USERNAME_LENGTH:
        problems.append(
            Text(f"用户名须为 1 到 {USERNAME_LENGTH} 个字符", f"a username is 1 to {USERNAME_LENGTH} characters")
        )
    if any(ch.isspace() or unicodedata.category(ch)[0] == "Z" for ch in clean):
        problems.append(Text("用户名不能含空格", "a username must not contain spaces"))
    if any(unicodedata.category(ch)[0] == "C" and not ch.isspace() for ch in clean):
        problems.append(
            Text(
                "用户名不能含控制字符或不可见字符（如零宽空格）",
                "a username must not contain control or invisible characters (such as a zero-width space)",
            )
        )
    if USERNAME_REFUSED & set(clean):
        shown = " ".join(sorted(USERNAME_REFUSED))
        problems.append(Text(f"用户名不能含以下字符：{shown}", f"a username must not contain any of: {shown}"))
    return clean, problems


def create_user(
    session: Session, *, org_id: int, username: str, password_hash: str, role: str, display_name: str = ""
) -> User:
    """A user of the organisation with one of ROLES. Not audited here: the caller knows who created the account.

    The username follows `clean_username`; one whose key (`username_key`) is taken, in any organisation, gets the
    same answer as any unusable name, so an administrator cannot learn which names other organisations use.
    """
    name, problems = clean_username(username)
    located = [Problem(Location(column="username"), t) for t in problems]
    if role not in ROLES:
        located.append(
            Problem(
                Location(column="role"),
                Text(
                    f"未知的角色“{role}”，应为：{'、'.join(ROLES)}",
                    f"unknown role '{role}'; expected one of {', '.join(ROLES)}",
                ),
            )
        )
    if located:
        raise InputError(located)
    if session.scalar(select(Organisation.id).where(Organisation.id == org_id)) is None:
        raise not_found("组织", "organisation", org_id)
    if session.scalar(select(User.id).where(User.username_key == username_key(name))) is not None:
        raise ConflictError(USERNAME_TAKEN)
    user = User(
        org_id=org_id,
        username=name,
        password_hash=password_hash,
        role=role,
        display_name=display_name.strip()[:200],
    )
    session.add(user)
    try:
        flush(session)
    except ConflictError:  # the same name added at the same moment by someone else
        raise ConflictError(USERNAME_TAKEN) from None
    return user
