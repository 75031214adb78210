"""The account page: who I am, my password, my API tokens for plant gateways and scripts (issued here, shown once,
revocable), and, for administrators, the organisation's users with what answering an incident needs: add a user,
change a role, deactivate or reactivate, set a new password, see and revoke each user's tokens.

Every form posts with the session's CSRF token; the work is api/accounts.py's, the same the REST API does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from milkprint.api.accounts import (
    add_user,
    change_own_password,
    issue_token,
    reset_password,
    update_user,
    withdraw_token,
)
from milkprint.api.security import MIN_PASSWORD_LENGTH, RateLimited, token_digest
from milkprint.errors import InputError, MilkprintError, Text
from milkprint.service import accounts
from milkprint.service.errors import NotFoundError
from milkprint.store.models import MAX_ID, ROLES, ApiToken, User
from milkprint.web.core import Viewer, Web, page_lang
from milkprint.web.page_data import problem_row

Csrf = Annotated[str, Form(max_length=100)]
Secret = Annotated[str, Form(max_length=1000)]


def _known(kind_zh: str, kind_en: str, *ids: int) -> None:
    """An id outside the databases' integer range is simply not there (a 404, not a database error)."""
    if not all(1 <= i <= MAX_ID for i in ids):
        raise NotFoundError(Text(f"找不到该{kind_zh}", f"no such {kind_en}"))


