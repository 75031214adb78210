"""The account page: who I am, my API tokens for plant gateways and scripts (issued here, shown once, revocable),
and, for administrators, the organisation's users and a form to add one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.api.accounts import add_user, issue_token, withdraw_token
from milkprint.api.app import MAX_ID
from milkprint.api.security import MIN_PASSWORD_LENGTH
from milkprint.errors import InputError, MilkprintError, Text
from milkprint.service.errors import NotFoundError
from milkprint.store.models import ROLES, ApiToken, User
from milkprint.web.core import Viewer, Web, page_lang
from milkprint.web.page_data import problem_row


def register(app: FastAPI, web: Web) -> None:
    def render(request: Request, s: Session, viewer: Viewer, status: int = 200, **extra: Any) -> Response:
        with s.begin():
            tokens = list(s.scalars(select(ApiToken).where(ApiToken.user_id == viewer.id).order_by(ApiToken.id.desc())))
            users = (
                list(s.scalars(select(User).where(User.org_id == viewer.org_id).order_by(User.id)))
                if viewer.can("admin")
                else []
            )
            ctx: dict[str, Any] = {
                "tokens": tokens,
                "users": users,
                "roles": ROLES,
                "min_password": MIN_PASSWORD_LENGTH,
                "new_token": None,
                "problems": [],
                "error": None,
                "form": {},
            }
            ctx.update(extra)
            return web.page(request, "account.html.j2", viewer, status=status, active="account", **ctx)

    @app.get("/account", include_in_schema=False)
    def account(request: Request) -> Response:
        with web.factory() as s:
            viewer = web.need(request, s)
            return render(request, s, viewer)

    @app.post("/account/tokens", include_in_schema=False)
    def new_token(
        request: Request,
        csrf_token: Annotated[str, Form(max_length=100)] = "",
        name: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        lang = page_lang(request)
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "read")
            try:
                with s.begin():
                    plain, tok = issue_token(
                        s, org_id=viewer.org_id, user_id=viewer.id, name=name, client=viewer.client
                    )
                    shown = {"name": tok.name, "token": plain}
            except InputError as exc:
                return render(request, s, viewer, status=422, problems=[problem_row(p, lang) for p in exc.problems])
            return render(request, s, viewer, status=201, new_token=shown)  # the plaintext is shown this once

    @app.post("/account/tokens/{token_id}/revoke", include_in_schema=False)
    def revoke(request: Request, token_id: int, csrf_token: Annotated[str, Form(max_length=100)] = "") -> Response:
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "read")
            if not 1 <= token_id <= MAX_ID:
                raise NotFoundError(Text("找不到该令牌", "no such token"))
            with s.begin():
                withdraw_token(
                    s,
                    org_id=viewer.org_id,
                    user_id=viewer.id,
                    token_id=token_id,
                    client=viewer.client,
                    cache=request.app.state.token_cache,
                )
        return RedirectResponse("/account?notice=revoked", status_code=303)

    @app.post("/account/users", include_in_schema=False)
    def new_user(
        request: Request,
        csrf_token: Annotated[str, Form(max_length=100)] = "",
        username: Annotated[str, Form(max_length=200)] = "",
        display_name: Annotated[str, Form(max_length=200)] = "",
        role: Annotated[str, Form(max_length=20)] = "",
        password: Annotated[str, Form(max_length=1000)] = "",
    ) -> Response:
        lang = page_lang(request)
        form = {"username": username, "display_name": display_name, "role": role}
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "admin")
            try:
                with s.begin():
                    add_user(
                        s,
                        org_id=viewer.org_id,
                        by_user_id=viewer.id,
                        username=username,
                        password=password,
                        role=role,
                        display_name=display_name,
                        client=viewer.client,
                    )
            except InputError as exc:
                return render(
                    request, s, viewer, status=422, form=form, problems=[problem_row(p, lang) for p in exc.problems]
                )
            except MilkprintError as exc:
                return render(request, s, viewer, status=409, form=form, error=exc.message(lang))
        return RedirectResponse("/account?notice=user", status_code=303)
