"""The case list: quick filters with their counts (one grouped query, inside the user's
scope), the selects and the one search box, and a bounded number of statements per page."""
from __future__ import annotations

import contextlib
import itertools

import lxml.html
import pytest
from sqlalchemy import event

from tests import helpers

_numbers = itertools.count(1)


def add_case(area, status="registered", title="测试纠纷", parties=(), **fields):
    from app.extensions import db
    from app.models import Case, Party

    case = Case(case_no=f"（2026）汕城解第{next(_numbers):05d}号", dispute_type="traffic", status=status,
                title=title, area=area, intake_data={}, **fields)
    db.session.add(case)
    db.session.flush()
    for role, name in parties:
        db.session.add(Party(case_id=case.id, role=role, kind="person", name=name))
    return case


@pytest.fixture
def towns(app):
    """Two streets with a centre each; the clerk works for the first one's centre."""
    from app.extensions import appbuilder, db
    from app.models import Area, Membership, Organization

    with app.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502")
        a = Area(name="香洲街道", level="town", parent=district)
        b = Area(name="凤山街道", level="town", parent=district)
        centre_a = Organization(name="香洲街道综治中心", kind="governance_centre", area=a)
        centre_b = Organization(name="凤山街道综治中心", kind="governance_centre", area=b)
        db.session.add_all([district, a, b, centre_a, centre_b])
        db.session.flush()
        clerk = appbuilder.sm.find_user(username="clerk")
        db.session.add(Membership(user_id=clerk.id, organization_id=centre_a.id))
        db.session.commit()
        return {"a": a.id, "b": b.id, "clerk": clerk.id, "centre_a": centre_a.id, "centre_b": centre_b.id}


def chip_counts(html: str) -> dict:
    doc = lxml.html.fromstring(html)
    return {a.get("data-filter"): a.xpath(".//span[@class='jf-count']")[0].text_content().strip()
            for a in doc.xpath("//ul[@id='quick-filters']//a")}


def listed(html: str) -> list[str]:
    return [a.text_content().strip() for a in lxml.html.fromstring(html).xpath("//table[@id='case-table']/tbody/tr/td[1]/a")]


def test_a_centres_clerk_counts_only_the_centres_cases(app, towns, clerk_client):
    from app.extensions import db
    from app.models import Area

    with app.app_context():
        a, b = db.session.get(Area, towns["a"]), db.session.get(Area, towns["b"])
        add_case(a, "registered")
        add_case(a, "screening", responsible_staff_id=towns["clerk"])
        add_case(a, "in_mediation")
        add_case(a, "closed")
        for status in ("registered", "screening", "in_mediation", "in_mediation", "withdrawn"):
            add_case(b, status)  # the other centre's: never counted, never listed
        db.session.commit()
    html = clerk_client.get("/case/list/").get_data(as_text=True)
    counts = chip_counts(html)
    assert {k: counts[k] for k in ("all", "mine", "diversion", "mediating", "finished")} == {
        "all": "4", "mine": "1", "diversion": "2", "mediating": "1", "finished": "1"}
    assert len(listed(html)) == 4

    page = clerk_client.get("/case/list/?qf=diversion").get_data(as_text=True)
    assert len(listed(page)) == 2 and chip_counts(page)["all"] == "4"  # the chips keep counting everything
    assert 'class="active' in page.split('data-filter="diversion"')[1].split(">")[0] or \
        "active" in lxml.html.fromstring(page).xpath("//a[@data-filter='diversion']")[0].get("class")
    assert len(listed(clerk_client.get("/case/list/?qf=mine").get_data(as_text=True))) == 1


def test_the_administrator_counts_every_centres_cases_and_filters_by_area(app, towns, admin_client):
    from app.extensions import db
    from app.models import Area

    with app.app_context():
        a, b = db.session.get(Area, towns["a"]), db.session.get(Area, towns["b"])
        for status in ("registered", "in_mediation"):
            add_case(a, status)
        for status in ("registered", "scheduled", "closed"):
            add_case(b, status)
        db.session.commit()
    assert chip_counts(admin_client.get("/case/list/").get_data(as_text=True))["all"] == "5"
    page = admin_client.get(f"/case/list/?area={towns['b']}&qf=mediating").get_data(as_text=True)
    counts = chip_counts(page)
    assert (counts["all"], counts["mediating"], counts["finished"]) == ("3", "1", "1")
    assert len(listed(page)) == 1


