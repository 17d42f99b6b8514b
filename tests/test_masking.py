"""Personal data is masked by its classification on pages, the API and exports; the full
values show only to a role allowed to reveal them, after a reveal with a reason, which is logged."""
from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import helpers
from tests.fixtures import csrf_token, make_migrated_app

PASSWORD = "masking-Pa55-word"
CLERK, JUDGE, LEADER, OUTSIDER, PARTNER = "mask_clerk", "mask_judge", "mask_leader", "mask_outsider", "mask_partner"
# The traffic payload's values (tests/helpers.py) and what shows of them by default.
ID_NUMBER, ID_MASKED = helpers.VALID_ID, "110105********002X"
MOBILE, MOBILE_MASKED = "13802661234", "138****1234"
ADDRESS, ADDRESS_MASKED = "汕尾市城区香洲街道通港路18号", "汕尾市城区香洲街道***"
PLATE, PLATE_MASKED = "粤N12345", "粤*****5"
POLICY = "PDAA2026001"
CERTIFICATE, CERTIFICATE_MASKED = "粤调证2026第0815号", "粤调*********5号"
MEDIATOR_MOBILE = "13923450815"
FULL_VALUES = (ID_NUMBER, MOBILE, ADDRESS, PLATE, POLICY)
REASON = {"reason_code": "contact", "reason": "电话通知当事人调解时间"}


@pytest.fixture(scope="module")
def mapp(database, tmp_path_factory):
    """An app with a clerk and a mediator-pool viewer of the centre ("leadership": reads, never
    reveals), a duty judge, a clerk of no organisation and a partner agency's user."""
    from app.extensions import db

    app = make_migrated_app(database, tmp_path_factory.mktemp("masking"))
    with app.app_context():
        sm = app.appbuilder.sm
        leadership = sm.find_role("MaskLeadership") or sm.add_role("MaskLeadership")
        leadership.permissions = [sm.add_permission_view_menu(p, v) for p, v in (
            ("can_list", "Case"), ("can_show", "Case"), ("can_list", "Mediator"), ("can_show", "Mediator"))]
        roles = {CLERK: "Clerk", JUDGE: "Judge", LEADER: "MaskLeadership", OUTSIDER: "Clerk", PARTNER: "Partner"}
        for username, role in roles.items():
            if not sm.find_user(username=username):
                sm.add_user(username=username, first_name=username, last_name="测试", email=f"{username}@jiefen.invalid",
                            role=sm.find_role(role), password=PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        helpers.wipe_case_data()
        db.session.remove()


@pytest.fixture
def world(mapp):
    """The centre with its clerk, judge and leader; a partner agency; a traffic case the clerk
    registered through the API; a mediator of the centre with a mobile and a certificate."""
    from app.extensions import db
    from app.models import Mediator, Membership, Organization

    with mapp.app_context():
        places = helpers.create_places()
        partner = Organization(name="城区交警大队", kind="partner_agency")
        db.session.add(partner)
        db.session.flush()
        users = {u: mapp.appbuilder.sm.find_user(username=u).id for u in (CLERK, JUDGE, LEADER, OUTSIDER, PARTNER)}
        db.session.add_all([Membership(user_id=users[u], organization_id=places["centre"]) for u in (CLERK, JUDGE, LEADER)]
                           + [Membership(user_id=users[PARTNER], organization_id=partner.id)])
        mediator = Mediator(name="陈海燕", employment="full_time", engagement="resident", specialties=["traffic"],
                            mobile=MEDIATOR_MOBILE, certificate_no=CERTIFICATE, organization_id=places["centre"])
        db.session.add(mediator)
        db.session.commit()
        ids = {**places, "partner": partner.id, "mediator": mediator.id}
    r = mapp.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places), headers=bearer(mapp, CLERK))
    assert r.status_code == 201, r.get_json()
    ids["case"] = r.get_json()["id"]
    _SEEN["audit"] = last_audit_id(mapp)  # the log is append-only: earlier tests' rows stay
    yield ids
    with mapp.app_context():
        helpers.wipe_case_data()


def login(app, username):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"
    return client


_TOKENS: dict = {}


def bearer(app, username):
    key = (id(app), username)
    if key not in _TOKENS:
        r = app.test_client().post("/api/v1/security/login",
                                   json={"username": username, "password": PASSWORD, "provider": "db"})
        assert r.status_code == 200, r.get_data(as_text=True)
        _TOKENS[key] = r.get_json()["access_token"]
    return {"Authorization": f"Bearer {_TOKENS[key]}"}


_SEEN = {"audit": 0}


