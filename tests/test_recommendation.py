"""Mediator recommendation: golden rankings over a fixed pool, with the exact reasons shown."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from flask_babel import force_locale
from sqlalchemy import event


ON = dt.date(2026, 10, 1)
TRAFFIC = "Specialty: Traffic accident"
LABOUR = "Specialty: Labour dispute"
STREET = "Serves 香洲街道"
DISTRICT = "Serves the whole district (汕尾市城区)"
STREET_FOR_VILLAGE = "Serves 香洲街道, which includes 新城社区"
_numbers = itertools.count(1)


def add_mediator(name, areas=(), specialties=(), kind=("part_time", "invited"), **fields):
    from app.extensions import db
    from app.models import Mediator

    m = Mediator(
        name=name, employment=kind[0], engagement=kind[1], specialties=list(specialties),
        areas=list(areas), **fields,
    )
    db.session.add(m)
    db.session.flush()
    return m


def add_case(dispute_type="traffic", area=None, mediator=None, status="registered"):
    from app.extensions import db
    from app.models import Case

    case = Case(
        case_no=f"（2026）粤1502民调{next(_numbers)}号", dispute_type=dispute_type, status=status,
        title="测试纠纷", area=area, mediator=mediator, intake_data={},
    )
    db.session.add(case)
    db.session.flush()
    return case


@pytest.fixture
def pool(app):
    """Four areas and ten mediators of every kind the ranking must tell apart."""
    from app.extensions import db
    from app.models import Area

    with app.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502")
        street = Area(name="香洲街道", level="town", parent=district)
        village = Area(name="新城社区", level="village", parent=street)
        other_street = Area(name="凤山街道", level="town", parent=district)
        db.session.add_all([district, street, village, other_street])
        m = {
            "chen": add_mediator("陈海燕", [street], ["traffic"], ("full_time", "resident"),
                                 register_entered_on=dt.date(2024, 1, 1), register_expires_on=dt.date(2027, 12, 31)),
            "li": add_mediator("李建国", [district], ["traffic", "labour"]),
            "wang": add_mediator("王丽", [street], ["family"], ("full_time", "resident")),
            # Expiring on the day itself: still on the register that day.
            "zhao": add_mediator("赵伟", [other_street], ["traffic"], register_expires_on=ON),
            # Two people with the same name and profile: the older record first.
            "zhang_a": add_mediator("张伟", [district], ["labour"]),
            "zhang_b": add_mediator("张伟", [district], ["labour"]),
            "huang": add_mediator("黄敏", [street], ["traffic"], ("full_time", "resident"),
                                  status="suspended", status_reason="Complaint under review"),
            "lin": add_mediator("林志强", [street], ["traffic"], register_expires_on=ON - dt.timedelta(days=1)),
            "wu": add_mediator("吴刚", [street], ["traffic"], status="removed", status_reason="Moved away"),
            "zhou": add_mediator("周婷", [street], ["traffic"], register_entered_on=dt.date(2026, 11, 1)),
        }
        for status in ("registered", "in_mediation", "closed"):  # the closed one is not workload
            add_case(mediator=m["li"], status=status)
        add_case(mediator=m["wang"], status="referred")
        add_case(mediator=m["huang"])
        db.session.commit()
        ids = {key: mediator.id for key, mediator in m.items()}
        ids.update(district=district.id, street=street.id, village=village.id)
        return ids


def ranking(app, dispute_type, area_key, pool):
    """``(recommendations, not eligible)`` in English for a new case, as ``(key, reasons)``."""
    from app.extensions import db
    from app.models import Area
    from app.services.recommend import recommend

    keys = {v: k for k, v in pool.items() if k not in ("district", "street", "village")}
    with app.test_request_context(), force_locale("en"):
        case = add_case(dispute_type, db.session.get(Area, pool[area_key]) if area_key else None)
        result = recommend(case, on=ON)
        got = [(keys[r.mediator.id], r.reasons) for r in result.eligible]
        refused = [(keys[n.mediator.id], n.reasons) for n in result.not_eligible]
        db.session.rollback()
    return got, refused


def test_traffic_case_in_a_street_ranks_specialty_then_area_then_workload(app, pool):
    got, _ = ranking(app, "traffic", "street", pool)
    assert got == [
        ("chen", (TRAFFIC, STREET, "0 open cases")),  # 50 + 30
        ("li", (TRAFFIC, DISTRICT, "2 open cases")),  # 50 + 15 - 2×3
        ("zhao", (TRAFFIC, "0 open cases")),  # 50
        ("wang", (STREET, "1 open case")),  # 30 - 3
        ("zhang_a", (DISTRICT, "0 open cases")),  # 15, same as the next: older record first
        ("zhang_b", (DISTRICT, "0 open cases")),
    ]


def test_labour_case_in_a_village_prefers_the_nearer_area(app, pool):
    got, _ = ranking(app, "labour", "village", pool)
    assert got == [
        ("zhang_a", (LABOUR, DISTRICT, "0 open cases")),  # 50 + 10 (two levels up)
        ("zhang_b", (LABOUR, DISTRICT, "0 open cases")),
        ("li", (LABOUR, DISTRICT, "2 open cases")),  # 50 + 10 - 6
        ("chen", (STREET_FOR_VILLAGE, "0 open cases")),  # 15 (one level up)
        ("wang", (STREET_FOR_VILLAGE, "1 open case")),  # 15 - 3
        ("zhao", ("0 open cases",)),
    ]


def test_suspended_removed_and_off_register_mediators_are_listed_as_not_eligible(app, pool):
    _, refused = ranking(app, "traffic", "street", pool)
    assert refused == [  # by name
        ("wu", ("Removed: Moved away",)),
        ("zhou", ("On the register only from 2026-11-01",)),
        ("lin", ("Register expired on 2026-09-30",)),
        ("huang", ("Suspended: Complaint under review",)),
    ]


def test_case_without_area_or_specialist_ranks_by_workload_then_name(app, pool):
    got, _ = ranking(app, "medical", None, pool)
    assert [key for key, _ in got] == ["zhang_a", "zhang_b", "zhao", "chen", "wang", "li"]


def test_equal_scores_go_to_the_mediator_with_fewer_open_cases(app):
    from app.extensions import db
    from app.services.recommend import WORKLOAD_CAP, recommend

    with app.test_request_context(), force_locale("en"):
        busy = add_mediator("安然")  # sorts before 杨帆 by name
        busier = add_mediator("杨帆")
        for _ in range(WORKLOAD_CAP + 2):
            add_case(mediator=busy)
        for _ in range(WORKLOAD_CAP + 1):
            add_case(mediator=busier)
        result = recommend(add_case("medical"), on=ON)
        # Both are past the cap, so their scores are equal: the lighter load comes first.
        assert [(r.mediator.name, r.score) for r in result.eligible] == [("杨帆", -30), ("安然", -30)]
        db.session.rollback()


def test_recommendation_runs_the_same_few_statements_whatever_the_pool_size(app, pool):
    from app.extensions import db
    from app.models import Area, Case
    from app.services.recommend import recommend

    def statements(case_id):
        seen = []

        def listener(*args):
            seen.append(args[2])

        with app.test_request_context():
            case = db.session.get(Case, case_id)
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                recommend(case, on=ON)
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            db.session.remove()
        return seen

    with app.app_context():
        case_id = add_case("traffic", db.session.get(Area, pool["village"])).id
        db.session.commit()
    small = statements(case_id)
    with app.app_context():
        street = db.session.get(Area, pool["street"])
        for n in range(20):
            add_case(mediator=add_mediator(f"调解员{n:02d}", [street], ["traffic"]))
        db.session.commit()
    large = statements(case_id)
    assert len(small) == len(large) <= 4, large


def test_case_page_shows_the_five_best_to_those_who_may_list_mediators(app, pool, admin_client, clerk_client):
    from app.extensions import db
    from app.models import Area, Mediator

    with app.app_context():
        # The page ranks as of today, not ON: keep the register dates on the same side of it.
        for key in ("chen", "zhao"):
            db.session.get(Mediator, pool[key]).register_expires_on = None
        db.session.get(Mediator, pool["zhou"]).register_entered_on = dt.date.today() + dt.timedelta(days=30)
        case_id = add_case("traffic", db.session.get(Area, pool["street"])).id
        db.session.commit()
    html = admin_client.get(f"/case/show/{case_id}?_l_=en").get_data(as_text=True)
    panel = html[html.index('id="recommended-mediators"'):]
    panel = panel[: panel.index("</div>")]
    assert "Recommended mediators" in panel
    for key in ("chen", "li", "zhao", "wang", "zhang_a"):
        assert f'href="/mediators/show/{pool[key]}"' in panel
    assert f'/mediators/show/{pool["zhang_b"]}"' not in panel  # sixth
    assert f'/mediators/show/{pool["huang"]}"' not in panel  # suspended
    assert "<li>Serves the whole district (汕尾市城区)</li>" in panel and "<li>2 open cases</li>" in panel

    clerk_html = clerk_client.get(f"/case/show/{case_id}?_l_=en").get_data(as_text=True)
    assert "recommended-mediators" not in clerk_html and "陈海燕" not in clerk_html
