"""Signing in and out, who am I, and one's own API tokens (tag `auth`)."""

from fastapi import APIRouter, Request, Response

from milkprint.api import schemas as S
from milkprint.api.accounts import issue_token, withdraw_token
from milkprint.api.deps import V1, Db, Id, Reader, Tokens, client_of
from milkprint.api.security import can
from milkprint.api.sessions import set_session_cookie, sign_in, sign_out
from milkprint.service import accounts

router = APIRouter(prefix=V1)


@router.post("/auth/login", response_model=S.LoginOut, tags=["auth"], responses={429: {"model": S.ErrorBody}})
def login(body: S.LoginBody, request: Request, response: Response, s: Db) -> S.LoginOut:
    user, cookie, web = sign_in(s, body.username, body.password, client_of(request))
    set_session_cookie(response, cookie, request.app.state.secure_cookies, request.url.scheme == "https")
    return S.LoginOut(user=S.Me.model_validate(user), csrf_token=web.csrf_token)


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(request: Request, c: Reader, s: Db) -> Response:
    out = Response(status_code=204)
    sign_out(s, request, out, c.org, c.user.id, c.client)
    return out


@router.get("/auth/me", response_model=S.Me, tags=["auth"])
def me(c: Reader) -> S.Me:
    return S.Me.model_validate(c.user)


@router.post("/tokens", response_model=S.TokenCreated, status_code=201, tags=["auth"])
def new_token(body: S.TokenIn, c: Reader, s: Db) -> S.TokenCreated:
    with s.begin():
        plain, tok = issue_token(s, actor=c.actor, name=body.name)
    return S.TokenCreated(**S.TokenOut.model_validate(tok).model_dump(), token=plain)


@router.get("/tokens", response_model=list[S.TokenOut], tags=["auth"])
def tokens(c: Reader, s: Db) -> list[S.TokenOut]:
    with s.begin():
        return [S.TokenOut.model_validate(t) for t in accounts.tokens_of(s, user_id=c.user.id)]


@router.delete("/tokens/{token_id}", status_code=204, tags=["auth"])
def revoke(token_id: Id, c: Reader, s: Db, cache: Tokens) -> Response:
    """One's own token; an admin's also any token of a member of the organisation."""
    with s.begin():
        withdraw_token(
            s,
            actor=c.actor,
            token_id=token_id,
            cache=cache,
            admin=can(c.user.role, "admin"),
        )
    return Response(status_code=204)
