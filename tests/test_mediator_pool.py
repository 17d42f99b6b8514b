"""The people's mediation pool: mediators on the web form, status changes, workload, training, teams."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select

from tests.fixtures import csrf_token

_numbers = itertools.count(1)
POOL_VIEWS = ("MediatorModelView", "TrainingRecordModelView", "MediationTeamModelView", "TeamMemberModelView")


def add_mediator(app, name="陈海燕", kind=("full_time", "resident"), **fields) -> int:
    from app.extensions import db
    from app.models import Mediator

    with app.app_context():
        fields.setdefault("specialties", [])
        m = Mediator(name=name, employment=kind[0], engagement=kind[1], **fields)
        db.session.add(m)
        db.session.commit()
        return m.id


def add_case(app, mediator_id, status="registered") -> int:
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        case = Case(
            case_no=f"（2026）粤1502民调{next(_numbers)}号", dispute_type="traffic", status=status,
            title="测试纠纷", mediator_id=mediator_id, intake_data={},
        )
        db.session.add(case)
        db.session.commit()
        return case.id


def get(app, model, pk):
    from app.extensions import db

    with app.app_context():
        row = db.session.get(model, pk)
        db.session.expunge_all()
        return row


def count(app, model) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def submit(client, url, data):
    """Open the form at ``url`` in English and post ``data`` with its CSRF token."""
    client.get("/lang/en")  # ?_l_= lasts one request; the session's language lasts
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def mediator_form(places, **changes) -> dict:
    form = {
        "name": "陈海燕",
        "employment": "full_time",
        "engagement": "resident",
        "organization": str(places["centre"]),
        "mobile": "13802661234",
        "certificate_no": "汕城调证2026001",
        "specialties": ["traffic", "labour"],
        "areas": [str(places["street"])],
        "register_entered_on": "2026-01-01",
        "register_expires_on": "2028-12-31",
        "status": "active",
        "status_reason": "",
    }
    form.update(changes)
    return form


def test_admin_adds_a_mediator_with_specialties_and_areas(app, admin_client, places):
    from app.models import Mediator

    r = submit(admin_client, "/mediators/add", mediator_form(places))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    with app.app_context():
        from app.extensions import db

        m = db.session.scalars(select(Mediator)).one()
        assert m.specialties == ["traffic", "labour"]  # codes, not labels
        assert [a.id for a in m.areas] == [places["street"]]
        assert (m.organization_id, m.mobile, m.status) == (places["centre"], "13802661234", "active")
        assert m.register_expires_on == dt.date(2028, 12, 31)
        assert m.status_changed_at is not None
    html = admin_client.get("/mediators/list/?_l_=en").get_data(as_text=True)
    assert "Traffic accident、Labour dispute" in html and "Full-time · Resident" in html


def test_only_enabled_dispute_types_are_offered_as_specialties(app, admin_client, places):
    from app.extensions import db, jiefen

    with app.app_context():
        jiefen().dispatcher.set_enabled("labour", False)
        db.session.commit()
    html = admin_client.get("/mediators/add?_l_=en").get_data(as_text=True)
    assert 'value="traffic"' in html and 'value="labour"' not in html
    r = submit(admin_client, "/mediators/add", mediator_form(places))
    assert r.status_code == 200 and "'labour' is not a valid choice" in r.get_data(as_text=True)
    from app.models import Mediator

    assert count(app, Mediator) == 0


def test_register_expiry_before_entry_is_refused_and_nothing_stored(app, admin_client, places):
    from app.models import Mediator

    form = mediator_form(places, register_entered_on="2026-06-01", register_expires_on="2026-05-31")
    r = submit(admin_client, "/mediators/add", form)
    assert r.status_code == 200
    assert "The register expiry date cannot be before the date of entry." in r.get_data(as_text=True)
    assert count(app, Mediator) == 0


def test_mobile_must_be_a_mainland_mobile_number(app, admin_client, places):
    from app.models import Mediator

    r = submit(admin_client, "/mediators/add", mediator_form(places, mobile="0660-3312345"))
    assert r.status_code == 200 and "11-digit mainland mobile" in r.get_data(as_text=True)
    assert count(app, Mediator) == 0


def test_suspending_without_a_reason_is_refused(app, admin_client, places):
    from app.models import Mediator

    pk = add_mediator(app)
    before = get(app, Mediator, pk).status_changed_at
    r = submit(admin_client, f"/mediators/edit/{pk}", mediator_form(places, status="suspended"))
    assert r.status_code == 200
    assert "Give the reason for suspending or removing a mediator." in r.get_data(as_text=True)
    assert get(app, Mediator, pk).status == "active"

    r = submit(admin_client, f"/mediators/edit/{pk}", mediator_form(places, status="suspended", status_reason="投诉核查中"))
    assert r.status_code == 302
    after = get(app, Mediator, pk)
    assert (after.status, after.status_reason) == ("suspended", "投诉核查中")
    assert after.status_changed_at != before


def test_status_service_requires_a_reason_to_suspend_or_remove(app):
    from app.models import Mediator
    from app.services.mediators import change_status

    with app.test_request_context(), force_locale("en"):
        m = Mediator(name="王丽", status="active")
        for status in ("suspended", "removed"):
            with pytest.raises(ValueError, match="Give the reason for suspending or removing"):
                change_status(m, status, "  ")
        assert m.status == "active" and m.status_changed_at is None
        change_status(m, "removed", "调离本辖区")
        assert (m.status, m.status_reason) == ("removed", "调离本辖区") and m.status_changed_at
        change_status(m, "active")  # reinstating needs no reason
        assert (m.status, m.status_reason) == ("active", None)


def test_removing_a_mediator_keeps_the_cases_that_name_them(app, admin_client, places):
    from app.models import Case, Mediator

    pk = add_mediator(app)
    case_id = add_case(app, pk, status="closed")
    r = submit(admin_client, f"/mediators/edit/{pk}", mediator_form(places, status="removed", status_reason="调离本辖区"))
    assert r.status_code == 302
    assert get(app, Mediator, pk).status == "removed"
    assert get(app, Case, case_id).mediator_id == pk
    show = admin_client.get(f"/mediators/show/{pk}?_l_=en")
    assert show.status_code == 200 and "陈海燕" in show.get_data(as_text=True) and "Removed" in show.get_data(as_text=True)
    # There is no delete route: removal is a status.
    assert admin_client.post(f"/mediators/delete/{pk}").status_code == 404
    assert get(app, Mediator, pk) is not None


def test_workload_counts_only_open_cases_in_one_query(app, admin_client):
    from app.extensions import db
    from app.services.mediators import workloads

    busy, idle = add_mediator(app, "李建国"), add_mediator(app, "王丽")
    for status in ("registered", "in_mediation", "referred", "closed", "withdrawn", "merged", "transferred"):
        add_case(app, busy, status)
    with app.app_context():
        seen = []

        def listener(*args):
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert workloads([busy, idle]) == {busy: 3, idle: 0}
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(seen) == 1
    html = admin_client.get("/mediators/list/?_l_=en").get_data(as_text=True)
    row = html[html.index("李建国"):]
    assert "Open cases" in html and "<td>3</td>" in row[: row.index("</tr>")]


def test_training_is_added_from_the_mediators_page_with_positive_hours(app, admin_client):
    from app.models import TrainingRecord

    pk = add_mediator(app)
    page = admin_client.get(f"/mediators/show/{pk}?_l_=en").get_data(as_text=True)
    url = f"/mediators/training/add?_flt_0_mediator={pk}"
    assert url in page
    good = {"held_on": "2026-06-18", "hours": "6", "topic": "人民调解员业务培训", "organizer": "城区司法局"}
    for hours in ("0", "-2"):
        r = submit(admin_client, url, {**good, "hours": hours})
        assert r.status_code == 200 and "Training hours must be more than 0." in r.get_data(as_text=True)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    r = submit(admin_client, url, {**good, "held_on": tomorrow})
    assert r.status_code == 200 and "The date cannot be in the future." in r.get_data(as_text=True)
    assert count(app, TrainingRecord) == 0

    assert submit(admin_client, url, {**good, "hours": "6.5"}).status_code == 302
    from app.extensions import db

    with app.app_context():
        record = db.session.scalars(select(TrainingRecord)).one()
        assert (record.mediator_id, str(record.hours)) == (pk, "6.5")
    assert "人民调解员业务培训" in admin_client.get(f"/mediators/show/{pk}").get_data(as_text=True)


def add_team(app, admin_client) -> int:
    from app.extensions import db
    from app.models import MediationTeam

    r = submit(admin_client, "/mediators/teams/add", {"name": "香洲街道联合调解团队", "description": ""})
    assert r.status_code == 302
    with app.app_context():
        return db.session.scalars(select(MediationTeam.id)).one()


def test_team_duties_must_fit_the_mediators_kind(app, admin_client):
    from app.models import TeamMember

    team = add_team(app, admin_client)
    resident = add_mediator(app, "陈海燕", ("full_time", "resident"))
    invited = add_mediator(app, "林志强", ("part_time", "invited"))
    url = f"/mediators/team-members/add?_flt_0_team={team}"
    for mediator, role in ((invited, "intake_followup"), (resident, "analysis_guidance")):
        r = submit(admin_client, url, {"mediator": str(mediator), "role": role})
        assert r.status_code == 200 and "is for " in r.get_data(as_text=True)
    html = submit(admin_client, url, {"mediator": str(invited), "role": "intake_followup"}).get_data(as_text=True)
    assert "Intake, follow-up, return visits and ledgers is for Full-time · Resident mediators" in html
    assert count(app, TeamMember) == 0

    assert submit(admin_client, url, {"mediator": str(resident), "role": "intake_followup"}).status_code == 302
    assert submit(admin_client, url, {"mediator": str(invited), "role": "analysis_guidance"}).status_code == 302
    assert count(app, TeamMember) == 2
    r = submit(admin_client, url, {"mediator": str(invited), "role": "analysis_guidance"})
    assert r.status_code == 200 and "林志强 is already a member of this team." in r.get_data(as_text=True)


def test_team_lead_must_be_a_member(app, admin_client):
    from app.extensions import db
    from app.models import MediationTeam, TeamMember

    team = add_team(app, admin_client)
    lead = add_mediator(app, "陈海燕")
    edit = {"name": "香洲街道联合调解团队", "lead": str(lead), "description": ""}
    r = submit(admin_client, f"/mediators/teams/edit/{team}", edit)
    assert r.status_code == 200
    assert "The lead must be a member of the team: add 陈海燕 as a member first." in r.get_data(as_text=True)
    assert get(app, MediationTeam, team).lead_id is None

    url = f"/mediators/team-members/add?_flt_0_team={team}"
    assert submit(admin_client, url, {"mediator": str(lead), "role": "intake_followup"}).status_code == 302
    assert submit(admin_client, f"/mediators/teams/edit/{team}", edit).status_code == 302
    assert get(app, MediationTeam, team).lead_id == lead
    # The lead stays a member until another lead is chosen.
    with app.app_context():
        member = db.session.scalars(select(TeamMember.id)).one()
    page = admin_client.get(f"/mediators/teams/show/{team}?_l_=en").get_data(as_text=True)
    r = admin_client.post(f"/mediators/team-members/delete/{member}", data={"csrf_token": csrf_token(page)})
    assert r.status_code == 302 and count(app, TeamMember) == 1


def test_a_member_given_the_lead_role_leads_a_team_without_one(app, admin_client):
    from app.models import MediationTeam

    team = add_team(app, admin_client)
    first, second = add_mediator(app, "陈海燕"), add_mediator(app, "王丽")
    url = f"/mediators/team-members/add?_flt_0_team={team}"
    assert submit(admin_client, url, {"mediator": str(first), "role": "lead"}).status_code == 302
    assert get(app, MediationTeam, team).lead_id == first
    r = submit(admin_client, url, {"mediator": str(second), "role": "lead"})
    assert r.status_code == 200 and "The team already has a lead (陈海燕)" in r.get_data(as_text=True)


def test_kind_cannot_change_away_from_the_duties_held_in_a_team(app, admin_client, places):
    from app.models import Mediator

    team = add_team(app, admin_client)
    pk = add_mediator(app, "陈海燕", ("full_time", "resident"))
    url = f"/mediators/team-members/add?_flt_0_team={team}"
    assert submit(admin_client, url, {"mediator": str(pk), "role": "intake_followup"}).status_code == 302
    r = submit(admin_client, f"/mediators/edit/{pk}", mediator_form(places, employment="part_time"))
    assert r.status_code == 302  # refused with a message, nothing saved
    shown = admin_client.get(r.headers["Location"] + "?_l_=en", follow_redirects=True)  # "/" leads to My work
    assert "In team 香洲街道联合调解团队" in shown.get_data(as_text=True)
    assert get(app, Mediator, pk).employment == "full_time"


def test_specialties_of_a_switched_off_type_survive_an_edit(app, admin_client, places):
    from app.extensions import db, jiefen
    from app.models import Mediator

    pk = add_mediator(app, specialties=["labour", "traffic"])
    with app.app_context():
        jiefen().dispatcher.set_enabled("labour", False)
        db.session.commit()
    r = submit(admin_client, f"/mediators/edit/{pk}", mediator_form(places, specialties=["traffic", "family"]))
    assert r.status_code == 302
    assert get(app, Mediator, pk).specialties == ["traffic", "family", "labour"]


def test_clerk_reads_the_pool_but_cannot_change_it(clerk_client):
    """The role matrix gives a clerk the pool to read (for the recommendations), no more."""
    assert clerk_client.get("/mediators/list/").status_code == 200
    for url in ("/mediators/add", "/mediators/training/list/", "/mediators/teams/list/"):
        assert clerk_client.get(url).status_code in (302, 403), url


def test_every_pool_route_refuses_anonymous_callers(app, client, monkeypatch):
    # CSRF off, so that what refuses a POST is the access check, not the missing token.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in POOL_VIEWS]
    assert len(rules) >= 15
    for rule in rules:
        url = rule.rule.replace("<pk>", "1").replace("<string:filename>", "x")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method)
            assert r.status_code in (302, 401, 403), f"{method} {url} -> {r.status_code}"
            if r.status_code == 302:
                assert "/login" in r.headers["Location"]


def test_unknown_and_huge_ids_are_404(admin_client):
    for url in (
        "/mediators/show/99999999",
        "/mediators/show/99999999999999999999999",
        "/mediators/edit/abc",
        "/mediators/training/add?_flt_0_mediator=99999999999999999999999",
        "/mediators/team-members/add?_flt_0_team=x",
    ):
        assert admin_client.get(url).status_code == 404, url


def test_pool_pages_search_and_sort_only_listed_columns_never_the_mobile(app):
    views = [v for v in app.appbuilder.baseviews if v.__class__.__name__ in POOL_VIEWS]
    assert len(views) == len(POOL_VIEWS)
    for view in views:
        assert view.search_columns and view.order_columns
        assert "mobile" not in view.search_columns + view.order_columns


def test_list_pages_do_not_query_once_per_row(app, admin_client):
    from app.extensions import db
    from app.models import TrainingRecord

    def statements(url):
        seen = []

        def listener(*args):
            seen.append(args[2])

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert admin_client.get(url).status_code == 200
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    def grow(n):
        with app.app_context():
            for i in range(n):
                pk = add_mediator(app, f"调解员{next(_numbers):03d}")
                add_case(app, pk)
                db.session.add(TrainingRecord(mediator_id=pk, held_on=dt.date(2026, 6, 1), hours=2, topic="培训"))
            db.session.commit()

    grow(2)
    small = {url: statements(url) for url in ("/mediators/list/", "/mediators/training/list/")}
    grow(8)
    large = {url: statements(url) for url in ("/mediators/list/", "/mediators/training/list/")}
    assert small == large
