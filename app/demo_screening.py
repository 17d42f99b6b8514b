"""Demo data for screening (排查专项, 矛盾隐患, 风险研判): one campaign over four streets and towns with
a task per centre, the hazards their clerks found (one registered as a case, one dissolved, one
high risk still followed, one without a type), one task reported done, and a few cases rated —
so a new user of ``make run`` finds a campaign's progress, hazards and red high-risk flags.

Everything goes through the application's services, each step at its own moment of the last
weeks with the one clock moved (``app.demo_story.replay_clock``), as the year of cases is
replayed. The wage dispute is recognised from what its type declares (:mod:`app.demo_kinds`),
never by its code.

Call :func:`load_screening_demo` after :func:`app.demo.load_demo` (it needs the areas, centres,
people and cases). It runs once: a second call finds its campaign and does nothing.
"""
from __future__ import annotations

import datetime as dt
import random

from flask import current_app, g
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import appbuilder, db
from app.models.area import Area
from app.models.case import Case
from app.models.organization import Organization
from app.models.screening import Hazard, ScreeningCampaign
from app.services.clock import court_zone, today

DISTRICT_CLERK = "clerk_district"  # the district centre's window: district scope
TOWNS = {  # town → its centre's clerk (app.demo_people.CLERKS)
    "香洲街道": "clerk_xiangzhou", "凤山街道": "clerk_fengshan", "红草镇": "clerk_hongcao", "东涌镇": "clerk_dongyong",
}
OUTSIDE_TOWN = ("新港街道", "clerk_xingang")  # records a hazard of its own, outside the campaign
FOCUS = ("年终岁末工资结算集中，重点排查在建工地、用工企业拖欠农民工工资和劳务费的矛盾，"
         "以及停产、搬迁企业的工资结算；发现群体性讨薪苗头当日上报。")
INSTRUCTIONS = "走访辖区在建工地和用工企业，逐一核实工资支付情况，建立欠薪隐患台账，群体性苗头当日上报。"
SEED = 20261218


def campaign_title(day: dt.date) -> str:
    """The campaign's name for the season of ``day``."""
    return "岁末年初欠薪问题排查专项" if day.month in (11, 12, 1, 2) else f"{day.year}年欠薪问题集中排查专项"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), court_zone()).astimezone(dt.timezone.utc)


def _actor(login: str):
    """The user taking a step, signed in for it (``g.user``) so that the audit log names them."""
    user = appbuilder.sm.find_user(username=login)
    g.user = user
    return user


def _wage_type():
    """The enabled type of wage disputes (else the first enabled type with a sample), or ``None``."""
    from app.demo_kinds import types_of

    state = current_app.extensions["jiefen"]
    enabled = [t.code for t in state.dispatcher.enabled_types() if t.code in state.registry.samples]
    wages = [t for t in types_of("wages") if t in enabled]
    return (wages or enabled or [None])[0]


def _hazards(day: dt.date, rng: random.Random, wage_type) -> list[dict]:
    """What each centre found, when, and what became of it."""
    from app.demo_parties import credit_code, mobile, person

    employer = {"kind": "organization", "name": "汕尾市城区宏远建筑劳务有限公司（演示）", "id_number": credit_code(rng),
                "mobile": mobile(rng), "note": "劳务分包单位"}
    workers = [dict(person(rng, "applicant", "香洲街道", day), note="务工人员代表" if n == 0 else "务工人员")
               for n in range(3)]
    factory = {"kind": "organization", "name": "汕尾市城区凯丰制衣厂（演示）", "id_number": credit_code(rng),
               "mobile": mobile(rng), "note": "停产企业"}
    return [
        {"town": "香洲街道", "found": 15, "title": "宏远建筑劳务公司拖欠某工地12名工人工资", "type": wage_type,
         "risk": "high", "parties": workers + [employer], "then": "register",
         "description": "香城社区在建住宅工地12名务工人员反映劳务分包单位拖欠9月至11月工资约14万元，"
                        "工人多次到工地讨薪，情绪激动，有集体到区政府反映的苗头。"},
        {"town": "红草镇", "found": 12, "title": "渔港冷库雇工劳务费结算争议", "type": wage_type, "risk": "low",
         "parties": [dict(person(rng, "applicant", "红草镇", day), note="雇工")], "then": "dissolve",
         "description": "冷库雇工5人对年底劳务费计算方式有异议，与冷库负责人协商未果。"},
        {"town": "凤山街道", "found": 10, "title": "凯丰制衣厂停产，员工担心年终工资结算", "type": wage_type, "risk": "high",
         "parties": [factory, dict(person(rng, "applicant", "凤山街道", day), note="员工代表")], "then": None,
         "description": "凯丰制衣厂因订单不足于本月初停产，约60名员工担心年终工资和经济补偿无法结算，"
                        "已有员工在厂门口聚集。"},
        {"town": "香洲街道", "found": 9, "title": "香城华府部分业主拟集体拒交物业费", "type": None, "risk": "medium",
         "parties": [dict(person(rng, "applicant", "香洲街道", day), note="业主代表")], "then": None,
         "description": "小区电梯长期故障未修，部分业主在业主群中倡议年底集体拒交物业费，物业公司称将停止保洁服务。"},
        {"town": "东涌镇", "found": 7, "title": "自建房装修工人与业主工钱纠纷苗头", "type": wage_type, "risk": "medium",
         "parties": [dict(person(rng, "applicant", "东涌镇", day), note="装修班组长")], "then": None,
         "description": "装修班组6人称业主以质量问题为由扣留尾款约2万元，双方多次争吵。"},
    ]


