"""Idempotent set-up steps: permissions, the administrator, plugin default partners."""
from __future__ import annotations

import os
from typing import Optional

from flask import current_app
from flask_babel import force_locale

from app.extensions import appbuilder, db
from app.models.organization import Organization


def sync_permissions() -> None:
    """Create FAB's roles and every view's permissions (granted to Admin)."""
    from flask_appbuilder.security.manager import BaseSecurityManager

    # FAB_CREATE_DB is off (migrations own the tables), so call the role-creating half of
    # FAB's create_db directly.
    BaseSecurityManager.create_db(appbuilder.sm)
    appbuilder.add_permissions(update_perms=True)
    from app.roles import sync_roles
    from app.security import forget_removed_views

    forget_removed_views(appbuilder.sm)

    sync_roles(appbuilder.sm)


def create_admin() -> Optional[str]:
    """Create user ``admin`` if missing; return the password if one was generated."""
    from app.cli import generate_password

    sm = appbuilder.sm
    if sm.find_user(username="admin"):
        return None
    given = os.environ.get("JIEFEN_ADMIN_PASSWORD")
    password = given or generate_password()
    user = sm.add_user(
        username="admin",
        first_name="系统",
        last_name="管理员",
        email="admin@jiefen.invalid",
        role=sm.find_role(sm.auth_role_admin),
        password=password,
    )
    if not user:
        raise RuntimeError("could not create the administrator account")
    return None if given else password


def seed_partners() -> int:
    """Add each enabled plugin's default partner agencies that are not there yet.

    A partner is found again by its seeded code, or by kind and name when another type
    already seeded the same body; then it only gains the dispute type. Rows an
    administrator edited are never overwritten.
    """
    state = current_app.extensions["jiefen"]
    added = 0
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for code, owner in state.registry.type_owner.items():
            for partner in state.dispatcher.partners_of(code):
                key = f"{owner}:{partner.code}"
                org = db.session.query(Organization).filter_by(code=key).one_or_none()
                if org is None:
                    # Two types may name the same body (a community committee): one row.
                    org = (
                        db.session.query(Organization)
                        .filter_by(kind=partner.kind, name=str(partner.name))
                        .first()
                    )
                if org is None:
                    org = Organization(
                        code=key,
                        kind=partner.kind,
                        name=str(partner.name),
                        description=str(partner.description or ""),
                        dispute_types=[code],
                    )
                    db.session.add(org)
                    added += 1
                elif code not in (org.dispute_types or []):
                    org.dispute_types = list(org.dispute_types or []) + [code]
    db.session.commit()
    return added
