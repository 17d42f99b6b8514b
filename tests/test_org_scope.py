"""Organisation scope of the duty roster, teams, guidance log and mediator pool (issue 11,
finding 4): a centre's clerk lists, reads, adds, edits and deletes only their own bodies'
rows; another centre's row answers 404 and a forged id is refused with nothing stored; the
administrator keeps both."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.fixtures import csrf_token

PASSWORD = "scope-Pa55-word"
KEEPER, JUDGE = "scope_keeper", "scope_judge"
# Everything the four areas offer, so only the organisation scope stands between the clerk
# and the other centre's rows (a real clerk holds a part of these).
GRANTS = [
    ("can_list", "DutyRoster"), ("can_edit", "DutyRoster"),
    ("can_list", "GuidanceLog"), ("can_show", "GuidanceLog"), ("can_add", "GuidanceLog"), ("can_edit", "GuidanceLog"),
    ("can_list", "Mediator"), ("can_show", "Mediator"), ("can_add", "Mediator"), ("can_edit", "Mediator"),
    *[(p, "MediationTeam") for p in ("can_list", "can_show", "can_add", "can_edit", "can_delete")],
    *[(p, "MediatorTraining") for p in ("can_list", "can_show", "can_add", "can_edit", "can_delete")],
    ("can_link", "MediatorLogin"),
]
MARCH = dt.date(2030, 3, 5)
PAST = dt.date(2025, 3, 4)
A_CENTRE, B_CENTRE = "香洲街道综治中心", "红草镇综治中心"
A_NAME, B_NAME = "陈海燕", "林秀英"


@pytest.fixture(scope="module")
def people(app):
    """A clerk holding every grant of the four areas, and a judge; their user ids."""
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role("ScopeKeeper") or sm.add_role("ScopeKeeper")
        role.permissions = [sm.add_permission_view_menu(p, v) for p, v in GRANTS]
        sm.session.commit()
        ids = {}
        for username, role_name, (given, surname) in ((KEEPER, "ScopeKeeper", ("敏", "周")), (JUDGE, "Judge", ("明", "许"))):
            user = sm.find_user(username=username) or sm.add_user(
                username=username, first_name=given, last_name=surname, email=f"{username}@jiefen.invalid",
                role=sm.find_role(role_name), password=PASSWORD,
            )
            ids[username] = user.id
        return ids


@pytest.fixture
def world(app, people):
    """Two towns, each with a centre and a committee, each with a shift, a guidance entry, a
    mediator with a training record, and a team with that mediator; the clerk works at A."""
    from app.extensions import db
    from app.models import (
        Area, DutyShift, GuidanceLog, MediationTeam, Mediator, Membership, Organization, TeamMember, TrainingRecord,
    )

    with app.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502")
        ids = {}
        for side, (town, centre, committee, name, half) in {
            "a": ("香洲街道", A_CENTRE, "香洲街道人民调解委员会", A_NAME, "am"),
            "b": ("红草镇", B_CENTRE, "红草镇人民调解委员会", B_NAME, "pm"),
        }.items():
            area = Area(name=town, level="town", parent=district)
            centre_org = Organization(name=centre, kind="governance_centre", area=area)
            committee_org = Organization(name=committee, kind="mediation_committee", area=area)
            mediator = Mediator(name=name, employment="full_time", engagement="resident", organization=committee_org,
                                specialties=[])
            team = MediationTeam(name=f"{town}调解团队", organization=committee_org)
            db.session.add_all([area, centre_org, committee_org, mediator, team])
            db.session.flush()
            shift = DutyShift(judge_id=people[JUDGE], centre_id=centre_org.id, day=MARCH, half=half)
            entry = GuidanceLog(judge_id=people[KEEPER], centre_id=centre_org.id, day=PAST, kind="consultation",
                                topic=f"{town}咨询")
            member = TeamMember(team=team, mediator=mediator, role="intake_followup")
            training = TrainingRecord(mediator=mediator, held_on=PAST, hours=2, topic=f"{town}培训")
            db.session.add_all([shift, entry, member, training])
            db.session.flush()
            ids[side] = {"centre": centre_org.id, "committee": committee_org.id, "mediator": mediator.id,
                         "team": team.id, "shift": shift.id, "entry": entry.id, "member": member.id,
                         "training": training.id}
        db.session.add(Membership(user_id=people[KEEPER], organization_id=ids["a"]["centre"]))
        db.session.commit()
        return ids


@pytest.fixture
def keeper(app, people):
    """A browser signed in as the centre A clerk, in English."""
    c = app.test_client()
    page = c.get("/login/").get_data(as_text=True)
    r = c.post("/login/", data={"username": KEEPER, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"
    c.get("/lang/en")
    return c


def rows(app, model, **where) -> int:
    from app.extensions import db

    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def value(app, model, pk, column):
    from app.extensions import db

    with app.app_context():
        row = db.session.get(model, pk)
        return None if row is None else getattr(row, column)


def post_form(client, url, **fields):
    """Open the form at ``url`` and post ``fields`` (ids of any body, as a forger would)."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    data = {"csrf_token": csrf_token(page.get_data(as_text=True))}
    data.update({k: v if isinstance(v, list) else str(v) for k, v in fields.items()})
    return client.post(url, data=data)