def test_one_box_finds_a_case_by_number_or_party_name_within_scope(app, towns, clerk_client):
    from app.extensions import db
    from app.models import Area

    with app.app_context():
        a, b = db.session.get(Area, towns["a"]), db.session.get(Area, towns["b"])
        mine = add_case(a, parties=[("applicant", "林晓明"), ("respondent", "黄丽娟")]).case_no
        other = add_case(a, parties=[("applicant", "陈志强")]).case_no
        add_case(b, parties=[("applicant", "林晓明")])  # same name, other centre: not shown
        db.session.commit()
    assert listed(clerk_client.get("/case/list/?q=林晓明").get_data(as_text=True)) == [mine]
    assert listed(clerk_client.get("/case/list/?q=黄丽").get_data(as_text=True)) == [mine]
    assert listed(clerk_client.get(f"/case/list/?q={other}").get_data(as_text=True)) == [other]
    # wildcards are text, not patterns; a bad filter value is ignored, never an error
    r = clerk_client.get("/case/list/?q=%25&area=abc&period=forever&qf=nonsense")
    assert r.status_code == 200 and listed(r.get_data(as_text=True)) == []


def test_due_soon_and_overdue_come_from_the_deadline_engine_within_scope(app, towns, clerk_client, admin_client):
    import datetime as dt

    from app.extensions import db
    from app.lifecycle.deadlines import case_deadlines
    from app.models import Case
    from app.services.settings import today
    from tests.test_deadlines import register, walk

    with app.app_context():
        now = today()
    a = {"street": towns["a"], "centre": towns["centre_a"]}
    b = {"street": towns["b"], "centre": towns["centre_b"]}
    late, fresh, other_late = register(app, a), register(app, a), register(app, b)
    for case_id, accepted in ((late, now - dt.timedelta(days=60)), (fresh, now), (other_late, now - dt.timedelta(days=60))):
        walk(app, case_id, ("start_screening", accepted), ("accept_mediation", accepted))
    with app.app_context():  # what the engine says, case by case
        statuses = {c: {d.status for d in case_deadlines(db.session.get(Case, c))} for c in (late, fresh, other_late)}
    assert "overdue" in statuses[late] and "overdue" in statuses[other_late], statuses
    assert not statuses[fresh] & {"overdue", "due_soon"}, statuses

    with app.app_context():
        late_no = db.session.get(Case, late).case_no
    clerk_page = clerk_client.get("/case/list/").get_data(as_text=True)
    assert (chip_counts(clerk_page)["overdue"], chip_counts(clerk_page)["due_soon"]) == ("1", "0")
    assert listed(clerk_client.get("/case/list/?qf=overdue").get_data(as_text=True)) == [late_no]
    assert listed(clerk_client.get("/case/list/?qf=due_soon").get_data(as_text=True)) == []
    row = lxml.html.fromstring(clerk_page).xpath(f"//tr[@data-case='{late}']")[0]
    assert "jf-tag-red" in lxml.html.tostring(row, encoding="unicode")
    assert chip_counts(admin_client.get("/case/list/").get_data(as_text=True))["overdue"] == "2"


@contextlib.contextmanager
def statements(app):
    from app.extensions import db

    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_list_runs_as_many_statements_for_many_cases_as_for_few(app, towns, admin_client):
    from app.extensions import db
    from app.models import Area

    def add(n):
        with app.app_context():
            a = db.session.get(Area, towns["a"])
            for i in range(n):
                add_case(a, ("registered", "screening", "in_mediation", "closed")[i % 4],
                         parties=[("applicant", f"当事人{i}")])
            db.session.commit()

    admin_client.get("/case/list/")  # warm caches (permissions, settings)
    add(3)
    with statements(app) as few:
        assert admin_client.get("/case/list/").status_code == 200
    add(40)
    with statements(app) as many:
        assert admin_client.get("/case/list/").status_code == 200
    assert len(many) == len(few), (len(few), len(many))
    assert len(many) < 30
