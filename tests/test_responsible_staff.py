"""Every case is someone's (plan 四(二)): the centre's lead or the court's staff assign and
reassign the staff member responsible for a case, on the case page and through the API; the
new person must work for a body whose scope covers the case, and the case then appears on
their My work."""
from __future__ import annotations

import lxml.html
import pytest

from tests import helpers
from tests.fixtures import csrf_token, make_migrated_app
from tests.test_deadlines import register, walk
from tests.test_mywork import PASSWORD, case_order, login, today

# username: (role, organisation key, lead)
STAFF = {
    "rs_lead": ("Clerk", "centre", True),
    "rs_colleague": ("Clerk", "centre", False),
    "rs_court": ("Clerk", "court", False),
    "rs_far": ("Clerk", "far_centre", True),
    "rs_partner": ("Partner", "partner", True),
}


@pytest.fixture(scope="module")
def sapp(database, tmp_path_factory):
    """An app and the staff of a centre, a centre of another street, the court and a partner."""
    from app.extensions import db

    app = make_migrated_app(database, tmp_path_factory.mktemp("responsible"))
    with app.app_context():
        sm = app.appbuilder.sm
        for i, (username, (role, _org, _lead)) in enumerate(STAFF.items()):
            if not sm.find_user(username=username):
                sm.add_user(username=username, first_name="晓东" if i == 1 else "明", last_name="许" if i == 1 else "陈",
                            email=f"{username}@jiefen.invalid", role=sm.find_role(role), password=PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        helpers.wipe_case_data()
        db.session.remove()


@pytest.fixture
def world(sapp):
    from app.extensions import db
    from app.models import Area, Membership, Organization

    with sapp.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502")
        street = Area(name="香洲街道", level="town", parent=district)
        village = Area(name="香洲社区", level="village", parent=street)
        far = Area(name="凤山街道", level="town", parent=district)
        orgs = {"centre": Organization(name="香洲街道综治中心", kind="governance_centre", area=street),
                "far_centre": Organization(name="凤山街道综治中心", kind="governance_centre", area=far),
                "court": Organization(name="城区法院立案庭", kind="case_filing_division"),
                "partner": Organization(name="城区交警大队", kind="partner_agency", area=street)}
        db.session.add_all([district, street, village, far, *orgs.values()])
        db.session.flush()
        users = {name: sapp.appbuilder.sm.find_user(username=name).id for name in STAFF}
        db.session.add_all([Membership(user_id=users[name], organization_id=orgs[org].id, lead=lead)
                            for name, (_role, org, lead) in STAFF.items()])
        db.session.commit()
        ids = {"street": street.id, "village": village.id, "centre": orgs["centre"].id, **users}
    yield ids
    with sapp.app_context():
        helpers.wipe_case_data()


def village_case(app, world, **fields) -> int:
    """A case in a village of the centre's street, registered by (and so the responsibility of) the lead."""
    return register(app, {"street": world["village"], "centre": world["centre"]}, "family",
                    responsible_staff_id=world["rs_lead"], **fields)


def token(app, username):
    r = app.test_client().post("/api/v1/security/login",
                               json={"username": username, "password": PASSWORD, "provider": "db"})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.get_json()['access_token']}"}


def case_row(app, case_id):
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        case = db.session.get(Case, case_id)
        return case.responsible_staff_id, case.version


