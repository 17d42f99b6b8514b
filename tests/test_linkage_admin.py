"""The "Linkage channels" admin page: an administrator sets how each partner agency is reached."""
from __future__ import annotations

import pytest

from tests.fixtures import csrf_token


@pytest.fixture
def partners(app):
    from app.extensions import db
    from app.models import Organization

    with app.app_context():
        police = Organization(name="城区交警大队", kind="partner_agency")
        bureau = Organization(name="城区人社局", kind="partner_agency", linkage_mechanism="webhook",
                              linkage_settings={"url": "https://hr.partner.invalid/hook", "secret_ref": "hr"})
        centre = Organization(name="香洲街道综治中心", kind="governance_centre")
        db.session.add_all([police, bureau, centre])
        db.session.commit()
        return {"police": police.id, "bureau": bureau.id, "centre": centre.id}


def stored(app, org_id):
    from app.extensions import db
    from app.models import Organization

    with app.app_context():
        db.session.expire_all()
        org = db.session.get(Organization, org_id)
        return org.linkage_mechanism, dict(org.linkage_settings or {})


def save(client, org_id, **fields):
    url = f"/admin/linkage/{org_id}?_l_=en"
    data = {"csrf_token": csrf_token(client.get(url).get_data(as_text=True)), **fields}
    return client.post(url, data=data)


def test_the_list_shows_each_partners_channel_and_what_is_missing(app, admin_client, partners):
    html = admin_client.get("/admin/linkage/?_l_=en").get_data(as_text=True)
    assert "城区交警大队" in html and "城区人社局" in html and "香洲街道综治中心" not in html
    assert "In the platform" in html and "Signed webhook" in html
    assert "Secret “hr” is not configured" in html


def test_administrator_sets_a_webhook_and_bad_input_stores_nothing(app, admin_client, partners):
    r = save(admin_client, partners["police"], mechanism="webhook",
             **{"webhook.url": "ftp://police.partner.invalid", "webhook.secret_ref": "police"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "an http:// or https:// address" in html
    assert 'value="ftp://police.partner.invalid"' in html  # what was typed is kept
    assert stored(app, partners["police"]) == ("in_platform", {})
    r = save(admin_client, partners["police"], mechanism="webhook",
             **{"webhook.url": "https://police.partner.invalid/hook", "webhook.secret_ref": "abc123secret value!"})
    assert r.status_code == 422 and "never the secret itself" in r.get_data(as_text=True)
    r = save(admin_client, partners["police"], mechanism="webhook",
             **{"webhook.url": "https://police.partner.invalid/hook", "webhook.secret_ref": "police",
                "email.address": "ignored@partner.invalid"})
    assert r.status_code == 302
    assert stored(app, partners["police"]) == ("webhook", {"url": "https://police.partner.invalid/hook",
                                                           "secret_ref": "police"})
    follow = admin_client.get(r.headers["Location"] + "?_l_=en").get_data(as_text=True)
    assert "is not configured yet" in follow  # the named secret is not in the configuration


def test_email_channel_needs_an_address_and_unknown_mechanisms_are_refused(app, admin_client, partners):
    r = save(admin_client, partners["bureau"], mechanism="email", **{"email.address": "not-an-address"})
    assert r.status_code == 422 and "an e-mail address" in r.get_data(as_text=True)
    r = save(admin_client, partners["bureau"], mechanism="carrier_pigeon")
    assert r.status_code == 422 and "installed mechanisms" in r.get_data(as_text=True)
    assert stored(app, partners["bureau"])[0] == "webhook"
    assert save(admin_client, partners["bureau"], mechanism="email",
                **{"email.address": "renshe@partner.invalid"}).status_code == 302
    assert stored(app, partners["bureau"]) == ("email", {"address": "renshe@partner.invalid"})


def test_only_administrators_reach_it_and_only_for_partner_agencies(app, admin_client, clerk_client, partners):
    assert admin_client.get(f"/admin/linkage/{partners['centre']}").status_code == 404
    assert admin_client.get("/admin/linkage/99999999999999999999").status_code == 404
    for url in ("/admin/linkage/", f"/admin/linkage/{partners['police']}"):
        r = clerk_client.get(url)
        assert r.status_code in (302, 403) and "城区交警大队" not in r.get_data(as_text=True)


def _statements_for(app, client, url) -> tuple[str, int]:
    """The page at ``url`` and how many SQL statements it ran."""
    from sqlalchemy import event

    from app.extensions import db

    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        html = client.get(url).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return html, len(seen)


def test_many_partners_are_listed_50_a_page_with_as_many_queries_per_page(app, admin_client):
    """A city may link thousands of agencies: the channels list pages them by name, in Chinese,
    and a full page costs the same statements as a page of three (no query per partner)."""
    from app.extensions import db
    from app.models import Organization

    with app.app_context():
        db.session.add_all([Organization(name=f"联动单位{i:03d}", kind="partner_agency", linkage_mechanism="webhook",
                                         linkage_settings={"url": "https://p.partner.invalid/hook", "secret_ref": "p"})
                            for i in range(53)])
        db.session.commit()
    admin_client.get("/admin/linkage/")  # warm the session and caches the first request fills
    first, first_cost = _statements_for(app, admin_client, "/admin/linkage/")
    second, second_cost = _statements_for(app, admin_client, "/admin/linkage/?page=1")
    assert first.count("<tr data-org=") == 50 and second.count("<tr data-org=") == 3
    assert "联动单位000" in first and "联动单位049" in first and "联动单位050" not in first
    assert "联动单位050" in second and "联动单位052" in second
    assert "第 1 页，共 2 页" in first
    assert "下一页" in first and "上一页" in second and "下一页" not in second
    assert first_cost == second_cost
    # a page past the end shows the last one
    assert _statements_for(app, admin_client, "/admin/linkage/?page=99")[0].count("<tr data-org=") == 3