def last_audit_id(app) -> int:
    from sqlalchemy import func

    from app.extensions import db
    from app.models.audit import AuditEvent

    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def reveals(app, table=None):
    """The reveal rows the current test wrote to the audit log: (table, row id, details)."""
    from app.extensions import db
    from app.models.audit import AuditEvent

    with app.app_context():
        db.session.expire_all()
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reveal", AuditEvent.id > _SEEN["audit"])
                                  .order_by(AuditEvent.id))
        return [(e.table_name, e.row_id, e.changes) for e in rows if table is None or e.table_name == table]


def reveal_on_page(client, url, **data):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data})


def assert_masked(body: str):
    for value in FULL_VALUES:
        assert value not in body, value


# -- the case page -------------------------------------------------------------------------


def test_case_page_masks_personal_data_for_a_role_that_may_not_reveal(mapp, world):
    page = login(mapp, JUDGE).get(f"/case/show/{world['case']}?_l_=zh_CN").get_data(as_text=True)
    assert ID_MASKED in page and MOBILE_MASKED in page and ADDRESS_MASKED in page and PLATE_MASKED in page
    assert_masked(page)
    assert "显示完整信息" not in page and 'id="reveal-form"' not in page
    # and the reveal itself is refused to the role
    assert login(mapp, JUDGE).get(f"/reveal/case/{world['case']}").status_code in (302, 403)
    assert reveals(mapp) == []


def test_clerk_sees_full_values_only_after_a_reveal_with_a_reason(mapp, world):
    clerk, url = login(mapp, CLERK), f"/case/show/{world['case']}?_l_=zh_CN"
    before = clerk.get(url).get_data(as_text=True)
    assert_masked(before)
    assert "显示完整信息" in before and 'id="reveal-form"' in before

    # no reason: refused with field errors, nothing logged, still masked
    refused = reveal_on_page(clerk, f"/reveal/case/{world['case']}?_l_=zh_CN", reason_code="", reason="  ")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "请选择" in text and "请用一句话" in text
    assert reveals(mapp) == [] and MOBILE not in clerk.get(url).get_data(as_text=True)

    done = reveal_on_page(clerk, f"/reveal/case/{world['case']}", **REASON)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/case/show/{world['case']}#sec-parties")
    after = clerk.get(url).get_data(as_text=True)
    for value in FULL_VALUES:
        assert value in after
    assert 'id="revealed-note"' in after
    [(table, row_id, details)] = reveals(mapp)
    assert (table, row_id) == ("cases", world["case"])
    assert details["reason"] == REASON["reason"] and details["reason_code"] == "contact"
    assert {"parties.id_number", "parties.mobile", "parties.address", "intake.vehicles"} <= set(details["fields"])


def test_a_reveal_lasts_ten_minutes_and_only_for_that_case_and_user(mapp, world, monkeypatch):
    from app.services import reveal

    clerk = login(mapp, CLERK)
    assert reveal_on_page(clerk, f"/reveal/case/{world['case']}", **REASON).status_code == 302
    assert MOBILE in clerk.get(f"/case/show/{world['case']}").get_data(as_text=True)
    # another session of another user sees the case masked
    assert_masked(login(mapp, JUDGE).get(f"/case/show/{world['case']}").get_data(as_text=True))
    later = time.time() + reveal.REVEAL_MINUTES * 60 + 1
    monkeypatch.setattr(reveal.time, "time", lambda: later)
    assert_masked(clerk.get(f"/case/show/{world['case']}").get_data(as_text=True))


def test_a_user_who_cannot_see_the_case_gets_404_on_reveal(mapp, world):
    outsider = login(mapp, OUTSIDER)  # a clerk of no organisation: sees only what they registered
    page = outsider.get(f"/reveal/case/{world['case']}")
    assert page.status_code == 404
    token = csrf_token(outsider.get("/resetmypassword/form").get_data(as_text=True))
    assert outsider.post(f"/reveal/case/{world['case']}", data={"csrf_token": token, **REASON}).status_code == 404
    api = mapp.test_client().post(f"/api/v1/case/{world['case']}/reveal", json=REASON, headers=bearer(mapp, OUTSIDER))
    assert api.status_code == 404
    assert reveals(mapp) == []


# -- the case API and the case list ------------------------------------------------------------


def test_case_api_answers_masked_values(mapp, world):
    for user in (CLERK, JUDGE):
        r = mapp.test_client().get(f"/api/v1/case/{world['case']}", headers=bearer(mapp, user))
        assert r.status_code == 200
        assert_masked(r.get_data(as_text=True))
        result = r.get_json()["result"]
        party = result["parties_masked"][0]
        assert (party["id_number"], party["mobile"], party["address"]) == (ID_MASKED, MOBILE_MASKED, ADDRESS_MASKED)
        vehicle = result["intake_data"]["vehicles"][0]
        assert vehicle["plate"] == PLATE_MASKED and vehicle["liability"] == "70"  # internal stays clear
        assert result["intake_data"]["accident_date"] == "2026-09-18"