def test_the_centre_lead_reassigns_the_case_and_it_moves_to_the_new_persons_my_work(sapp, world):
    from app.extensions import db
    from app.models import AuditEvent, TimelineEvent

    case = village_case(sapp, world)
    lead = login(sapp, "rs_lead")
    page = lead.get(f"/case/{case}/responsible/").get_data(as_text=True)
    choices = lxml.html.fromstring(page).xpath("//select[@name='user_id']/option/@value")
    # the centre's staff and the court's; not the other street's centre, not the partner agency
    assert {str(world["rs_lead"]), str(world["rs_colleague"]), str(world["rs_court"])} <= set(choices)
    assert str(world["rs_far"]) not in choices and str(world["rs_partner"]) not in choices
    assert "许晓东（香洲街道综治中心）" in page  # surname first, no space
    _, version = case_row(sapp, case)
    r = lead.post(f"/case/{case}/responsible/", data={"user_id": world["rs_colleague"], "version": version,
                                                      "note": "许晓东熟悉该村情况", "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/case/show/{case}")
    assert case_row(sapp, case)[0] == world["rs_colleague"]
    with sapp.app_context():
        entry = db.session.query(TimelineEvent).filter_by(case_id=case, kind="responsibility").one()
        assert entry.actor_id == world["rs_lead"] and entry.note == "许晓东熟悉该村情况"
        assert entry.data["to"] == world["rs_colleague"] and entry.data["from"] == world["rs_lead"]
        audit = db.session.query(AuditEvent).filter_by(table_name="cases", row_id=case, action="update").all()
        assert any(a.changes.get("responsible_staff_id") for a in audit)
    assert case in case_order(login(sapp, "rs_colleague").get("/mywork/").get_data(as_text=True), "responsible")
    assert case not in case_order(lead.get("/mywork/").get_data(as_text=True), "responsible")


def test_court_staff_reassign_through_the_api_and_a_stale_version_changes_nothing(sapp, world):
    case = village_case(sapp, world)
    court = token(sapp, "rs_court")
    client = sapp.test_client()
    _, version = case_row(sapp, case)
    terms = client.get(f"/api/v1/case/{case}/responsible", headers=court).get_json()
    assert terms["may_assign"] is True and terms["version"] == version
    assert terms["responsible_staff_id"] == world["rs_lead"]
    eligible = {row["user_id"]: row for row in terms["eligible"]}
    assert world["rs_court"] in eligible and world["rs_far"] not in eligible and world["rs_partner"] not in eligible
    assert eligible[world["rs_colleague"]]["name"] == "许晓东"
    r = client.post(f"/api/v1/case/{case}/responsible", json={"user_id": world["rs_court"], "version": version},
                    headers=court)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["responsible_staff_id"] == world["rs_court"] and r.get_json()["version"] == version + 1
    r = client.post(f"/api/v1/case/{case}/responsible", json={"user_id": world["rs_colleague"], "version": version},
                    headers=court)
    assert r.status_code == 409 and case_row(sapp, case)[0] == world["rs_court"]


def test_nobody_outside_the_cases_scope_can_be_made_responsible_and_none_is_revealed(sapp, world):
    case = village_case(sapp, world)
    court, client = token(sapp, "rs_court"), sapp.test_client()
    _, version = case_row(sapp, case)
    answers = {}
    for name, user_id in (("far", world["rs_far"]), ("partner", world["rs_partner"]), ("nobody", 999_999),
                          ("text", "许晓东"), ("bool", True)):
        r = client.post(f"/api/v1/case/{case}/responsible", json={"user_id": user_id, "version": version},
                        headers=court)
        assert r.status_code == 422, (name, r.get_json())
        answers[name] = r.get_json()["message"]
    assert len({str(a) for a in answers.values()}) == 1  # an existing user reads like a missing one
    assert case_row(sapp, case) == (world["rs_lead"], version)


def test_a_clerk_who_is_not_the_lead_may_not_reassign(sapp, world):
    case = village_case(sapp, world)
    colleague = login(sapp, "rs_colleague")
    # the case page offers the reassignment to the lead only
    assert f"/case/{case}/responsible/" not in colleague.get(f"/case/show/{case}").get_data(as_text=True)
    assert f"/case/{case}/responsible/" in login(sapp, "rs_lead").get(f"/case/show/{case}").get_data(as_text=True)
    page = colleague.get(f"/case/{case}/responsible/?_l_=en").get_data(as_text=True)
    assert "Only the lead" in page
    r = colleague.post(f"/case/{case}/responsible/?_l_=en", data={
        "user_id": world["rs_colleague"], "version": case_row(sapp, case)[1], "csrf_token": csrf_token(page)})
    assert r.status_code == 422 and case_row(sapp, case)[0] == world["rs_lead"]
    # what was chosen is kept on the page that explains the refusal
    [chosen] = lxml.html.fromstring(r.get_data(as_text=True)).xpath("//select[@name='user_id']/option[@selected]/@value")
    assert chosen == str(world["rs_colleague"])
    # the other street's lead does not even see the case
    assert login(sapp, "rs_far").get(f"/case/{case}/responsible/").status_code == 404


def case_version(app, case_id) -> int:
    """The version a user reading the case now would send."""
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        return db.session.get(Case, case_id).version


def test_a_finished_case_keeps_its_responsible_staff_member(sapp, world):
    case = village_case(sapp, world)
    walk(sapp, case, ("withdraw", today(sapp)))
    r = sapp.test_client().post(f"/api/v1/case/{case}/responsible", json={"user_id": world["rs_colleague"], "version": case_version(sapp, case)},
                                headers=token(sapp, "rs_court"))
    assert r.status_code == 422 and "案件已办结" in str(r.get_json()["message"])


def test_the_administrator_names_the_centres_lead_on_the_staff_page(sapp, world):
    from app.extensions import db
    from app.models import Membership

    case = village_case(sapp, world)
    with sapp.app_context():
        membership_id = db.session.query(Membership).filter_by(user_id=world["rs_colleague"]).one().id
    admin = sapp.test_client()
    helpers.login(admin, "admin")
    form = admin.get(f"/admin/staff/edit/{membership_id}").get_data(as_text=True)
    assert 'name="lead"' in form
    r = admin.post(f"/admin/staff/edit/{membership_id}", data={
        "organization": str(world["centre"]), "title": "副主任", "lead": "y", "csrf_token": csrf_token(form)})
    assert r.status_code == 302
    with sapp.app_context():
        assert db.session.get(Membership, membership_id).lead is True
    r = sapp.test_client().post(f"/api/v1/case/{case}/responsible", json={"user_id": world["rs_colleague"], "version": case_version(sapp, case)},
                                headers=token(sapp, "rs_colleague"))
    assert r.status_code == 200, r.get_json()


def test_the_case_page_tells_who_is_responsible_and_its_timeline_the_change(sapp, world):
    case = village_case(sapp, world)
    r = sapp.test_client().post(f"/api/v1/case/{case}/responsible", json={"user_id": world["rs_colleague"], "version": case_version(sapp, case)},
                                headers=token(sapp, "rs_court"))
    assert r.status_code == 200 and r.get_json()["responsible_staff"] == "许晓东"
    page = login(sapp, "rs_lead").get(f"/case/show/{case}").get_data(as_text=True)
    tree = lxml.html.fromstring(page)
    assert "许晓东" in tree.xpath("string(//*[@id='case-responsible'])")
    assert "承办人变更为：许晓东" in tree.xpath("string(//*[@id='timeline'])")
