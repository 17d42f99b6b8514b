"""Judges on duty at the centres: no double booking, weekly patterns, the calendar, the annex."""
from __future__ import annotations

import datetime as dt
import io
import re
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select

from tests.fixtures import csrf_token

PASSWORD = "judge-Pa55-word"
# Users outlive each test (clean_data keeps them), so these are created once and reused.
# (first_name 名, last_name 姓), as the user form asks for them
JUDGES = {"duty_chen": ("明", "陈"), "duty_lin": ("芳", "林"), "duty_huang": ("伟", "黄")}
MARCH = dt.date(2030, 3, 1)  # a Friday; its Tuesdays are the 5th, 12th, 19th and 26th
TUESDAYS = [dt.date(2030, 3, d) for d in (5, 12, 19, 26)]
PAST_TUESDAY = dt.date(2025, 3, 4)  # what a judge records has already happened


@pytest.fixture(scope="module")
def roster(app):
    """The session app with the duty views, a Judge role and three judges; their user ids."""
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role("Judge")  # from the role matrix (app/roles.py), synced at setup
        ids = {}
        for username, (first, last) in JUDGES.items():
            user = sm.find_user(username=username) or sm.add_user(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@jiefen.invalid",
                role=role,
                password=PASSWORD,
            )
            ids[username] = user.id
        inactive = sm.find_user(username="duty_retired") or sm.add_user(
            username="duty_retired", first_name="休", last_name="退", email="duty_retired@jiefen.invalid",
            role=role, password=PASSWORD,
        )
        inactive.active = False
        sm.session.commit()
        ids["duty_retired"] = inactive.id
    return ids


@pytest.fixture
def towns(app, roster):
    """Two towns under the district, a village in 红草镇, and the centres of each."""
    from app.extensions import db
    from app.models import Area, Membership, Organization

    with app.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502")
        hongcao = Area(name="红草镇", level="town", parent=district)
        xiangzhou = Area(name="香洲街道", level="town", parent=district)
        sanhe = Area(name="三和村", level="village", parent=hongcao)
        orgs = {
            "hongcao": Organization(name="红草镇综治中心", kind="governance_centre", area=hongcao),
            "sanhe": Organization(name="三和村诉讼服务站", kind="litigation_workstation", area=sanhe),
            "xiangzhou": Organization(name="香洲街道综治中心", kind="governance_centre", area=xiangzhou),
            "district": Organization(name="城区综治中心", kind="governance_centre", area=district),
            "police": Organization(name="城区交警大队", kind="partner_agency"),
            "closed": Organization(name="已撤销的工作站", kind="litigation_workstation", area=hongcao, active=False),
            "court": Organization(name="城区人民法院民事审判庭", kind="civil_division"),
        }
        db.session.add_all([district, hongcao, xiangzhou, sanhe, *orgs.values()])
        db.session.flush()
        # The judges belong to the court, whose staff see every case.
        db.session.add_all(Membership(user_id=roster[u], organization_id=orgs["court"].id) for u in JUDGES)
        db.session.commit()
        return {key: org.id for key, org in orgs.items()}


