"""The organisation's members (admin, tag `users`), and changing one's own password (tag `auth`, kept here)."""

from fastapi import APIRouter, Response

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
from milkprint.service import accounts

router = APIRouter(prefix=V1)


@router.get("/users", response_model=list[S.UserOut], tags=["users"])
def users(c: Admin, s: Db) -> list[S.UserOut]:
    with s.begin():
        return [S.UserOut.model_validate(u) for u in accounts.users_of(s, actor=c.actor)]


@router.post("/users", response_model=S.UserOut, status_code=201, tags=["users"])
def new_user(body: S.UserIn, c: Admin, s: Db) -> S.UserOut:
    with s.begin():
        user = add_user(
            s,
            actor=c.actor,
            username=body.username,
            password=body.password,
            role=body.role,
            display_name=body.display_name,
        )
    return S.UserOut.model_validate(user)


@router.patch("/users/{user_id}", response_model=S.UserOut, tags=["users"], responses={409: {"model": S.ErrorBody}})
def patch_user(user_id: Id, body: S.UserPatch, c: Admin, s: Db, cache: Tokens) -> S.UserOut:
    """Change a member's role, active flag or display name; deactivating or a new role signs them out at once."""
    with s.begin():
        user = update_user(
            s,
            actor=c.actor,
            user_id=user_id,
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
            actor=c.actor,
            user_id=user_id,
            password=body.password,
            cache=cache,
        )
    return Response(status_code=204)


@router.get("/users/{user_id}/tokens", response_model=list[S.TokenOut], tags=["users"])
def member_tokens(user_id: Id, c: Admin, s: Db) -> list[S.TokenOut]:
    with s.begin():
        return [S.TokenOut.model_validate(t) for t in user_tokens(s, actor=c.actor, user_id=user_id)]


@router.delete("/users/{user_id}/tokens/{token_id}", status_code=204, tags=["users"])
def revoke_member_token(user_id: Id, token_id: Id, c: Admin, s: Db, cache: Tokens) -> Response:
    with s.begin():
        withdraw_token(
            s,
            actor=c.actor,
            token_id=token_id,
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
        actor=c.actor,
        current=body.current_password,
        new=body.new_password,
        keep_session=c.session_id,
        cache=cache,
    )
    return Response(status_code=204)
