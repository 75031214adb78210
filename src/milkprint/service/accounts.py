"""What the account pages and the operator read of accounts: a person's API tokens, an organisation's users and
their tokens, how many active administrators it has, every organisation with its counts.

The changes to accounts (tokens issued and revoked, users added and changed, passwords) are api/accounts.py's:
they hash passwords and end sessions, which is authentication's business, not the service's.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milkprint.service.actor import Actor
from milkprint.store.models import ApiToken, Organisation, User


def tokens_of(session: Session, *, user_id: int | None, newest_first: bool = False) -> list[ApiToken]:
    """A user's tokens, revoked ones included, by id (oldest first unless `newest_first`); none for no user. The
    caller has checked that the user is the actor or a member of the actor's organisation."""
    if user_id is None:
        return []
    order = ApiToken.id.desc() if newest_first else ApiToken.id
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(order)))


def users_of(session: Session, *, actor: Actor) -> list[User]:
    """The actor's organisation's users, by id."""
    return list(session.scalars(select(User).where(User.org_id == actor.org_id).order_by(User.id)))


def member_tokens(session: Session, *, actor: Actor) -> dict[int, list[ApiToken]]:
    """Every token of the organisation's users, by user id, newest first (an admin answering an incident)."""
    rows = session.scalars(
        select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(User.org_id == actor.org_id)
        .order_by(ApiToken.id.desc())
    )
    out: dict[int, list[ApiToken]] = {}
    for tok in rows:
        out.setdefault(tok.user_id, []).append(tok)
    return out


def active_admins(session: Session, org_id: int) -> int:
    """How many active administrators the organisation has."""
    query = select(func.count()).where(User.org_id == org_id, User.role == "admin", User.active.is_(True))
    return int(session.scalar(query.select_from(User)) or 0)


def organisations(session: Session) -> list[tuple[Organisation, int, int]]:
    """Every organisation with its number of users and of active administrators (the operator's overview)."""
    users = func.count(User.id)
    admins = func.count(User.id).filter(User.role == "admin", User.active.is_(True))
    query = (
        select(Organisation, users, admins)
        .outerjoin(User, User.org_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.id)
    )
    return [(org, int(n), int(a)) for org, n, a in session.execute(query).all()]