def test_case_api_reveal_needs_the_permission_and_a_reason_and_is_logged(mapp, world):
    c, url = mapp.test_client(), f"/api/v1/case/{world['case']}/reveal"
    assert c.post(url, json=REASON, headers=bearer(mapp, JUDGE)).status_code in (401, 403)
    assert c.post(url, json=REASON, headers=bearer(mapp, PARTNER)).status_code in (401, 403)
    no_reason = c.post(url + "?_l_=en", json={"reason_code": "contact"}, headers=bearer(mapp, CLERK))
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["message"]
    assert c.post(url, json={"reason_code": "made-up", "reason": "x"}, headers=bearer(mapp, CLERK)).status_code == 422
    assert c.post(url, data="not json", headers=bearer(mapp, CLERK)).status_code == 400
    assert reveals(mapp) == []

    r = c.post(url, json=REASON, headers=bearer(mapp, CLERK))
    assert r.status_code == 200, r.get_json()
    result = r.get_json()["result"]
    assert result["parties"][0]["mobile"] == MOBILE and result["parties"][0]["id_number"] == ID_NUMBER
    assert result["intake"]["vehicles"][0]["plate"] == PLATE
    [(table, row_id, details)] = reveals(mapp)
    assert (table, row_id) == ("cases", world["case"]) and details["reason"] == REASON["reason"]
    assert details["fields"] == result["fields"] and "parties.mobile" in details["fields"]
    # the ordinary answer stays masked afterwards
    assert_masked(c.get(f"/api/v1/case/{world['case']}", headers=bearer(mapp, CLERK)).get_data(as_text=True))


def test_case_list_holds_no_personal_numbers_even_after_a_reveal(mapp, world):
    clerk = login(mapp, CLERK)
    reveal_on_page(clerk, f"/reveal/case/{world['case']}", **REASON)
    page = clerk.get("/case/list/")
    assert page.status_code == 200 and f'data-case="{world["case"]}"' in page.get_data(as_text=True)
    assert_masked(page.get_data(as_text=True))
    listed = mapp.test_client().get("/api/v1/case/", headers=bearer(mapp, CLERK))
    assert listed.status_code == 200 and listed.get_json()["count"] == 1
    assert_masked(listed.get_data(as_text=True))


def test_sensitive_intake_fields_show_hidden(mapp, world):
    payload = helpers.traffic_payload({"street": world["street"], "centre": world["centre"]},
                                      disability_rating="10", injured_count=1)
    r = mapp.test_client().post("/api/v1/case/", json=payload, headers=bearer(mapp, CLERK))
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    api = mapp.test_client().get(f"/api/v1/case/{case_id}?_l_=zh_CN", headers=bearer(mapp, CLERK)).get_json()
    assert api["result"]["intake_data"]["disability_rating"] == "已隐藏"
    page = login(mapp, JUDGE).get(f"/case/show/{case_id}?_l_=zh_CN").get_data(as_text=True)
    assert "已隐藏" in page and "10级" not in page


# -- partners ----------------------------------------------------------------------------------


def send(mapp, world, shared, purpose="请协助核实事故责任认定"):
    import datetime as dt

    from app.services.settings import today

    with mapp.app_context():
        due = (today() + dt.timedelta(days=7)).isoformat()
    body = {"partner_id": world["partner"], "kind": "entrust", "purpose": purpose,
            "legal_basis": "《道路交通安全法》第七十四条", "shared_fields": shared, "due_on": due}
    r = mapp.test_client().post(f"/api/v1/case/{world['case']}/referrals", json=body, headers=bearer(mapp, CLERK))
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()["result"]["id"]


def test_partner_sees_what_the_referral_names_and_no_other_personal_data(mapp, world):
    rid = send(mapp, world, ["title", "parties.name", "parties.role", "intake.vehicles"])
    partner = login(mapp, PARTNER)
    page = partner.get(f"/partner/referrals/{rid}").get_data(as_text=True)
    assert "林晓明" in page and PLATE in page  # named by the referral, for its purpose
    for value in (ID_NUMBER, ID_MASKED, MOBILE, MOBILE_MASKED, ADDRESS):
        assert value not in page
    api = mapp.test_client().get(f"/api/v1/partner/referrals/{rid}", headers=bearer(mapp, PARTNER))
    body = str(api.get_json())
    assert api.status_code == 200 and PLATE in body
    for value in (ID_NUMBER, MOBILE, MOBILE_MASKED, ADDRESS):
        assert value not in body
    assert set(api.get_json()["result"]["shared"]["parties"][0]) == {"name", "role"}
    # a partner has no reveal
    assert partner.get(f"/reveal/case/{world['case']}").status_code in (302, 403, 404)


