"""Demo data: the real areas of Shanwei Chengqu, its centres, and sample cases per type."""
from __future__ import annotations


from flask import current_app
from flask_babel import force_locale

from app.extensions import appbuilder, db
from app.intake.payload import flatten
from app.models.area import Area
from app.models.case import Case
from app.models.organization import Organization
from app.services.intake import intake_form, register_case
from app.services.scope import ANYWHERE
from app.validation.identity import check_digit

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

PEOPLE = [
    ("林晓明", "19850312", "13802661234", "汕尾市城区香洲街道通港路18号"),
    ("黄丽娟", "19900708", "13926605678", "汕尾市城区凤山街道红海大道56号"),
    ("陈志强", "19780125", "15917701122", "汕尾市城区新港街道新港路9号"),
    ("吴海燕", "19951130", "18802663344", "汕尾市城区马宫街道金町湾3栋"),
    ("郑文斌", "19690419", "13650605566", "汕尾市城区红草镇红草圩12号"),
    ("蔡秀英", "19820916", "13719247788", "汕尾市城区东涌镇品清村"),
]


def demo_id_number(birth: str, seq: int) -> str:
    """A checksum-valid resident ID for a demo person born in Chengqu on ``birth``."""
    first17 = f"441502{birth}{seq:03d}"
    return first17 + check_digit(first17)


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


def demo_payload(dispute_type: str, sample: dict, n: int, places: dict) -> dict:
    """The n-th demo case of a type, as an API client would send it."""
    town = TOWNS[n % len(TOWNS)][0]
    a = PEOPLE[(2 * n) % len(PEOPLE)]
    b = PEOPLE[(2 * n + 1) % len(PEOPLE)]
    return {
        "title": f"{a[0]}与{b[0]}纠纷（演示）",
        "description": "演示数据：当事人来窗口登记，申请调解。",
        "claim_amount": str(8000 + 2500 * n),
        "area_id": places["areas"][town].id,
        "organization_id": places["orgs"][f"{town}综治中心"].id,
        "channel": ["window", "assisted", "online"][n % 3],
        "parties": [
            {"kind": "person", "role": "applicant", "name": a[0],
             "id_number": demo_id_number(a[1], 10 + n), "mobile": a[2], "address": a[3]},
            {"kind": "person", "role": "respondent", "name": b[0],
             "id_number": demo_id_number(b[1], 20 + n), "mobile": b[2], "address": b[3]},
        ],
        "intake": sample,
    }


def load_demo(per_type: int = 3) -> str:
    """Load the demo once: types that already have cases are left alone."""
    places = load_areas_and_centres()
    from app.demo_people import load_judges, load_mediators

    load_mediators()
    load_judges()
    state = current_app.extensions["jiefen"]
    actor = appbuilder.sm.find_user(username="admin")
    made = []
    with current_app.test_request_context(), force_locale("zh_CN"):
        for dtype in state.dispatcher.enabled_types():
            sample = state.registry.samples.get(dtype.code)
            if sample is None:
                continue
            if db.session.query(Case.id).filter_by(dispute_type=dtype.code).first():
                continue
            for n in range(per_type):
                form = intake_form(dtype.code, flatten(demo_payload(dtype.code, sample, n, places)), api=True, scope=ANYWHERE)
                if not form.validate():
                    raise RuntimeError(f"demo case for {dtype.code} is invalid: {form.errors}")
                register_case(form, dtype.code, actor)
            made.append(dtype.code)
        from app.demo_linkage import load_referrals

        load_referrals(actor)
    if made:
        return f"Demo data: {per_type} cases each for {', '.join(made)}."
    return "Demo data already present."