def register(app: FastAPI, web: Web) -> None:
    def render(request: Request, s: Session, viewer: Viewer, status: int = 200, **extra: Any) -> Response:
        with s.begin():
            tokens = accounts.tokens_of(s, user_id=viewer.id, newest_first=True)
            users: list[User] = []
            member_tokens: dict[int, list[ApiToken]] = {}
            if viewer.can("admin"):
                users = accounts.users_of(s, actor=viewer.actor)
                member_tokens = accounts.member_tokens(s, actor=viewer.actor)
            ctx: dict[str, Any] = {
                "tokens": tokens,
                "users": users,
                "member_tokens": member_tokens,
                "roles": ROLES,
                "min_password": MIN_PASSWORD_LENGTH,
                "new_token": None,
                "problems": [],
                "error": None,
                "form": {},
            }
            ctx.update(extra)
            return web.page(request, "account.html.j2", viewer, status=status, active="account", **ctx)

    def attempt(
        request: Request, s: Session, viewer: Viewer, work: Callable[[], object], notice: str, **extra: Any
    ) -> Response:
        """Do an account change; its refusal is shown on the page (422 with each problem, 429, or 409 with the
        message), a missing user or token is the 404 page, success goes back to the page with a notice."""
        lang = page_lang(request)
        try:
            work()
        except NotFoundError:
            raise
        except InputError as exc:
            return render(
                request, s, viewer, status=422, problems=[problem_row(p, lang) for p in exc.problems], **extra
            )
        except RateLimited as exc:
            return render(request, s, viewer, status=429, error=exc.message(lang), **extra)
        except MilkprintError as exc:
            return render(request, s, viewer, status=409, error=exc.message(lang), **extra)
        return RedirectResponse(f"/account?notice={notice}", status_code=303)

    @app.get("/account", include_in_schema=False)
    def account(request: Request) -> Response:
        with web.factory() as s:
            viewer = web.need(request, s)
            return render(request, s, viewer)

    # --- my password and my tokens ------------------------------------------------------------------------------
    @app.post("/account/password", include_in_schema=False)
    def own_password(
        request: Request, csrf_token: Csrf = "", current_password: Secret = "", new_password: Secret = ""
    ) -> Response:
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "read")
            cookie = request.cookies.get(request.app.state.session_cookie, "")

            def work() -> None:
                change_own_password(
                    s,
                    actor=viewer.actor,
                    current=current_password,
                    new=new_password,
                    keep_session=token_digest(cookie) if cookie else None,  # this browser stays signed in
                    cache=request.app.state.token_cache,
                )

            return attempt(request, s, viewer, work, "password")

    @app.post("/account/tokens", include_in_schema=False)
    def new_token(
        request: Request,
        csrf_token: Csrf = "",
        name: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        lang = page_lang(request)
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "read")
            try:
                with s.begin():
                    plain, tok = issue_token(s, actor=viewer.actor, name=name)
                    shown = {"name": tok.name, "token": plain}
            except InputError as exc:
                return render(request, s, viewer, status=422, problems=[problem_row(p, lang) for p in exc.problems])
            return render(request, s, viewer, status=201, new_token=shown)  # the plaintext is shown this once

    @app.post("/account/tokens/{token_id}/revoke", include_in_schema=False)
    def revoke(request: Request, token_id: int, csrf_token: Csrf = "") -> Response:
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "read")
            _known("令牌", "token", token_id)
            with s.begin():
                withdraw_token(
                    s,
                    actor=viewer.actor,
                    token_id=token_id,
                    cache=request.app.state.token_cache,
                )
        return RedirectResponse("/account?notice=revoked", status_code=303)

    # --- the organisation's users (administrators) --------------------------------------------------------------
    @app.post("/account/users", include_in_schema=False)
    def new_user(
        request: Request,
        csrf_token: Csrf = "",
        username: Annotated[str, Form(max_length=200)] = "",
        display_name: Annotated[str, Form(max_length=200)] = "",
        role: Annotated[str, Form(max_length=20)] = "",
        password: Secret = "",
    ) -> Response:
        form = {"username": username, "display_name": display_name, "role": role}
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "admin")

            def work() -> None:
                with s.begin():
                    add_user(
                        s,
                        actor=viewer.actor,
                        username=username,
                        password=password,
                        role=role,
                        display_name=display_name,
                    )

            return attempt(request, s, viewer, work, "user", form=form)

    def change(request: Request, csrf_token: str, user_id: int, notice: str, **fields: Any) -> Response:
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "admin")
            _known("用户", "user", user_id)

            def work() -> None:
                with s.begin():
                    update_user(
                        s,
                        actor=viewer.actor,
                        user_id=user_id,
                        cache=request.app.state.token_cache,
                        **fields,
                    )

            return attempt(request, s, viewer, work, notice)

    @app.post("/account/users/{user_id}/role", include_in_schema=False)
    def user_role(
        request: Request, user_id: int, csrf_token: Csrf = "", role: Annotated[str, Form(max_length=20)] = ""
    ) -> Response:
        return change(request, csrf_token, user_id, "role", role=role)

    @app.post("/account/users/{user_id}/active", include_in_schema=False)
    def user_active(
        request: Request, user_id: int, csrf_token: Csrf = "", active: Annotated[str, Form(max_length=5)] = ""
    ) -> Response:
        on = active == "1"
        return change(request, csrf_token, user_id, "activated" if on else "deactivated", active=on)

    @app.post("/account/users/{user_id}/password", include_in_schema=False)
    def user_password(request: Request, user_id: int, csrf_token: Csrf = "", password: Secret = "") -> Response:
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "admin")
            _known("用户", "user", user_id)

            def work() -> None:
                with s.begin():
                    reset_password(
                        s,
                        actor=viewer.actor,
                        user_id=user_id,
                        password=password,
                        cache=request.app.state.token_cache,
                    )

            return attempt(request, s, viewer, work, "reset")

    @app.post("/account/users/{user_id}/tokens/{token_id}/revoke", include_in_schema=False)
    def revoke_member_token(request: Request, user_id: int, token_id: int, csrf_token: Csrf = "") -> Response:
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "admin")
            _known("令牌", "token", user_id, token_id)
            with s.begin():
                withdraw_token(
                    s,
                    actor=viewer.actor,
                    token_id=token_id,
                    cache=request.app.state.token_cache,
                    admin=True,
                    owner_id=user_id,
                )
        return RedirectResponse("/account?notice=revoked", status_code=303)