def test_partner_sees_a_mobile_only_when_the_referral_shares_it_explicitly(mapp, world):
    rid = send(mapp, world, ["parties.name", "parties.mobile"], purpose="请联系当事人到场处理")
    page = login(mapp, PARTNER).get(f"/partner/referrals/{rid}").get_data(as_text=True)
    assert MOBILE in page and ADDRESS not in page and ID_NUMBER not in page


def test_a_records_sub_field_stricter_than_the_shared_field_is_hidden_from_the_partner(mapp, world):
    from app.lifecycle.referral_sharing import _shared_value
    from app.plugins.types import IntakeField

    spec = IntakeField("children", "子女", kind="records", classification="personal", subfields=(
        IntakeField("school", "学校", classification="personal"), IntakeField("name", "姓名", classification="minor")))
    with mapp.test_request_context("/?_l_=zh_CN"):
        shown = _shared_value(spec, [{"school": "城区第一小学", "name": "林小明"}])
    assert shown == [{"school": "城区第一小学", "name": "已隐藏"}]


def test_partner_ledger_masks_numbers_typed_into_its_text(mapp, world):
    rid = send(mapp, world, ["title"], purpose=f"请联系申请人（手机{MOBILE}，身份证{ID_NUMBER}）")
    r = login(mapp, PARTNER).get("/partner/ledger.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    [row] = [row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0] == rid]
    assert MOBILE_MASKED in row[3] and ID_MASKED in row[3]
    cells = " ".join(str(v) for line in sheet.iter_rows(values_only=True) for v in line if v is not None)
    assert_masked(cells)


# -- the mediator pool -------------------------------------------------------------------------


def test_pool_page_masks_mobile_and_certificate_without_the_permission(mapp, world):
    page = login(mapp, LEADER).get(f"/mediators/show/{world['mediator']}?_l_=zh_CN")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "139****0815" in text and CERTIFICATE_MASKED in text
    assert MEDIATOR_MOBILE not in text and CERTIFICATE not in text and "显示完整信息" not in text
    assert login(mapp, LEADER).get(f"/reveal/mediator/{world['mediator']}").status_code in (302, 403)
    # the case API and the recommendations name mediators only
    rec = mapp.test_client().get(f"/api/v1/case/{world['case']}/recommendations", headers=bearer(mapp, CLERK))
    assert MEDIATOR_MOBILE not in rec.get_data(as_text=True) and CERTIFICATE not in rec.get_data(as_text=True)


def test_pool_reveal_needs_a_reason_and_is_logged(mapp, world):
    clerk, show = login(mapp, CLERK), f"/mediators/show/{world['mediator']}?_l_=zh_CN"
    before = clerk.get(show).get_data(as_text=True)
    assert MEDIATOR_MOBILE not in before and "显示完整信息" in before
    url = f"/reveal/mediator/{world['mediator']}"
    assert reveal_on_page(clerk, url, reason_code="contact", reason="").status_code == 422
    assert reveals(mapp) == []
    assert reveal_on_page(clerk, url, reason_code="contact", reason="请调解员明天到中心值班").status_code == 302
    after = clerk.get(show).get_data(as_text=True)
    assert MEDIATOR_MOBILE in after and CERTIFICATE in after
    [(table, row_id, details)] = reveals(mapp)
    assert (table, row_id) == ("mediator", world["mediator"])
    assert details["fields"] == ["mobile", "certificate_no"] and details["reason"] == "请调解员明天到中心值班"
    assert login(mapp, OUTSIDER).get(f"/reveal/mediator/{world['mediator'] + 1000}").status_code == 404


# -- classification ------------------------------------------------------------------------


def test_every_core_column_of_parties_cases_and_mediators_is_classified(mapp):
    from app.models import Case, Mediator, Party
    from app.services.classification import unclassified_columns

    assert unclassified_columns([Party.__table__, Case.__table__, Mediator.__table__]) == []


def test_masks_keep_only_what_identifies_nobody(mapp):
    from app.services.classification import mask_address, mask_number, mask_numbers_in_text, mask_short_text

    with mapp.test_request_context("/?_l_=zh_CN"):
        assert mask_address(ADDRESS) == ADDRESS_MASKED and mask_address("通港路18号") == "已隐藏"
    assert mask_number(CERTIFICATE) == CERTIFICATE_MASKED and mask_short_text(PLATE) == PLATE_MASKED
    assert mask_numbers_in_text(f"电话{MOBILE}，证件{ID_NUMBER}，案号2026001") == \
        f"电话{MOBILE_MASKED}，证件{ID_MASKED}，案号2026001"
