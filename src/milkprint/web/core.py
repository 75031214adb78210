"""What every page shares: the signed-in caller (session cookie), the form CSRF check, the language, rendering.

The browser session is the API's: the same cookie, the same CSRF token (a hidden form field here, a header for the
API). Pages speak Chinese by default; the language toggle sets a cookie, and `?lang=` overrides it for one page.
The browser's Accept-Language is not consulted: the users' language is Chinese whatever their browser says.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session, sessionmaker

from milkprint import __version__, i18n
from milkprint.api.security import can, same, session_user
from milkprint.api.uploads import UploadForm, UploadTooLarge, read_upload_form
from milkprint.errors import Lang, MilkprintError, Text
from milkprint.factors.scope import scope_text
from milkprint.i18n import LANG_COOKIE, choose_lang
from milkprint.methods.item_names import item_name
from milkprint.report.names import process_name
from milkprint.service.actor import Actor
from milkprint.service.assessments import MAX_UPLOAD
from milkprint.service.audit_log import china
from milkprint.service.errors import ForbiddenError
from milkprint.store.models import utcnow

UPLOAD_FIELDS = ("csrf_token", "plant", "new_plant", "title", "row_version", "note")  # the upload forms' fields
ROLE_NAMES = {
    "admin": Text("管理员", "administrator"),
    "engineer": Text("工程师", "engineer"),
    "reviewer": Text("审核员", "reviewer"),
    "viewer": Text("只读用户", "viewer"),
}


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as plain values (ORM rows expire), with the session's CSRF token for forms."""

    id: int
    org_id: int
    org_name: str
    username: str
    display_name: str
    role: str
    csrf: str
    client: str

    def can(self, action: str) -> bool:
        return can(self.role, action)

    @property
    def actor(self) -> Actor:
        """The viewer as the service takes it: their organisation, themselves, and their address."""
        return Actor(org_id=self.org_id, user_id=self.id, client=self.client)


class SignInNeeded(MilkprintError):
    """A page asked for without a valid session: the browser is sent to the sign-in page."""

    status = 401  # what an API client would get; a page answers with a redirect to the sign-in page instead
    code = "sign_in_needed"

    def __init__(self) -> None:
        super().__init__(Text("请先登录", "please sign in"))


class FormCsrfFailed(ForbiddenError):
    def __init__(self) -> None:
        super().__init__(
            Text(
                "表单已过期或来源不明，请刷新页面后重试",
                "the form has expired or came from elsewhere: reload and retry",
            )
        )


def page_lang(request: Request) -> Lang:
    return choose_lang(query=request.query_params.get("lang"), cookie=request.cookies.get(LANG_COOKIE))


def safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) may be a redirect target after sign-in or a toggle."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def number(value: Any, digits: int = 1) -> str:
    """The pages' `num` filter (`i18n.number`): 1,026.0; '—' for a missing or non-finite value; text as it is."""
    return value if isinstance(value, str) else i18n.number(value, digits, missing="—", nonfinite="—")


def local_time(value: dt.datetime | None, seconds: bool = False) -> str:
    """A stored instant (naive from SQLite, aware from PostgreSQL: both UTC) in Beijing time, as the audit log shows."""
    if value is None:
        return "—"
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    return aware.astimezone(china()).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


