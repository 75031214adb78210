"""The organisation's members (admin, tag `users`), and changing one's own password (tag `auth`, kept here)."""

from fastapi import APIRouter, Response
from sqlalchemy import select

from milkprint.api import schemas as S
from milkprint.api.accounts import (
    add_user,
    change_own_password,
    reset_password,
    update_user,
    user_tokens,
    withdraw_token,
)
from milkprint.api.deps import V1, Admin, Db, Id, Reader, Tokens
from milkprint.store.models import User

router = APIRouter(prefix=V1)


@router.get("/users", response_model=list[S.UserOut], tags=["users"])
def users(c: Admin, s: Db) -> list[S.UserOut]:
    with s.begin():
        rows = s.scalars(select(User).where(User.org_id == c.org).order_by(User.id))
        return [S.UserOut.model_validate(u) for u in rows]


@router.post("/users", response_model=S.UserOut, status_code=201, tags=["users"])
def new_user(body: S.UserIn, c: Admin, s: Db) -> S.UserOut:
    with s.begin():
        user = add_user(
            s,
            org_id=c.org,
            by_user_id=c.user.id,
            username=body.username,
            password=body.password,
            role=body.role,
            display_name=body.display_name,
            client=c.client,
        )
    return S.UserOut.model_validate(user)


@router.patch("/users/{user_id}", response_model=S.UserOut, tags=["users"], responses={409: {"model": S.ErrorBody}})
def patch_user(user_id: Id, body: S.UserPatch, c: Admin, s: Db, cache: Tokens) -> S.UserOut:
    """Change a member's role, active flag or display name; deactivating or a new role signs them out at once."""
    with s.begin():
        user = update_user(
            s,
            org_id=c.org,
            by_user_id=c.user.id,
            user_id=user_id,
            client=c.client,
            cache=cache,
            **body.model_dump(exclude_none=True),
        )
    return S.UserOut.model_validate(user)


@router.post("/users/{user_id}/password", status_code=204, tags=["users"])
def reset_user_password(user_id: Id, body: S.PasswordReset, c: Admin, s: Db, cache: Tokens) -> Response:
    """Set a member's new password; they are signed out everywhere (their API tokens stay: revoke them apart)."""
    with s.begin():
        reset_password(
            s,
            org_id=c.org,
            by_user_id=c.user.id,
            user_id=user_id,
            password=body.password,
            client=c.client,
            cache=cache,
        )
    return Response(status_code=204)


@router.get("/users/{user_id}/tokens", response_model=list[S.TokenOut], tags=["users"])
def member_tokens(user_id: Id, c: Admin, s: Db) -> list[S.TokenOut]:
    with s.begin():
        return [S.TokenOut.model_validate(t) for t in user_tokens(s, org_id=c.org, user_id=user_id)]


@router.delete("/users/{user_id}/tokens/{token_id}", status_code=204, tags=["users"])
def revoke_member_token(user_id: Id, token_id: Id, c: Admin, s: Db, cache: Tokens) -> Response:
    with s.begin():
        withdraw_token(
            s,
            org_id=c.org,
            user_id=c.user.id,
            token_id=token_id,
            client=c.client,
            cache=cache,
            admin=True,
            owner_id=user_id,
        )
    return Response(status_code=204)


@router.post("/auth/password", status_code=204, tags=["auth"], responses={429: {"model": S.ErrorBody}})
def change_password(body: S.PasswordChange, c: Reader, s: Db, cache: Tokens) -> Response:
    """Change one's own password, giving the current one (a wrong one counts as a failed login); other browser
    sessions end, this one stays."""
    change_own_password(
        s,
        org_id=c.org,
        user_id=c.user.id,
        current=body.current_password,
        new=body.new_password,
        client=c.client,
        keep_session=c.session_id,
        cache=cache,
    )
    return Response(status_code=204)