def _create_campaign(day: dt.date, set_to) -> ScreeningCampaign:
    from app.reports.scope import report_scope
    from app.services import screening as svc

    start = day - dt.timedelta(days=18)
    set_to(_at(start, 9, 0))
    actor = _actor(DISTRICT_CLERK)
    areas = [a.id for a in db.session.scalars(select(Area).where(Area.name.in_(sorted(TOWNS))))]
    centres = svc.offered_centres(areas)
    values = svc.CampaignInput(
        title=campaign_title(day), focus=FOCUS, starts_on=start, ends_on=day + dt.timedelta(days=40),
        area_ids=areas, dispute_type=_wage_type(),
        tasks=[svc.TaskInput(c.id, INSTRUCTIONS, day + dt.timedelta(days=20)) for c in centres])
    return svc.create_campaign(actor, report_scope(actor), values)


def _register(hazard: Hazard, login: str, rng: random.Random, day: dt.date) -> Case | None:
    """Register the hazard as a case through the one registration path (as its API does)."""
    from app.demo_parties import payload
    from app.intake.payload import flatten
    from app.services.hazard_intake import converting, intake_payload
    from app.services.intake import intake_form, register_unless_duplicate
    from app.services.scope import write_scope

    state = current_app.extensions["jiefen"]
    if not hazard.dispute_type or not state.dispatcher.is_type_enabled(hazard.dispute_type):
        return None
    actor = _actor(login)
    varied = payload(rng, hazard.dispute_type, dict(state.registry.samples[hazard.dispute_type]), day, hazard.area.name)
    body = intake_payload(hazard, {"intake": varied["intake"], "claim_amount": "142000.00", "channel": "grid"})
    form = intake_form(hazard.dispute_type, flatten(body), api=True, scope=write_scope(actor))
    if not form.validate():
        raise RuntimeError(f"demo hazard registration is invalid: {form.errors}")
    outcome = register_unless_duplicate(form, hazard.dispute_type, actor, True, channel="grid",
                                        before_commit=converting(hazard, actor))
    return outcome.case


def _rate(case: Case, login_or_user, level: str, reasons: str) -> None:
    from app.lifecycle.risk import rate_risk

    actor = _actor(login_or_user) if isinstance(login_or_user, str) else login_or_user
    g.user = actor
    rate_risk(case, actor, level, reasons, case.version)


RATINGS = [  # level, reasons: the screening cases of the year, oldest first
    ("high", "申请人情绪激动，多次扬言到区政府上访；涉及多名家庭成员，存在矛盾激化风险。"),
    ("medium", "双方分歧较大但均同意调解，需关注履行能力。"),
    ("low", "事实清楚、争议金额小，双方均有和解意愿。"),
]