class Web:
    """The pages' shared machinery, one per app (it holds the session factory and the template environment)."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self.env = Environment(
            loader=PackageLoader("milkprint.web", "templates"),
            autoescape=select_autoescape(["html", "j2"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["num"] = number
        self.env.filters["pct"] = partial(i18n.pct, space=True, missing="—")  # 12.3 %, — for a missing share
        self.env.filters["local"] = local_time
        self.env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        self.env.globals["version"] = __version__
        self.env.globals["max_upload"] = MAX_UPLOAD  # file inputs refuse larger files before they are sent

    # --- who is asking ----------------------------------------------------------------------------------------
    def viewer(self, request: Request, s: Session) -> Viewer | None:
        cookie = request.cookies.get(request.app.state.session_cookie)  # the API's session cookie (api/app.py)
        if not cookie:
            return None
        with s.begin():
            found = session_user(s, cookie, utcnow())
            if found is None:
                return None
            user, web = found
            from milkprint.store.models import Organisation

            org = s.get(Organisation, user.org_id)
            return Viewer(
                user.id,
                user.org_id,
                org.name if org else "",
                user.username,
                user.display_name,
                user.role,
                web.csrf_token,
                request.client.host if request.client else "",
            )

    def need(self, request: Request, s: Session, action: str = "read") -> Viewer:
        v = self.viewer(request, s)
        if v is None:
            raise SignInNeeded()
        if not v.can(action):
            raise ForbiddenError(
                Text(
                    f"角色“{ROLE_NAMES[v.role].zh}”无权执行此操作",
                    f"the role '{ROLE_NAMES[v.role].en}' may not do this",
                )
            )
        return v

    def posted(self, request: Request, s: Session, form_csrf: str, action: str) -> Viewer:
        """The caller of a form post: signed in, allowed to do `action`, with the session's CSRF token."""
        v = self.need(request, s, "read")
        self.check_csrf(form_csrf, v)
        return self.need(request, s, action)

    async def posted_upload(self, request: Request) -> tuple[Viewer, UploadForm, UploadTooLarge | None]:
        """The caller and form of an upload page: the caller is checked (signed in, allowed to write) before the form
        is read, the form's CSRF token after; a file over the limit comes back as its error, to show in place."""

        def writer() -> Viewer:
            with self.factory() as s:
                return self.need(request, s, "write")

        viewer = await run_in_threadpool(writer)
        too_large: UploadTooLarge | None = None
        try:
            form = await read_upload_form(request, fields=UPLOAD_FIELDS, max_upload=MAX_UPLOAD)
        except UploadTooLarge as exc:
            form, too_large = UploadForm("", "", b""), exc
        self.check_csrf(form.fields.get("csrf_token", ""), viewer)
        return viewer, form, too_large

    @staticmethod
    def check_csrf(form_csrf: str, viewer: Viewer) -> None:
        """The form's token must be the session's (an upload form is read after its sender is known, then this)."""
        if not same(form_csrf, viewer.csrf):
            raise FormCsrfFailed()

    # --- rendering --------------------------------------------------------------------------------------------
    def page(
        self, request: Request, name: str, viewer: Viewer | None, status: int = 200, **context: Any
    ) -> HTMLResponse:
        lang = page_lang(request)

        def t(zh: str, en: str) -> str:
            return zh if lang == "zh" else en

        def tx(text: Text | dict[str, str] | str) -> str:
            if isinstance(text, Text):
                return text(lang)
            if isinstance(text, dict):
                return text.get(lang) or text.get("zh") or ""
            return text

        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        html = self.env.get_template(name).render(
            request=request,
            lang=lang,
            t=t,
            tx=tx,
            viewer=viewer,
            role_name=(ROLE_NAMES[viewer.role](lang) if viewer else ""),
            role_names={role: name(lang) for role, name in ROLE_NAMES.items()},
            here=here,
            here_quoted=quote(_without_lang(request), safe=""),
            process_name=lambda key: process_name(key, lang),
            item_name=lambda key: item_name(key, lang),
            scope_name=lambda key: scope_text(key)(lang) if key else "—",
            today=dt.date.today(),
            active=context.pop("active", ""),
            lp="（" if lang == "zh" else " (",
            rp="）" if lang == "zh" else ")",
            colon="：" if lang == "zh" else ": ",
            Markup=Markup,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def error_page(self, request: Request, status: int, exc: MilkprintError) -> HTMLResponse | RedirectResponse:
        if isinstance(exc, SignInNeeded):
            return RedirectResponse(f"/login?next={quote(_without_lang(request), safe='')}", status_code=303)
        with self.factory() as s:
            try:
                viewer = self.viewer(request, s)
            except Exception:  # the error page must render whatever broke
                viewer = None
        lang = page_lang(request)
        return self.page(request, "error.html.j2", viewer, status=status, status_code=status, message=exc.message(lang))


def _without_lang(request: Request) -> str:
    """The current path and query without a `lang` parameter (the toggle sets it again)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params)
    return request.url.path + (f"?{query}" if query else "")