@pytest.fixture
def judge_client(app, roster):
    """A browser signed in as judge 陈明."""
    c = app.test_client()
    page = c.get("/login/").get_data(as_text=True)
    r = c.post("/login/", data={"username": "duty_chen", "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"
    return c


@contextmanager
def statements(app):
    """Collect every SQL statement the app's engine runs inside the block."""
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


def shift_count(app, **where) -> int:
    from app.extensions import db
    from app.models import DutyShift

    with app.app_context():
        query = select(func.count(DutyShift.id))
        for name, value in where.items():
            query = query.where(getattr(DutyShift, name) == value)
        return db.session.scalar(query)


def book(app, *args, **kwargs):
    from app.services.duty import add_shift

    with app.app_context():
        return [s.id for s in add_shift(*args, **kwargs)]


# --- double booking -------------------------------------------------------------------------


def test_judge_double_booked_at_two_centres_is_refused_with_a_clear_message(app, roster, towns):
    from app.services.duty import Conflict, DutyConflict, add_shift

    chen = roster["duty_chen"]
    book(app, chen, towns["hongcao"], TUESDAYS[0], "am")
    with app.app_context(), force_locale("en"):
        with pytest.raises(DutyConflict) as refused:
            add_shift(chen, towns["xiangzhou"], TUESDAYS[0], "am")
        assert refused.value.conflicts == [Conflict("陈明", TUESDAYS[0], "am", "红草镇综治中心")]
        assert refused.value.conflicts[0].message() == "陈明 is already on duty on 2030-03-05 (Morning) at 红草镇综治中心."
    assert shift_count(app) == 1


def test_same_half_day_at_the_same_centre_is_refused_too(app, roster, towns):
    from app.services.duty import DutyConflict

    book(app, roster["duty_chen"], towns["hongcao"], TUESDAYS[0], "pm")
    with pytest.raises(DutyConflict):
        book(app, roster["duty_chen"], towns["hongcao"], TUESDAYS[0], "pm")
    assert shift_count(app) == 1


def test_full_day_conflicts_with_a_morning_and_stores_nothing(app, roster, towns):
    from app.services.duty import DutyConflict

    book(app, roster["duty_chen"], towns["hongcao"], TUESDAYS[0], "am")
    with pytest.raises(DutyConflict) as refused:
        book(app, roster["duty_chen"], towns["xiangzhou"], TUESDAYS[0], "full")
    assert [(c.day, c.half) for c in refused.value.conflicts] == [(TUESDAYS[0], "am")]
    assert shift_count(app) == 1  # the free afternoon was not booked either


def test_full_day_is_a_morning_and_an_afternoon_and_other_judges_may_share_a_centre(app, roster, towns):
    assert len(book(app, roster["duty_chen"], towns["hongcao"], TUESDAYS[0], "full")) == 2
    book(app, roster["duty_lin"], towns["hongcao"], TUESDAYS[0], "am")
    assert shift_count(app, judge_id=roster["duty_chen"]) == 2 and shift_count(app) == 3


def test_two_clerks_booking_at_once_get_the_same_refusal_from_the_database(app, roster, towns, monkeypatch):
    """The check passes for both; the unique constraint stops the second insert."""
    from app.services import duty

    book(app, roster["duty_chen"], towns["hongcao"], TUESDAYS[0], "am")
    real = duty.find_conflicts
    calls = []

    def stale_check(judge_id, wanted):
        calls.append(judge_id)
        return [] if len(calls) == 1 else real(judge_id, wanted)

    monkeypatch.setattr(duty, "find_conflicts", stale_check)
    with pytest.raises(duty.DutyConflict) as refused:
        book(app, roster["duty_chen"], towns["xiangzhou"], TUESDAYS[0], "full")
    assert [c.centre for c in refused.value.conflicts] == ["红草镇综治中心"] and len(calls) == 2
    assert shift_count(app) == 1


def test_only_active_centres_and_active_users_take_duty(app, roster, towns):
    from app.services.duty import DutyRefused

    for centre in ("police", "closed"):
        with pytest.raises(DutyRefused):
            book(app, roster["duty_chen"], towns[centre], TUESDAYS[0], "am")
    for judge in (roster["duty_retired"], 99999999):
        with pytest.raises(DutyRefused):
            book(app, judge, towns["hongcao"], TUESDAYS[0], "am")
    with pytest.raises(DutyRefused):
        book(app, roster["duty_chen"], towns["hongcao"], TUESDAYS[0], "evening")
    assert shift_count(app) == 0


# --- weekly patterns --------------------------------------------------------------------------


def test_every_tuesday_at_hongcao_creates_the_right_dates(app, roster, towns):
    from app.extensions import db
    from app.models import DutyShift
    from app.services.duty import add_pattern

    with app.app_context():
        pattern, _shifts = add_pattern(roster["duty_chen"], towns["hongcao"], 1, "full", MARCH, dt.date(2030, 3, 31))
        assert pattern.weekday == 1 and pattern.ends_on == dt.date(2030, 3, 31)
        stored = db.session.execute(
            select(DutyShift.day, DutyShift.half).where(DutyShift.pattern_id == pattern.id).order_by(DutyShift.day, DutyShift.half)
        ).all()
    assert stored == [(d, h) for d in TUESDAYS for h in ("am", "pm")]


def test_pattern_with_one_conflicting_date_stores_nothing_and_names_the_date(app, roster, towns):
    from app.extensions import db
    from app.models import DutyPattern
    from app.services.duty import DutyConflict, add_pattern

    book(app, roster["duty_chen"], towns["xiangzhou"], TUESDAYS[2], "pm")
    with app.app_context(), force_locale("en"):
        with pytest.raises(DutyConflict) as refused:
            add_pattern(roster["duty_chen"], towns["hongcao"], 1, "full", MARCH, dt.date(2030, 3, 31))
        assert [(c.day, c.half, c.centre) for c in refused.value.conflicts] == [(TUESDAYS[2], "pm", "香洲街道综治中心")]
        assert "2030-03-19" in str(refused.value)
        assert db.session.scalar(select(func.count(DutyPattern.id))) == 0
    assert shift_count(app) == 1


@pytest.mark.parametrize(
    "starts_on, ends_on, message",
    [
        (dt.date(2030, 3, 31), MARCH, "The last day (2030-03-01) is before the first day (2030-03-31)."),
        (MARCH, dt.date(2031, 3, 1), "A weekly duty runs for at most one year"),
        (dt.date(2030, 3, 6), dt.date(2030, 3, 11), "No Tuesday falls between 2030-03-06 and 2030-03-11."),
    ],
)
def test_pattern_periods_that_make_no_sense_are_refused(app, roster, towns, starts_on, ends_on, message):
    from app.services.duty import DutyRefused, add_pattern

    with app.app_context(), force_locale("en"):
        with pytest.raises(ValueError) as refused:
            add_pattern(roster["duty_chen"], towns["hongcao"], 1, "am", starts_on, ends_on)
        assert isinstance(refused.value, DutyRefused) and message in str(refused.value)
    assert shift_count(app) == 0


def test_pattern_of_exactly_one_year_is_accepted(app, roster, towns):
    from app.services.duty import add_pattern

    with app.app_context():
        _pattern, shifts = add_pattern(roster["duty_lin"], towns["xiangzhou"], 3, "pm", MARCH, dt.date(2031, 2, 28))
    assert len(shifts) == 52


def test_ending_a_pattern_removes_later_shifts_and_keeps_earlier_ones(app, roster, towns):
    from app.extensions import db
    from app.models import DutyPattern
    from app.services.duty import add_pattern, remove_pattern_from

    with app.app_context():
        pattern, _ = add_pattern(roster["duty_chen"], towns["hongcao"], 1, "full", MARCH, dt.date(2030, 3, 31))
        assert remove_pattern_from(pattern.id, TUESDAYS[2]) == 4
        assert db.session.get(DutyPattern, pattern.id).ends_on == dt.date(2030, 3, 18)
    assert shift_count(app) == 4


def test_past_shifts_of_a_pattern_stay_as_history(app, roster, towns):
    from app.services.duty import add_pattern, remove_pattern_from

    with app.app_context():
        pattern, _ = add_pattern(roster["duty_huang"], towns["hongcao"], 0, "am", dt.date(2020, 3, 1), dt.date(2020, 3, 31))
        assert remove_pattern_from(pattern.id, dt.date(2020, 3, 1)) == 0
    assert shift_count(app) == 5


# --- calendar ---------------------------------------------------------------------------------


def _fill_march(app, roster, towns, weeks=4):
    from app.services.duty import add_pattern

    with app.app_context():
        add_pattern(roster["duty_chen"], towns["hongcao"], 1, "full", MARCH, MARCH + dt.timedelta(weeks=weeks) - dt.timedelta(days=1))
        add_pattern(roster["duty_lin"], towns["xiangzhou"], 1, "am", MARCH, MARCH + dt.timedelta(weeks=weeks) - dt.timedelta(days=1))
        add_pattern(roster["duty_huang"], towns["sanhe"], 3, "pm", MARCH, MARCH + dt.timedelta(weeks=weeks) - dt.timedelta(days=1))


def test_calendar_per_centre_and_per_judge_shows_the_right_shifts(app, roster, towns):
    from app.services.duty import calendar

    _fill_march(app, roster, towns)
    with app.app_context():
        grid = calendar(MARCH, centre_id=towns["hongcao"])
        assert grid.weeks[0][0].day == dt.date(2030, 2, 25) and not grid.weeks[0][0].in_month
        assert grid.previous == dt.date(2030, 2, 1) and grid.next == dt.date(2030, 4, 1)
        days = {c.day: [(s.half, s.judge_id) for s in c.shifts] for week in grid.weeks for c in week if c.shifts}
        assert days == {d: [("am", roster["duty_chen"]), ("pm", roster["duty_chen"])] for d in TUESDAYS}
        by_judge = calendar(MARCH, judge_id=roster["duty_huang"])
        assert by_judge.shift_count == 4
        assert {s.centre.name for w in by_judge.weeks for c in w for s in c.shifts} == {"三和村诉讼服务站"}


def test_calendar_runs_one_statement_however_many_shifts(app, roster, towns):
    from app.extensions import db
    from app.services.duty import calendar

    def measure():
        with app.app_context():
            db.session.expunge_all()  # nothing may come from the identity map
            with statements(app) as seen:
                grid = calendar(MARCH)
                shown = [(s.judge.first_name, s.centre.name, s.centre.area.name) for w in grid.weeks for c in w for s in c.shifts]
            return len(seen), len(shown)

    book(app, roster["duty_chen"], towns["hongcao"], dt.date(2030, 3, 4), "am")
    few = measure()
    _fill_march(app, roster, towns)
    many = measure()
    assert few == (1, 1) and many == (1, 17)


def test_calendar_page_shows_shifts_with_a_bounded_number_of_statements(app, admin_client, roster, towns):
    book(app, roster["duty_chen"], towns["hongcao"], dt.date(2030, 3, 4), "am")
    admin_client.get("/lang/en")
    with statements(app) as few:
        html = admin_client.get("/duty/?month=2030-03").get_data(as_text=True)
    assert "陈明 @ 红草镇综治中心" in html and "Morning" in html
    assert "month=2030-02" in html and "month=2030-04" in html  # previous and next month
    _fill_march(app, roster, towns)
    with statements(app) as many:
        html = admin_client.get(f"/duty/?month=2030-03&centre={towns['sanhe']}").get_data(as_text=True)
    assert "黄伟 @ 三和村诉讼服务站" in html and "红草镇综治中心 " not in html.split('id="duty-calendar"')[1]
    assert len(many) == len(few)
    by_judge = admin_client.get(f"/duty/?month=2030-03&judge={roster['duty_lin']}").get_data(as_text=True)
    assert "林芳 @ 香洲街道综治中心" in by_judge and "陈明 @" not in by_judge


def test_calendar_with_a_nonsense_month_falls_back_to_this_month(admin_client, roster):
    admin_client.get("/lang/en")
    r = admin_client.get("/duty/?month=2030-13&centre=abc&judge=99999999999999999999999")
    assert r.status_code == 200 and "Choose a month as YYYY-MM." in r.get_data(as_text=True)


# --- the web form -----------------------------------------------------------------------------


def _add_form(client, **values):
    page = client.get("/duty/add").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "span": "am", "repeat_until": "", "note": ""}
    data.update({k: str(v) for k, v in values.items()})
    return client.post("/duty/add", data=data)


def test_double_booking_on_the_web_form_lists_the_conflict_and_keeps_what_was_typed(app, admin_client, roster, towns):
    book(app, roster["duty_chen"], towns["hongcao"], TUESDAYS[0], "am")
    admin_client.get("/lang/en")
    r = _add_form(admin_client, judge=roster["duty_chen"], centre=towns["xiangzhou"], day="2030-03-05", span="full", note="带班指导")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Nothing was saved" in html and "陈明 is already on duty on 2030-03-05 (Morning) at 红草镇综治中心." in html
    assert 'value="2030-03-05"' in html and 'value="带班指导"' in html
    assert re.search(rf'<option selected value="{towns["xiangzhou"]}">|<option value="{towns["xiangzhou"]}" selected', html)
    assert shift_count(app) == 1


def test_booking_on_the_web_form_goes_to_the_calendar(app, admin_client, roster, towns):
    r = _add_form(admin_client, judge=roster["duty_lin"], centre=towns["xiangzhou"], day="2030-03-05", span="full")
    assert r.status_code == 302 and "month=2030-03" in r.headers["Location"]
    assert shift_count(app, judge_id=roster["duty_lin"]) == 2
    html = admin_client.get(r.headers["Location"]).get_data(as_text=True)
    assert "林芳 @ 香洲街道综治中心" in html


def test_weekly_repeat_on_the_web_form_books_every_week(app, admin_client, roster, towns):
    r = _add_form(
        admin_client, judge=roster["duty_chen"], centre=towns["hongcao"], day="2030-03-05", span="pm", repeat_until="2030-03-31"
    )
    assert r.status_code == 302
    assert shift_count(app, judge_id=roster["duty_chen"], half="pm") == 4


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"day": "2030-02-30"}, "Enter a real date as YYYY-MM-DD."),
        ({"repeat_until": "2030-03-01"}, "The last day is before the first day."),
        ({"repeat_until": "2031-03-05"}, "A weekly duty runs for at most one year"),
        ({"centre": "police"}, "Not a valid choice"),
        ({"judge": ""}, "This field is required."),
    ],
)
def test_bad_input_on_the_web_form_is_refused_and_nothing_is_stored(app, admin_client, roster, towns, changes, message):
    admin_client.get("/lang/en")
    values = {"judge": roster["duty_chen"], "centre": towns["hongcao"], "day": "2030-03-05", "span": "am"}
    values.update({k: towns.get(v, v) if k == "centre" else v for k, v in changes.items()})
    r = _add_form(admin_client, **values)
    assert r.status_code == 200 and message in r.get_data(as_text=True)
    assert shift_count(app) == 0