def load_screening_demo() -> str:
    """The campaign, its hazards and tasks, and the risk ratings; once."""
    from app.demo_story import replay_clock
    from app.reports.scope import report_scope
    from app.services import hazards as hz
    from app.services import screening as svc

    day = today()
    if db.session.scalars(select(ScreeningCampaign.id).where(ScreeningCampaign.focus == FOCUS)).first():
        return "Screening demo already present."
    rng = random.Random(SEED)
    registered = None
    with current_app.test_request_context(), force_locale("zh_CN"), replay_clock() as set_to:
        campaign = _create_campaign(day, set_to)
        wage_type = _wage_type()
        stories = _hazards(day, rng, wage_type) + [
            {"town": OUTSIDE_TOWN[0], "found": 6, "title": "海鲜市场摊位租金上涨引发摊主不满", "type": None, "risk": "low",
             "parties": [], "then": None, "campaign": False,
             "description": "市场管理方通知明年摊位租金上涨三成，十余名摊主联名反对。"}]
        clerks = dict(TOWNS, **{OUTSIDE_TOWN[0]: OUTSIDE_TOWN[1]})
        steps = []  # (moment, order, step): replayed in the order they happened
        for story in stories:
            found = day - dt.timedelta(days=story["found"])
            steps.append((_at(found, 10, 20), len(steps), ("record", story, found)))
            if story["then"] == "register":
                steps.append((_at(found + dt.timedelta(days=2), 9, 30), len(steps), ("register", story, found)))
            elif story["then"] == "dissolve":
                steps.append((_at(found + dt.timedelta(days=7), 14, 30), len(steps), ("dissolve", story, found)))
        steps.append((_at(day - dt.timedelta(days=2), 17, 0), len(steps), ("report", None, None)))
        recorded = {}
        for moment, _n, (what, story, found) in sorted(steps, key=lambda s: s[:2]):
            set_to(moment)
            if what == "record":
                actor = _actor(clerks[story["town"]])
                area = db.session.scalars(select(Area).where(Area.name == story["town"])).first()
                if area is None or actor is None:
                    continue
                recorded[story["title"]] = hz.record_hazard(actor, hz.HazardInput(
                    title=story["title"], description=story["description"], area_id=area.id, found_on=found,
                    risk_level=story["risk"], dispute_type=story["type"],
                    campaign_id=campaign.id if story.get("campaign", True) else None, parties=story["parties"])).id
            elif what == "register" and story["title"] in recorded:
                hazard = db.session.get(Hazard, recorded[story["title"]])
                registered = _register(hazard, clerks[story["town"]], rng, found + dt.timedelta(days=2))
                if registered is not None:
                    set_to(moment + dt.timedelta(minutes=45))
                    _rate(registered, clerks[story["town"]], "high",
                          "12名务工人员集体讨薪，有到区政府聚集的苗头；欠薪金额较大，需联合人社部门处置。")
            elif what == "dissolve" and story["title"] in recorded:
                hz.dissolve(db.session.get(Hazard, recorded[story["title"]]), _actor(clerks[story["town"]]),
                            "经镇综治中心组织双方协商，冷库负责人按实际工作量结算劳务费，雇工表示认可。")
            elif what == "report":  # 红草镇 reports its task done
                actor = _actor(TOWNS["红草镇"])
                centre = db.session.scalars(select(Organization).where(Organization.name == "红草镇综治中心")).first()
                task = next((t for t in campaign.tasks if centre is not None and t.organization_id == centre.id), None)
                if task is not None:
                    svc.report_task(task, actor, "走访在建工地3个、用工企业14家、渔港冷库2家，发现欠薪隐患1件，已化解；"
                                                 "建立欠薪隐患台账并每周更新。", done=True)
    with current_app.test_request_context(), force_locale("zh_CN"):
        # a few cases being screened are rated now, by whoever is responsible for them
        rated = 0
        screening = db.session.scalars(
            select(Case).where(Case.status.in_(("registered", "screening")), Case.risk_level.is_(None),
                               Case.responsible_staff_id.is_not(None))
            .order_by(Case.created_at, Case.id).limit(len(RATINGS))).all()
        for case, (level, reasons) in zip(screening, RATINGS):
            if case.created_at is not None and report_scope(case.responsible_staff).kind != "partner":
                _rate(case, case.responsible_staff, level, reasons)
                rated += 1
    hazards = db.session.scalar(select(func.count(Hazard.id)))
    return (f"Screening demo: 1 campaign ({len(campaign.tasks)} tasks), {hazards} hazards"
            f"{', 1 registered as a case' if registered is not None else ''}, {rated + bool(registered)} cases rated.")
