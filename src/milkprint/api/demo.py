"""`milkprint serve --demo`: a demo organisation with the sample plant assessed, and an account to log in with."""

from __future__ import annotations

import io
import secrets
import zipfile
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from milkprint.api.security import hash_password
from milkprint.service import assessments as svc
from milkprint.store.db import transaction
from milkprint.store.models import User

DEMO_ORG = "示例乳业（演示）"
DEMO_USER = "demo"


def sample_zip() -> bytes:
    """The built-in sample plant as a bundle zip (what a user would upload)."""
    buf = io.BytesIO()
    with (
        resources.as_file(resources.files("milkprint.samples") / "sample_plant") as root,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        for path in sorted(Path(root).iterdir()):
            if path.is_file() and not path.name.startswith((".", "__")):
                zf.write(path, path.name)
    return buf.getvalue()


def seed(factory: sessionmaker[Session]) -> str | None:
    """Create the demo organisation, admin account and the sample plant's assessment with its result; returns the
    new password, or None when the demo account exists already (its password is not shown again)."""
    with transaction(factory) as s:
        if s.scalar(select(User).where(User.username == DEMO_USER)) is not None:
            return None
        password = secrets.token_urlsafe(12)
        org = svc.create_organisation(s, DEMO_ORG)
        s.flush()
        user = svc.create_user(
            s,
            org_id=org.id,
            username=DEMO_USER,
            password_hash=hash_password(password),
            role="admin",
            display_name="演示管理员",
        )
        s.flush()
        actor = svc.Actor(org_id=org.id, user_id=user.id, client="")
        plant = svc.create_plant(s, actor=actor, name="示例乳粉厂", province="内蒙古", grid="蒙西")
        s.flush()
        a = svc.create_assessment(
            s,
            actor=actor,
            plant_id=plant.id,
            title="示例乳粉厂 2025 年度",
            filename="sample_plant.zip",
            content_type="application/zip",
            data=sample_zip(),
        )
        s.flush()
        svc.run_assessment(s, actor=actor, assessment_id=a.id)
    return password