def test_removing_a_shift_needs_the_form_token(app, admin_client, roster, towns):
    shift_id = book(app, roster["duty_chen"], towns["hongcao"], TUESDAYS[0], "full")[0]
    assert admin_client.post("/duty/remove", data={"shift": shift_id}).status_code == 400
    page = admin_client.get("/duty/?month=2030-03").get_data(as_text=True)
    r = admin_client.post("/duty/remove", data={"csrf_token": csrf_token(page), "shift": shift_id})
    assert r.status_code == 302 and shift_count(app) == 1
    assert admin_client.post("/duty/remove", data={"csrf_token": csrf_token(page), "shift": shift_id}).status_code == 404


def test_ending_a_weekly_duty_from_the_calendar(app, admin_client, roster, towns):
    from app.services.duty import add_pattern

    with app.app_context():
        pattern, shifts = add_pattern(roster["duty_chen"], towns["hongcao"], 1, "am", MARCH, dt.date(2030, 3, 31))
        third = [s.id for s in shifts][2]
        pattern_id = pattern.id
    page = admin_client.get("/duty/?month=2030-03").get_data(as_text=True)
    r = admin_client.post(
        "/duty/remove",
        data={"csrf_token": csrf_token(page), "shift": third, "pattern": pattern_id, "day": "2030-03-19"},
    )
    assert r.status_code == 302 and shift_count(app) == 2


