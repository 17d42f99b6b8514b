"""The kit's linkage steps: a referral's way to a partner agency reached by a plugin's
mechanism, taken through the administrator's pages and the API — add the partner, set its
channel, refer a case, run the outbox worker (now or later), read the outbox; and the seeded
partners a callback names, for a mechanism's inbound side."""
from __future__ import annotations

import datetime as dt
import re


class LinkageSteps:
    """Mixed into :class:`~app.plugins.testing.kit.PluginKit`."""

    def add_partner(self, name: str) -> int:
        """Add a partner agency on the Organisations page; its id (read from the Linkage page)."""
        from app.plugins.testing.kit import csrf_token

        admin = self.client_as(self.roles[0])
        page = admin.get("/admin/organizations/add").get_data(as_text=True)
        r = admin.post("/admin/organizations/add",
                       data={"csrf_token": csrf_token(page), "name": name, "kind": "partner_agency", "active": "y"})
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
        html = admin.get("/admin/linkage/").get_data(as_text=True)
        m = re.search(r'<tr data-org="(\d+)">\s*<td>' + re.escape(name), html)
        assert m, f"partner {name} is not on the Linkage page"
        return int(m.group(1))

    def set_channel(self, partner_id: int, mechanism: str, lang: str = "zh_CN", **settings):
        """Post the partner's channel form on the Linkage page (``settings`` are the
        mechanism's fields); the response: 302 saved, 422 refused with the reasons."""
        from app.plugins.testing.kit import csrf_token

        admin = self.client_as(self.roles[0])
        url = f"/admin/linkage/{partner_id}?_l_={lang}"
        data = {"csrf_token": csrf_token(admin.get(url).get_data(as_text=True)), "mechanism": mechanism}
        data.update({f"{mechanism}.{k}": v for k, v in settings.items()})
        return admin.post(url, data=data)

    def refer(self, partner_id: int, case=None, purpose: str = "请协助调取相关材料",
              legal_basis: str = "《人民调解法》第8条", shared_fields=("title",)) -> int:
        """Refer ``case`` (a :class:`KitCase`; a new case of the first dispute type if none)
        to ``partner_id`` through the API; the referral's id."""
        from app.plugins import today

        if case is None:
            case = self.make_case(sorted(self.registry.dispute_types)[0], role=self.roles[0])
        with self.app.app_context():
            due_on = (today() + dt.timedelta(days=30)).isoformat()
        r = self.api(self.roles[0], "POST", f"/api/v1/case/{case.id}/referrals", json={
            "partner_id": partner_id, "kind": "link", "purpose": purpose, "legal_basis": legal_basis,
            "shared_fields": list(shared_fields), "due_on": due_on})
        assert r.status_code == 201, r.get_data(as_text=True)
        return r.get_json()["result"]["id"]

    def run_outbox(self, later: dt.timedelta | None = None) -> dict:
        """One pass of the outbox worker, as ``flask outbox run --once`` does it; counts by
        outcome (``delivered``, ``retry``, ``dead``, ``errors``). ``later`` runs the pass as if
        that much time had gone by, so a message waiting out its retry back-off (30 s, 60 s,
        120 s …) is due again without the test sleeping."""
        from app.linkage.outbox import deliver_due
        from app.models.types import utcnow

        with self.app.app_context():
            return deliver_due(now=utcnow() + later) if later else deliver_due()

    def seed_partners(self) -> dict[str, int]:
        """Add the enabled plugins' default partner agencies as ``jiefen setup`` does;
        ``{code: id}`` of every partner agency that has a code. The code is the last part of
        the partner's callback URL (``/api/v1/linkage/inbound/<code>``), which only seeding
        gives: the Organisations page leaves it alone."""
        from sqlalchemy import select

        from app.extensions import db
        from app.models import Organization
        from app.seed import seed_partners

        with self.app.app_context():
            seed_partners()
            rows = db.session.execute(
                select(Organization.code, Organization.id)
                .where(Organization.kind == "partner_agency", Organization.code.is_not(None))
                .order_by(Organization.code).limit(1000))
            return {code: org_id for code, org_id in rows}

    def partner(self, partner_id: int):
        """The partner agency as a mechanism's ``send``, ``verify`` and ``receive`` get it
        (``id``, ``name``, ``code``, ``linkage_mechanism``, ``linkage_settings``), read
        afresh and detached from the database: to call a mechanism's method directly."""
        from app.extensions import db
        from app.models import Organization

        with self.app.app_context():
            org = db.session.get(Organization, partner_id)
            assert org is not None, f"no partner agency {partner_id}"
            db.session.refresh(org)
            db.session.expunge(org)
            return org

    def outbox(self) -> list[tuple[str, int]]:
        """``(status, attempts)`` of every outbox message, oldest first."""
        from sqlalchemy import select

        from app.extensions import db
        from app.models.referral import OutboxMessage

        with self.app.app_context():
            db.session.expire_all()
            rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id).limit(1000))
            return [(m.status, m.attempts) for m in rows]
