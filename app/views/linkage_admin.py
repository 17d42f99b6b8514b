"""The "Linkage channels" admin page: how each partner agency is reached, and its settings.

``/admin/linkage/`` lists the partner agencies, 50 a page by name, with their mechanism,
whether the settings are complete, whether a named secret is configured, whether the plugin
providing the mechanism is disabled (its messages are then paused), and their deliveries
waiting, paused or dead (counted for the page's partners in one grouped query);
``/admin/linkage/<id>`` chooses the mechanism and fills in the settings it describes. Bad
input shows the form again with what was typed, and stores nothing.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from app.extensions import db
from app.linkage.mechanisms import get_mechanism, mechanism_classes
from app.linkage.outbox import paused_mechanisms
from app.linkage.settings_check import check_settings, missing_secrets
from app.models.organization import Organization
from app.models.referral import OutboxMessage, Referral
from app.views.keys import is_valid_pk

PAGE_SIZE = 50  # partners per page of the channels list


def _partner(org_id) -> Organization:
    org = db.session.get(Organization, int(org_id)) if is_valid_pk(org_id) and int(org_id) < 2**31 else None
    if org is None or org.kind != "partner_agency":
        abort(404)
    return org


def _outbox_counts(paused: dict[str, str], partner_ids: list[int]) -> dict[int, dict[str, int]]:
    """partner id → {status: count} of its outbox rows still waiting, paused or dead, for the
    partners of one page (one grouped query, whatever the page size)."""
    if not partner_ids:
        return {}
    rows = db.session.execute(
        select(Referral.partner_id, OutboxMessage.status, OutboxMessage.mechanism, func.count(OutboxMessage.id))
        .join(Referral, Referral.id == OutboxMessage.referral_id)
        .where(OutboxMessage.status.in_(("pending", "dead")), Referral.partner_id.in_(partner_ids))
        .group_by(Referral.partner_id, OutboxMessage.status, OutboxMessage.mechanism)
    )
    out: dict[int, dict[str, int]] = {}
    for partner_id, status, mechanism, n in rows:
        key = "paused" if status == "pending" and mechanism in paused else status
        counts = out.setdefault(partner_id, {})
        counts[key] = counts.get(key, 0) + n
    return out


def _state(org: Organization, paused: dict[str, str]) -> dict:
    """What the page says of a partner's channel. ``paused`` names the plugin of the
    partner's mechanism when an administrator disabled it: the settings may be complete, the
    linkage is not."""
    mech = get_mechanism(org.linkage_mechanism)
    if mech is None:
        return {"label": org.linkage_mechanism, "problems": [gettext("No installed plugin provides this mechanism.")],
                "missing": [], "paused": None}
    settings = org.linkage_settings or {}
    _, problems = check_settings(mech, settings, resolve=False)
    return {"label": mech.label, "problems": problems, "missing": missing_secrets(mech, settings),
            "paused": paused.get(org.linkage_mechanism)}


class LinkageAdminView(BaseView):
    """Administrators set each partner agency's linkage mechanism and its settings."""

    route_base = "/admin/linkage"
    default_view = "index"
    class_permission_name = "LinkageAdmin"
    base_permissions = ["can_list", "can_edit"]
    method_permission_name = {"index": "list", "edit": "edit"}

    @expose("/")
    @has_access
    def index(self):
        """The partner agencies, a page at a time by name, and the state of each one's channel."""
        raw = request.args.get("page", "0")
        page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 0
        partners_only = Organization.kind == "partner_agency"
        total = db.session.scalar(select(func.count(Organization.id)).where(partners_only)) or 0
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages - 1)
        partners = db.session.scalars(
            select(Organization).where(partners_only).order_by(Organization.name, Organization.id)
            .limit(PAGE_SIZE).offset(page * PAGE_SIZE)
        ).unique().all()
        paused = paused_mechanisms()
        counts = _outbox_counts(paused, [o.id for o in partners])
        rows = [{"org": o, "state": _state(o, paused), "outbox": counts.get(o.id, {})} for o in partners]
        return self.render_template("jiefen/linkage_admin.html", rows=rows, page=page, pages=pages, total=total)

    @expose("/<org_id>", methods=["GET", "POST"])
    @has_access
    def edit(self, org_id):
        """Choose the mechanism and fill in its settings."""
        org = _partner(org_id)
        mechanisms = {name: cls() for name, cls in sorted(mechanism_classes().items())}
        form = FlaskForm()
        chosen = org.linkage_mechanism
        values = {chosen: dict(org.linkage_settings or {})}
        status = 200
        if request.method == "POST":
            if not form.validate():
                abort(400)
            chosen = request.form.get("mechanism", "")
            typed = {k[len(f"{chosen}."):]: v for k, v in request.form.items() if k.startswith(f"{chosen}.")}
            values = {chosen: typed}
            mech = mechanisms.get(chosen)
            if mech is None:
                flash(gettext("Choose one of the installed mechanisms."), "danger")
                status = 422
            else:
                settings, problems = check_settings(mech, typed)
                if problems:
                    for problem in problems:
                        flash(problem, "danger")
                    status = 422
                else:
                    org.linkage_mechanism = chosen
                    org.linkage_settings = settings
                    db.session.commit()
                    flash(gettext("The linkage channel of %(org)s is saved.", org=org.name), "success")
                    for name in missing_secrets(mech, settings):
                        flash(gettext("The secret “%(name)s” is not configured yet: deliveries will wait "
                                      "until it is.", name=name), "warning")
                    return redirect(url_for("LinkageAdminView.index"))
        return self.render_template("jiefen/linkage_edit.html", org=org, form=form, mechanisms=mechanisms,
                                    chosen=chosen, values=values, paused=paused_mechanisms()), status