def test_a_judge_sees_the_roster_but_cannot_book(judge_client, roster, towns, app):
    assert judge_client.get("/duty/?month=2030-03").status_code == 200
    r = judge_client.get("/duty/add")
    assert r.status_code in (302, 403)


def test_duty_routes_refuse_anonymous_callers(app, roster):
    client = app.test_client()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in ("DutyRosterView", "GuidanceLogView")]
    assert len(rules) >= 8
    for rule in rules:
        url = rule.build({a: "1" for a in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method)
            assert r.status_code in (302, 400, 401, 403), f"{method} {url} -> {r.status_code}"
            if r.status_code == 302:
                assert "/login" in r.headers["Location"]


# --- the annex --------------------------------------------------------------------------------


def _annex_shifts(app, roster, towns):
    _fill_march(app, roster, towns)
    book(app, roster["duty_lin"], towns["district"], dt.date(2030, 3, 8), "pm")
    book(app, roster["duty_lin"], towns["hongcao"], dt.date(2030, 3, 7), "am")  # a one-off replacement
    book(app, roster["duty_huang"], towns["hongcao"], dt.date(2031, 1, 7), "am")  # outside the period


def test_annex_rows_group_judges_by_town_or_street(app, roster, towns):
    from app.services.duty import annex_rows

    _annex_shifts(app, roster, towns)
    with app.app_context():
        rows = annex_rows(dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    assert [r.town for r in rows] == ["汕尾市城区", "红草镇", "香洲街道"]  # by name
    hongcao = rows[1]
    assert hongcao.centres == ["三和村诉讼服务站", "红草镇综治中心"]  # a village's station counts for its town
    judges = {j.name: j for j in hongcao.judges}
    assert [j.name for j in hongcao.judges] == ["陈明", "黄伟", "林芳"]  # the resident judge first
    assert judges["陈明"].slots == [(1, "full")] and judges["陈明"].half_days == 8
    assert judges["黄伟"].slots == [(3, "pm")] and judges["黄伟"].half_days == 4
    assert judges["林芳"].slots == [(3, "am")] and judges["林芳"].half_days == 1 and not judges["林芳"].weekly
    assert hongcao.half_days == 13
    assert [j.name for j in rows[2].judges] == ["林芳"] and rows[2].judges[0].slots == [(1, "am")]


def test_annex_xlsx_reads_back_with_a_line_per_town(app, roster, towns):
    from openpyxl import load_workbook

    from app.services.annex import HEADERS, TITLE, annex_xlsx
    from app.services.duty import annex_rows

    _annex_shifts(app, roster, towns)
    period = (dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    with app.app_context():
        data = annex_xlsx(annex_rows(*period), period)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == TITLE == "各镇（街道）驻点法官名单"
    assert ws["A2"].value == "期间：2030年1月1日至2030年12月31日"
    assert [c.value for c in ws[3]] == HEADERS and all(c.font.bold for c in ws[3])
    assert ws.freeze_panes == "A4" and ws.column_dimensions["E"].width == 40
    lines = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert [line[1] for line in lines] == ["汕尾市城区", "红草镇", "香洲街道"]
    assert lines[1][3] == "陈明、黄伟、林芳" and "陈明：每周二全天（8个半天）" in lines[1][4] and lines[1][5] == 13


def test_annex_docx_reads_back_as_a_chinese_table(app, roster, towns):
    from docx import Document
    from docx.oxml.ns import qn

    from app.services.annex import HEADERS, TITLE, annex_docx
    from app.services.duty import annex_rows

    _annex_shifts(app, roster, towns)
    period = (dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    with app.app_context():
        doc = Document(io.BytesIO(annex_docx(annex_rows(*period), period)))
    assert doc.paragraphs[0].text == TITLE
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == HEADERS
    assert [row.cells[1].text for row in table.rows[1:]] == ["汕尾市城区", "红草镇", "香洲街道"]
    assert "黄伟：每周四下午（4个半天）" in table.rows[2].cells[4].text
    assert "林芳：周四上午（1个半天）" in table.rows[2].cells[4].text  # a stand-in, not every week
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"


def test_annex_downloads_with_a_chinese_file_name(app, admin_client, roster, towns):
    _annex_shifts(app, roster, towns)
    base = "/duty/annex?starts_on=2030-01-01&ends_on=2030-12-31&format="
    for kind, mime in (("xlsx", "spreadsheetml"), ("docx", "wordprocessingml")):
        r = admin_client.get(base + kind)
        assert r.status_code == 200 and mime in r.headers["Content-Type"]
        disposition = r.headers["Content-Disposition"]
        assert f"filename*=UTF-8''{quote(f'驻点法官名单-20300101-20301231.{kind}')}" in disposition
        assert disposition.encode("latin-1")  # the plain filename= fallback is ASCII
        assert r.data.startswith(b"PK")


def test_annex_page_defaults_to_this_year_and_refuses_end_before_start(app, admin_client, roster):
    from app.services.duty import local_today

    admin_client.get("/lang/en")
    with app.app_context():
        year = local_today().year
    html = admin_client.get("/duty/annex").get_data(as_text=True)
    assert f'value="{year}-01-01"' in html and f'value="{year}-12-31"' in html
    r = admin_client.get("/duty/annex?starts_on=2030-12-31&ends_on=2030-01-01&format=xlsx")
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    assert "The last day is before the first day." in r.get_data(as_text=True)
    bad = admin_client.get("/duty/annex?starts_on=2030-02-30&ends_on=2030-12-31&format=docx")
    assert "Enter a real date as YYYY-MM-DD." in bad.get_data(as_text=True)


# --- guidance log -----------------------------------------------------------------------------


@pytest.fixture
def case_and_mediators(app, towns):
    """A registered case and two mediators, one of them suspended."""
    from app.extensions import db
    from app.models import Case, Mediator

    with app.app_context():
        case = Case(case_no="（2030）汕城解第00007号", dispute_type="traffic", title="林某与黄某交通事故纠纷", description="")
        active = Mediator(name="郑调解", status="active", organization_id=towns["hongcao"])
        suspended = Mediator(name="吴暂停", status="suspended", status_reason="投诉核查中", organization_id=towns["hongcao"])
        db.session.add_all([case, active, suspended])
        db.session.commit()
        return {"case": case.id, "case_no": case.case_no, "mediator": active.id, "suspended": suspended.id}


def _guidance(client, towns, **values):
    page = client.get("/duty/guidance/add").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "day": PAST_TUESDAY.isoformat(),
        "centre": towns["hongcao"],
        "kind": "consultation",
        "topic": "交通事故赔偿标准咨询",
        "case_no": "",
        "notes": "",
    }
    data.update(values)
    return client.post("/duty/guidance/add", data=data), page


def test_judge_records_a_consultation_linked_to_a_case_by_number(app, judge_client, roster, towns, case_and_mediators):
    from app.extensions import db
    from app.models import GuidanceLog

    shift_id = book(app, roster["duty_chen"], towns["hongcao"], PAST_TUESDAY, "am")[0]
    r, page = _guidance(
        judge_client, towns,
        case_no=f" {case_and_mediators['case_no']} ",
        mediators=str(case_and_mediators["mediator"]),
        judge=str(roster["duty_lin"]),  # a forged field: the judge is whoever is signed in
    )
    assert "郑调解" in page and "吴暂停" not in page  # only active mediators are offered
    assert "城区交警大队" not in page  # partner agencies are not duty centres
    assert r.status_code == 302
    with app.app_context():
        log = db.session.scalars(select(GuidanceLog)).one()
        assert log.judge_id == roster["duty_chen"] and log.case_id == case_and_mediators["case"]
        assert log.kind == "consultation" and log.shift_id == shift_id
        assert [m.id for m in log.mediators] == [case_and_mediators["mediator"]]
    listing = judge_client.get("/duty/guidance/list/").get_data(as_text=True)
    assert "交通事故赔偿标准咨询" in listing and case_and_mediators["case_no"] in listing


def test_unknown_case_number_is_refused_and_nothing_is_stored(app, judge_client, roster, towns, case_and_mediators):
    from app.extensions import db
    from app.models import GuidanceLog

    judge_client.get("/lang/en")
    r, _ = _guidance(judge_client, towns, case_no="（2030）汕城解第00999号", topic="调解指导")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "No case has the number （2030）汕城解第00999号." in html
    assert 'value="调解指导"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(GuidanceLog.id))) == 0


def test_a_case_outside_the_judges_scope_reads_as_unknown(app, judge_client, roster, towns, case_and_mediators):
    from app.extensions import db
    from app.models import GuidanceLog, Membership

    with app.app_context():  # 陈明 now serves a town centre only, not the court
        db.session.query(Membership).filter_by(user_id=roster["duty_chen"]).update(
            {"organization_id": towns["xiangzhou"]})
        db.session.commit()
    judge_client.get("/lang/en")
    number = case_and_mediators["case_no"]
    r, _ = _guidance(judge_client, towns, case_no=number)
    assert r.status_code == 200 and f"No case has the number {number}." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(GuidanceLog.id))) == 0


@pytest.mark.parametrize(
    "day, message",
    [("2025-02-30", "Enter a real date as YYYY-MM-DD."), ("2999-01-05", "This date cannot be in the future.")],
)
def test_guidance_log_refuses_an_impossible_or_future_date(app, judge_client, roster, towns, day, message):
    from app.extensions import db
    from app.models import GuidanceLog

    judge_client.get("/lang/en")
    r, _ = _guidance(judge_client, towns, day=day, kind="guidance")
    assert r.status_code == 200 and message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(GuidanceLog.id))) == 0


