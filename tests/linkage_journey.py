"""A referral's journey to a partner reached by a plugin's mechanism, through the pages and
the API as an administrator takes it: add the partner agency, set its channel, register a
case, refer it, switch the plugin off and on, run the outbox worker."""
from __future__ import annotations

import datetime as dt
import re

from tests import helpers
from tests.fixtures import csrf_token


def admin(app):
    """A browser signed in as the administrator."""
    client = app.test_client()
    helpers.login(client, "admin")
    return client


def add_partner(client, name: str) -> int:
    """Add a partner agency on the Organisations page; returns its id (from the Linkage page)."""
    page = client.get("/admin/organizations/add").get_data(as_text=True)
    r = client.post("/admin/organizations/add",
                    data={"csrf_token": csrf_token(page), "name": name, "kind": "partner_agency", "active": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    html = client.get("/admin/linkage/").get_data(as_text=True)
    m = re.search(r'<tr data-org="(\d+)">\s*<td>' + re.escape(name), html)
    assert m, html
    return int(m.group(1))


def set_channel(client, org_id: int, mechanism: str, lang: str = "zh", **settings):
    """Post the Linkage channel form; returns the response (302 saved, 422 refused)."""
    url = f"/admin/linkage/{org_id}?_l_={lang}"
    data = {"csrf_token": csrf_token(client.get(url).get_data(as_text=True)), "mechanism": mechanism}
    data.update({f"{mechanism}.{k}": v for k, v in settings.items()})
    return client.post(url, data=data)


def switch_plugin(client, name: str, enabled: bool) -> None:
    """Enable or disable a plugin on the Plugins page."""
    page = client.get("/admin/plugins/").get_data(as_text=True)
    r = client.post(f"/admin/plugins/{name}/toggle",
                    data={"csrf_token": csrf_token(page), "enabled": "1" if enabled else "0"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]


def refer(app, partner_id: int, purpose: str = "请协助调取事故认定书") -> int:
    """Register a traffic case and refer it to ``partner_id`` through the API; the referral's id."""
    from app.services.clock import today

    with app.app_context():
        places = helpers.create_places()
        due_on = (today() + dt.timedelta(days=30)).isoformat()
    api = app.test_client()
    auth = {"Authorization": f"Bearer {helpers.api_token(api, 'admin')}"}
    r = api.post("/api/v1/case/", json=helpers.traffic_payload(places), headers=auth)
    assert r.status_code == 201, r.get_data(as_text=True)
    case_id = r.get_json()["id"]
    r = api.post(f"/api/v1/case/{case_id}/referrals", headers=auth, json={
        "partner_id": partner_id, "kind": "link", "purpose": purpose, "legal_basis": "《道路交通安全法》第73条",
        "shared_fields": ["title"], "due_on": due_on,
    })
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()["result"]["id"]


def run_worker(app) -> dict:
    """One pass of the outbox worker, as ``flask outbox run --once`` does it."""
    from app.linkage.outbox import deliver_due

    with app.app_context():
        return deliver_due()


def outbox_rows(app) -> list[tuple[str, int]]:
    """(status, attempts) of every outbox row, oldest first."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models.referral import OutboxMessage

    with app.app_context():
        db.session.expire_all()
        return [(m.status, m.attempts) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