def post_token(client) -> str:
    return csrf_token(client.get("/duty/add").get_data(as_text=True))


def assert_refused(response) -> None:
    """The form comes back with the forged choice marked (an id that is not offered is no
    choice; on a required field WTForms reports it as missing)."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and ("Not a valid choice" in html or "This field is required." in html)


def table_body(html: str) -> str:
    return html.split("<tbody>")[-1] if "<tbody>" in html else html


def select_options(html: str, name: str) -> str:
    return html.split(f'name="{name}"')[1].split("</select>")[0]


# -- duty roster -------------------------------------------------------------------------------


def test_centre_clerk_sees_and_offers_only_their_centres_roster(app, keeper, admin_client, world):
    page = keeper.get("/duty/?month=2030-03").get_data(as_text=True)
    assert A_CENTRE in page and B_CENTRE not in page
    # asking for the other centre by id shows nothing of it either
    page = keeper.get(f"/duty/?month=2030-03&centre={world['b']['centre']}").get_data(as_text=True)
    assert B_CENTRE not in page
    form = keeper.get("/duty/add").get_data(as_text=True)
    assert A_CENTRE in select_options(form, "centre") and B_CENTRE not in select_options(form, "centre")
    annex = keeper.get("/duty/annex?starts_on=2030-01-01&ends_on=2030-12-31").get_data(as_text=True)
    assert A_CENTRE in annex and B_CENTRE not in annex and "红草镇" not in annex
    # the administrator keeps both
    page = admin_client.get("/duty/?month=2030-03").get_data(as_text=True)
    assert A_CENTRE in page and B_CENTRE in page


def test_forged_booking_at_another_centre_is_refused_and_stores_nothing(app, keeper, people, world):
    from app.models import DutyShift

    before = rows(app, DutyShift)
    r = post_form(keeper, "/duty/add", judge=people[JUDGE], centre=world["b"]["centre"], day="2030-03-12", span="full",
                  repeat_until="", note="")
    assert_refused(r)
    r = post_form(keeper, "/duty/add", judge=people[JUDGE], centre=world["b"]["centre"], day="2030-03-12", span="pm",
                  repeat_until="2030-06-30", note="")
    assert_refused(r)
    assert rows(app, DutyShift) == before
    # at the clerk's own centre the same booking goes through
    r = post_form(keeper, "/duty/add", judge=people[JUDGE], centre=world["a"]["centre"], day="2030-03-12", span="full",
                  repeat_until="", note="")
    assert r.status_code == 302
    assert rows(app, DutyShift, centre_id=world["a"]["centre"]) == 3


def test_booking_service_refuses_a_centre_outside_the_callers_bodies(app, people, world):
    from app.services.duty import DutyRefused, add_pattern, add_shift

    within = frozenset({world["a"]["centre"]})
    with app.app_context(), app.test_request_context("/?_l_=en"):
        with pytest.raises(DutyRefused, match="only at the centres your organisation works for"):
            add_shift(people[JUDGE], world["b"]["centre"], dt.date(2030, 3, 19), "am", within=within)
        with pytest.raises(DutyRefused, match="only at the centres your organisation works for"):
            add_pattern(people[JUDGE], world["b"]["centre"], 1, "am", dt.date(2030, 3, 1), dt.date(2030, 4, 30),
                        within=within)


def test_another_centres_shift_cannot_be_removed(app, keeper, admin_client, people, world):
    from app.models import DutyShift
    from app.services.duty import add_pattern

    with app.app_context():
        pattern, _shifts = add_pattern(people[JUDGE], world["b"]["centre"], 2, "pm", dt.date(2030, 4, 1),
                                       dt.date(2030, 4, 30))
        pattern_id, pattern_shift = pattern.id, _shifts[0].id
    before = rows(app, DutyShift)
    token = post_token(keeper)
    assert keeper.post("/duty/remove", data={"csrf_token": token, "shift": world["b"]["shift"]}).status_code == 404
    r = keeper.post("/duty/remove", data={"csrf_token": token, "shift": pattern_shift, "pattern": pattern_id,
                                          "day": "2030-04-01"})
    assert r.status_code == 404
    assert rows(app, DutyShift) == before
    # the clerk removes their own centre's shift, the administrator the other's
    assert keeper.post("/duty/remove", data={"csrf_token": token, "shift": world["a"]["shift"]}).status_code == 302
    admin_token = post_token(admin_client)
    r = admin_client.post("/duty/remove", data={"csrf_token": admin_token, "shift": world["b"]["shift"]})
    assert r.status_code == 302
    assert rows(app, DutyShift) == before - 2


# -- guidance log ------------------------------------------------------------------------------


def test_guidance_log_lists_and_opens_only_the_clerks_centres(app, keeper, admin_client, world):
    listing = table_body(keeper.get("/duty/guidance/list/").get_data(as_text=True))
    assert "香洲街道咨询" in listing and "红草镇咨询" not in listing
    assert keeper.get(f"/duty/guidance/show/{world['b']['entry']}").status_code == 404
    assert keeper.get(f"/duty/guidance/edit/{world['b']['entry']}").status_code == 404
    assert keeper.get(f"/duty/guidance/show/{world['a']['entry']}").status_code == 200
    form = keeper.get("/duty/guidance/add").get_data(as_text=True)
    assert A_CENTRE in select_options(form, "centre") and B_CENTRE not in select_options(form, "centre")
    assert A_NAME in select_options(form, "mediators") and B_NAME not in select_options(form, "mediators")
    listing = table_body(admin_client.get("/duty/guidance/list/").get_data(as_text=True))
    assert "香洲街道咨询" in listing and "红草镇咨询" in listing


def test_guidance_cannot_be_forged_into_or_edited_at_another_centre(app, keeper, world):
    from app.models import GuidanceLog

    before = rows(app, GuidanceLog)
    entry = {"day": PAST.isoformat(), "kind": "guidance", "topic": "伪造的指导", "case_no": "", "notes": ""}
    r = post_form(keeper, "/duty/guidance/add", centre=world["b"]["centre"], **entry)
    assert_refused(r)
    r = post_form(keeper, "/duty/guidance/add", centre=world["a"]["centre"], mediators=[str(world["b"]["mediator"])],
                  **entry)
    assert_refused(r)
    assert rows(app, GuidanceLog) == before
    # the other centre's entry: a forged edit answers 404 and changes nothing
    token = post_token(keeper)
    r = keeper.post(f"/duty/guidance/edit/{world['b']['entry']}", data={"csrf_token": token, **entry,
                                                                         "centre": world["a"]["centre"]})
    assert r.status_code == 404 and value(app, GuidanceLog, world["b"]["entry"], "topic") == "红草镇咨询"
    # moving the clerk's own entry to the other centre is refused too
    r = post_form(keeper, f"/duty/guidance/edit/{world['a']['entry']}", centre=world["b"]["centre"], **entry)
    assert r.status_code == 200 and value(app, GuidanceLog, world["a"]["entry"], "centre_id") == world["a"]["centre"]
    # at the clerk's own centre, adding and editing work
    assert post_form(keeper, "/duty/guidance/add", centre=world["a"]["centre"], **entry).status_code == 302
    r = post_form(keeper, f"/duty/guidance/edit/{world['a']['entry']}", centre=world["a"]["centre"],
                  **dict(entry, topic="改过的咨询"))
    assert r.status_code == 302 and value(app, GuidanceLog, world["a"]["entry"], "topic") == "改过的咨询"
    assert rows(app, GuidanceLog) == before + 1


# -- teams -------------------------------------------------------------------------------------


def test_teams_list_and_open_only_the_clerks_bodies(app, keeper, admin_client, world):
    listing = table_body(keeper.get("/mediators/teams/list/").get_data(as_text=True))
    assert "香洲街道调解团队" in listing and "红草镇调解团队" not in listing
    for url in (f"/mediators/teams/show/{world['b']['team']}", f"/mediators/teams/edit/{world['b']['team']}",
                f"/mediators/team-members/show/{world['b']['member']}",
                f"/mediators/team-members/edit/{world['b']['member']}"):
        assert keeper.get(url).status_code == 404, url
    assert keeper.get(f"/mediators/teams/show/{world['a']['team']}").status_code == 200
    members = table_body(keeper.get("/mediators/team-members/list/").get_data(as_text=True))
    assert A_NAME in members and B_NAME not in members
    form = keeper.get("/mediators/teams/add").get_data(as_text=True)
    assert "香洲街道人民调解委员会" in select_options(form, "organization")
    assert "红草镇人民调解委员会" not in select_options(form, "organization")
    listing = table_body(admin_client.get("/mediators/teams/list/").get_data(as_text=True))
    assert "香洲街道调解团队" in listing and "红草镇调解团队" in listing


def test_teams_cannot_be_forged_edited_or_deleted_across_bodies(app, keeper, world):
    from app.models import MediationTeam, TeamMember

    teams, members = rows(app, MediationTeam), rows(app, TeamMember)
    r = post_form(keeper, "/mediators/teams/add", name="伪造的团队", organization=world["b"]["committee"], description="")
    assert_refused(r)
    # a team of no body would be the court's: a centre's clerk names one of theirs
    r = post_form(keeper, "/mediators/teams/add", name="无主的团队", organization="", description="")
    assert "Choose one of the organisations you work for." in keeper.get(r.headers["Location"]).get_data(as_text=True)
    # another body's member, mediator or team (also through the page's team filter) is refused
    r = post_form(keeper, "/mediators/team-members/add", team=world["a"]["team"], mediator=world["b"]["mediator"],
                  role="intake_followup")
    assert_refused(r)
    r = post_form(keeper, "/mediators/team-members/add", team=world["b"]["team"], mediator=world["a"]["mediator"],
                  role="intake_followup")
    assert_refused(r)
    r = post_form(keeper, f"/mediators/team-members/add?_flt_0_team={world['b']['team']}",
                  mediator=world["a"]["mediator"], role="intake_followup")
    assert r.status_code in (200, 302) and rows(app, TeamMember) == members
    assert (rows(app, MediationTeam), rows(app, TeamMember)) == (teams, members)
    # the other body's team and member: edit and delete answer 404 and change nothing
    token = post_token(keeper)
    r = keeper.post(f"/mediators/teams/edit/{world['b']['team']}", data={"csrf_token": token, "name": "改名",
                                                                         "organization": world["a"]["committee"]})
    assert r.status_code == 404 and value(app, MediationTeam, world["b"]["team"], "name") == "红草镇调解团队"
    assert keeper.post(f"/mediators/teams/delete/{world['b']['team']}", data={"csrf_token": token}).status_code == 404
    r = keeper.post(f"/mediators/team-members/delete/{world['b']['member']}", data={"csrf_token": token})
    assert r.status_code == 404
    assert (rows(app, MediationTeam), rows(app, TeamMember)) == (teams, members)
    # moving the clerk's own team to the other body is refused
    r = post_form(keeper, f"/mediators/teams/edit/{world['a']['team']}", name="香洲街道调解团队",
                  organization=world["b"]["committee"], lead="", description="")
    assert r.status_code == 200
    assert value(app, MediationTeam, world["a"]["team"], "organization_id") == world["a"]["committee"]


def test_centre_clerk_keeps_their_own_teams(app, keeper, world):
    from app.models import MediationTeam, TeamMember

    r = post_form(keeper, "/mediators/teams/add", name="香城社区团队", organization=world["a"]["committee"], description="")
    assert r.status_code == 302 and rows(app, MediationTeam, name="香城社区团队") == 1
    r = post_form(keeper, f"/mediators/teams/edit/{world['a']['team']}", name="香洲街道联合调解团队",
                  organization=world["a"]["centre"], lead="", description="")
    assert r.status_code == 302
    assert value(app, MediationTeam, world["a"]["team"], "organization_id") == world["a"]["centre"]
    token = post_token(keeper)
    r = keeper.post(f"/mediators/team-members/delete/{world['a']['member']}", data={"csrf_token": token})
    assert r.status_code == 302 and rows(app, TeamMember, id=world["a"]["member"]) == 0


# -- mediator pool -----------------------------------------------------------------------------


def mediator_fields(org_id, **changes) -> dict:
    fields = {"name": "黄丽娟", "employment": "full_time", "engagement": "resident", "organization": org_id,
              "mobile": "", "certificate_no": "", "specialties": [], "areas": [], "register_entered_on": "",
              "register_expires_on": "", "status": "active", "status_reason": ""}
    fields.update(changes)
    return fields


def test_pool_lists_and_opens_only_the_clerks_bodies(app, keeper, admin_client, world):
    listing = table_body(keeper.get("/mediators/list/").get_data(as_text=True))
    assert A_NAME in listing and B_NAME not in listing
    for url in (f"/mediators/show/{world['b']['mediator']}", f"/mediators/edit/{world['b']['mediator']}",
                f"/mediators/training/show/{world['b']['training']}",
                f"/mediators/training/edit/{world['b']['training']}",
                f"/mediators/{world['b']['mediator']}/login/"):
        assert keeper.get(url).status_code == 404, url
    training = table_body(keeper.get("/mediators/training/list/").get_data(as_text=True))
    assert "香洲街道培训" in training and "红草镇培训" not in training
    form = keeper.get("/mediators/add").get_data(as_text=True)
    assert "香洲街道人民调解委员会" in select_options(form, "organization")
    assert "红草镇人民调解委员会" not in select_options(form, "organization")
    listing = table_body(admin_client.get("/mediators/list/").get_data(as_text=True))
    assert A_NAME in listing and B_NAME in listing


def test_pool_records_cannot_be_forged_edited_or_deleted_across_bodies(app, keeper, world):
    from app.models import Mediator, TrainingRecord

    mediators, trainings = rows(app, Mediator), rows(app, TrainingRecord)
    r = post_form(keeper, "/mediators/add", **mediator_fields(world["b"]["committee"]))
    assert_refused(r)
    r = post_form(keeper, "/mediators/training/add", mediator=world["b"]["mediator"], held_on=PAST.isoformat(),
                  hours="2", topic="伪造的培训", organizer="")
    assert_refused(r)
    assert (rows(app, Mediator), rows(app, TrainingRecord)) == (mediators, trainings)
    token = post_token(keeper)
    r = keeper.post(f"/mediators/edit/{world['b']['mediator']}",
                    data={"csrf_token": token, **mediator_fields(world["a"]["committee"], name="改名")})
    assert r.status_code == 404 and value(app, Mediator, world["b"]["mediator"], "name") == B_NAME
    r = keeper.post(f"/mediators/training/delete/{world['b']['training']}", data={"csrf_token": token})
    assert r.status_code == 404 and rows(app, TrainingRecord) == trainings
    # moving the clerk's own mediator to the other body is refused
    r = post_form(keeper, f"/mediators/edit/{world['a']['mediator']}",
                  **mediator_fields(world["b"]["committee"], name=A_NAME))
    assert r.status_code == 200
    assert value(app, Mediator, world["a"]["mediator"], "organization_id") == world["a"]["committee"]


def test_centre_clerk_keeps_their_own_pool_and_mobiles_are_stored_in_ascii(app, keeper, world):
    from app.extensions import db
    from app.models import Mediator, TrainingRecord

    r = post_form(keeper, "/mediators/add", **mediator_fields(world["a"]["committee"], mobile="１３８ ０２６６-１２３４"))
    assert r.status_code == 302
    with app.app_context():
        added = db.session.scalars(select(Mediator).where(Mediator.name == "黄丽娟")).one()
        assert (added.mobile, added.organization_id) == ("13802661234", world["a"]["committee"])
    r = post_form(keeper, "/mediators/add", **mediator_fields(world["a"]["committee"], name="王芳", mobile="١٣٨٠٢٦٦١٢٣٤"))
    assert r.status_code == 200 and "11-digit mainland mobile" in r.get_data(as_text=True)
    r = post_form(keeper, f"/mediators/edit/{world['a']['mediator']}",
                  **mediator_fields(world["a"]["centre"], name=A_NAME))
    assert r.status_code == 302
    assert value(app, Mediator, world["a"]["mediator"], "organization_id") == world["a"]["centre"]
    token = post_token(keeper)
    r = keeper.post(f"/mediators/training/delete/{world['a']['training']}", data={"csrf_token": token})
    assert r.status_code == 302 and rows(app, TrainingRecord, id=world["a"]["training"]) == 0


def test_mediator_login_api_answers_404_for_another_bodys_mediator(app, people, world):
    from app.models import Mediator

    client = app.test_client()
    r = client.post("/api/v1/security/login", json={"username": KEEPER, "password": PASSWORD, "provider": "db"})
    headers = {"Authorization": f"Bearer {r.get_json()['access_token']}"}
    r = client.post(f"/api/v1/mediator/{world['b']['mediator']}/login", json={"mode": "create", "username": "scope_b_med"},
                    headers=headers)
    assert r.status_code == 404 and value(app, Mediator, world["b"]["mediator"], "user_id") is None
    r = client.post(f"/api/v1/mediator/{world['a']['mediator']}/login", json={"mode": "create",
                    "username": f"scope_a_med_{world['a']['mediator']}"}, headers=headers)
    assert r.status_code == 201


def test_administrator_acts_for_both_centres(app, admin_client, world):
    for url in (f"/mediators/show/{world['b']['mediator']}", f"/mediators/teams/show/{world['b']['team']}",
                f"/mediators/training/show/{world['b']['training']}", f"/duty/guidance/show/{world['b']['entry']}",
                f"/mediators/team-members/show/{world['b']['member']}"):
        assert admin_client.get(url).status_code == 200, url
    form = admin_client.get("/mediators/add").get_data(as_text=True)
    assert "红草镇人民调解委员会" in select_options(form, "organization")
    assert "香洲街道人民调解委员会" in select_options(form, "organization")


def test_a_refusal_reads_in_chinese(app, people, world):
    c = app.test_client()
    page = c.get("/login/").get_data(as_text=True)
    c.post("/login/", data={"username": KEEPER, "password": PASSWORD, "csrf_token": csrf_token(page)})
    r = post_form(c, "/mediators/teams/add", name="无主的团队", organization="", description="")
    html = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Choose one of the organisations" not in html and "请从您所在单位负责的组织中选择。" in html


def test_no_bulk_action_reaches_another_bodys_rows(app, keeper, world):
    """FAB's multi-record actions look rows up without the views' scope: none of these views
    exposes them, so a forged multi-delete finds no route."""
    from app.models import MediationTeam, Mediator, TeamMember, TrainingRecord

    token = post_token(keeper)
    for base, pk in (("/mediators", "mediator"), ("/mediators/teams", "team"), ("/mediators/team-members", "member"),
                     ("/mediators/training", "training"), ("/duty/guidance", "entry")):
        r = keeper.post(f"{base}/action_post", data={"csrf_token": token, "action": "muldelete",
                                                     "rowid": [str(world["b"][pk])]})
        assert r.status_code in (404, 405), base
    assert [rows(app, model) for model in (Mediator, MediationTeam, TeamMember, TrainingRecord)] == [2, 2, 2, 2]