def test_guidance_list_loads_case_numbers_without_a_query_per_row(app, judge_client, roster, towns):
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        db.session.add_all(Case(case_no=f"（2025）汕城解第{n:05d}号", dispute_type="traffic", title="纠纷", description="") for n in range(4))
        db.session.commit()
    counts = []
    for numbers in ((0,), (1, 2, 3)):
        for n in numbers:
            assert _guidance(judge_client, towns, case_no=f"（2025）汕城解第{n:05d}号")[0].status_code == 302
        with statements(app) as seen:
            html = judge_client.get("/duty/guidance/list/").get_data(as_text=True)
        counts.append(len(seen))
    assert "（2025）汕城解第00003号" in html and counts[0] == counts[1]


def test_only_the_judge_who_recorded_an_entry_may_change_it(app, judge_client, roster, towns):
    from app.extensions import db
    from app.models import GuidanceLog

    with app.app_context():
        log = GuidanceLog(judge_id=roster["duty_lin"], centre_id=towns["hongcao"], day=PAST_TUESDAY, kind="guidance", topic="指导调解")
        db.session.add(log)
        db.session.commit()
        log_id = log.id
    page = judge_client.get(f"/duty/guidance/edit/{log_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "day": PAST_TUESDAY.isoformat(), "centre": towns["hongcao"],
            "kind": "guidance", "topic": "改写", "case_no": "", "notes": ""}
    judge_client.post(f"/duty/guidance/edit/{log_id}", data=data)
    with app.app_context():
        assert db.session.get(GuidanceLog, log_id).topic == "指导调解"
