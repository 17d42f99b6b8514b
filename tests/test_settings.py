"""Dated settings: every legal number has a date in force and a source."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from tests.fixtures import csrf_token

KEY = "traffic.police_mediation_application_days"


def test_declared_defaults_are_seeded_once_with_their_source(app):
    from app.extensions import db
    from app.models import Setting
    from app.services.settings import seed_settings

    with app.app_context():
        assert seed_settings() >= 2
        assert seed_settings() == 0
        row = db.session.scalars(select(Setting).where(Setting.key == KEY)).one()
        assert row.value == "10" and "第94条" in row.source and row.needs_check


def test_value_in_force_depends_on_the_day(app):
    from app.extensions import db
    from app.models import Setting
    from app.services.settings import seed_settings, setting_int

    with app.app_context():
        assert setting_int(KEY) == 10  # the declared default, even before seeding
        seed_settings()
        db.session.add(Setting(key=KEY, value="15", valid_from=dt.date(2027, 1, 1), source="new rule"))
        db.session.commit()
        assert setting_int(KEY, on=dt.date(2026, 12, 31)) == 10
        assert setting_int(KEY, on=dt.date(2027, 1, 1)) == 15


def test_administrator_adds_a_newer_value_on_the_settings_page(app, admin_client):
    from app.extensions import db
    from app.models import Setting

    admin_client.get("/lang/en")
    page = admin_client.get("/admin/settings/add").get_data(as_text=True)
    assert KEY in page
    form = {"csrf_token": csrf_token(page), "key": KEY, "valid_from": "2027-03-01", "source": "粤高法通知（测试）", "note": ""}
    bad = admin_client.post("/admin/settings/add", data=dict(form, value="ten days"), follow_redirects=True)
    assert "This setting is a number" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Setting.id)).where(Setting.valid_from == dt.date(2027, 3, 1))) == 0
    ok = admin_client.post("/admin/settings/add", data=dict(form, value="12"), follow_redirects=True)
    assert ok.status_code == 200
    with app.app_context():
        row = db.session.scalars(select(Setting).where(Setting.valid_from == dt.date(2027, 3, 1))).one()
        assert row.value == "12" and row.created_by_fk is not None


def test_settings_page_is_for_administrators_only(clerk_client):
    assert clerk_client.get("/admin/settings/list/").status_code in (302, 403)


def test_administrator_edits_a_seeded_partner(app, admin_client):
    from app.extensions import db
    from app.models import Organization
    from app.seed import seed_partners

    with app.app_context():
        seed_partners()
        org = db.session.scalars(select(Organization).where(Organization.code == "traffic:police-brigade")).one()
        org_id = org.id
    admin_client.get("/lang/en")
    listing = admin_client.get("/admin/organizations/list/").get_data(as_text=True)
    assert "城区交警大队" in listing and "Traffic accident" in listing
    page = admin_client.get(f"/admin/organizations/edit/{org_id}").get_data(as_text=True)
    r = admin_client.post(
        f"/admin/organizations/edit/{org_id}",
        data={"csrf_token": csrf_token(page), "name": "汕尾市公安局交通警察支队城区大队", "kind": "partner_agency", "description": "", "active": "y"},
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Organization, org_id).name == "汕尾市公安局交通警察支队城区大队"
        assert seed_partners() == 0  # seeding again never overwrites the administrator's edit
        assert db.session.get(Organization, org_id).name == "汕尾市公安局交通警察支队城区大队"
