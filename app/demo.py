"""Demo data: the real areas of Shanwei Chengqu, its centres and court divisions, the people who
work there (app/demo_people.py) and a year of cases (app/demo_story.py)."""
from __future__ import annotations


from flask import current_app
from flask_babel import force_locale

from sqlalchemy import select

from app.extensions import appbuilder, db
from app.models.area import Area
from app.models.case import Case
from app.models.organization import Organization
from app.services.clock import today

DISTRICT = ("441502", "汕尾市城区")
# Four streets and three towns (domain-rules.md, "Real place names").
TOWNS = [
    ("香洲街道", "town"),
    ("凤山街道", "town"),
    ("新港街道", "town"),
    ("马宫街道", "town"),
    ("红草镇", "town"),
    ("东涌镇", "town"),
    ("捷胜镇", "town"),
]

def _area(code, name, level, parent=None) -> Area:
    key = {"code": code} if code else {"name": name, "level": level}
    area = db.session.query(Area).filter_by(**key).one_or_none()
    if area is None:
        area = Area(code=code, name=name, level=level, parent=parent)
        db.session.add(area)
        db.session.flush()
    return area


def _org(code, name, kind, area, parent=None) -> Organization:
    org = db.session.query(Organization).filter_by(code=code).one_or_none()
    if org is None:
        org = Organization(code=code, name=name, kind=kind, area=area, parent=parent, dispute_types=[])
        db.session.add(org)
        db.session.flush()
    return org


def load_areas_and_centres() -> dict:
    """Areas and organisations of the demo; returns them by name."""
    district = _area(DISTRICT[0], DISTRICT[1], "district")
    areas = {district.name: district}
    for i, (name, level) in enumerate(TOWNS, start=1):
        areas[name] = _area(f"{DISTRICT[0]}-T{i:02d}", name, level, district)
    xiangzhou = areas["香洲街道"]
    court = _org("court", "汕尾市城区人民法院", "court_department", xiangzhou)
    centre = _org("district-centre", "汕尾市城区综治中心", "governance_centre", district)
    orgs = {
        o.name: o
        for o in [
            court,
            centre,
            _org("court-mediation", "汕尾市城区人民法院诉前调解中心", "court_mediation_centre", xiangzhou, court),
            _org("court-filing", "汕尾市城区人民法院立案庭", "case_filing_division", xiangzhou, court),
            _org("court-civil", "汕尾市城区人民法院民事审判庭", "civil_division", xiangzhou, court),
            _org("court-management", "汕尾市城区人民法院审判管理办公室", "trial_management_office", xiangzhou, court),
            _org("district-window", "城区综治中心矛盾纠纷接待窗口", "reception_window", district, centre),
            _org("district-committee", "汕尾市城区人民调解委员会", "mediation_committee", district),
            _org("mediation-company", "汕尾市和融调解服务有限公司（演示）", "mediation_company", district),
        ]
    }
    for i, (name, _level) in enumerate(TOWNS, start=1):
        org = _org(f"centre-T{i:02d}", f"{name}综治中心", "governance_centre", areas[name])
        orgs[org.name] = org
        station = _org(f"station-T{i:02d}", f"{name}诉讼服务站", "litigation_workstation", areas[name], court)
        orgs[station.name] = station
    db.session.commit()
    return {"areas": areas, "orgs": orgs}


def load_demo() -> str:
    """Load the demo once: its people and logins, the year of cases of every type that has none
    yet (a type whose plugin is enabled later gets its cases on the next run), then what
    leadership reads: a screening campaign with hazards, alerts, a joint meeting, bulletins.
    Every step is idempotent."""
    from app.demo_bulletin import load_bulletin_demo
    from app.demo_map import load_map_demo
    from app.demo_meetings import load_meetings_demo
    from app.demo_screening import load_screening_demo
    from app.demo_warning import load_warning_demo

    cases = _load_cases()
    load_map_demo()
    # In this order: the meeting discusses the campaign's hazards and the scan's alerts.
    steps = [load_screening_demo(), load_warning_demo(), load_meetings_demo(), load_bulletin_demo()]
    return " ".join([cases, *steps])


def _load_cases() -> str:
    """The people and logins, then the year of cases of the types that have none yet."""
    from app import demo_people
    from app.demo_steps import CaseStory
    from app.demo_story import Cast, plan_story, replay

    places = load_areas_and_centres()
    actor = appbuilder.sm.find_user(username="admin")
    demo_people.load_people(actor)
    state = current_app.extensions["jiefen"]
    with current_app.test_request_context(), force_locale("zh_CN"):
        types = [t.code for t in state.dispatcher.enabled_types() if t.code in state.registry.samples]
        missing = [t for t in types
                   if db.session.scalars(select(Case.id).where(Case.dispute_type == t).limit(1)).first() is None]
        plans = [p for p in plan_story(types, [name for name, _level in TOWNS], today()) if p.dispute_type in missing]
        if not plans:
            return "Demo data already present."
        cast = Cast(places, state.registry, demo_people)
        steps = replay(CaseStory(plan, cast).run() for plan in plans)
    return f"Demo data: {len(plans)} cases ({steps} steps) of {', '.join(missing)}."
