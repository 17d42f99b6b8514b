"""Demo data for early warning (预警): two sensitive periods, a cluster of wage-arrears cases in
红草镇 registered over the last days through the intake service, one scan, and one alert
acknowledged by the town's clerk with a note — so a new user of ``make run`` finds alerts on the
Alerts page and on My work.

The cluster raises what such a week would raise: a spike of the type in the town, a group
dispute (six workers on one side of one case), a repeat party (the workers' representative in
three open cases), many cases against one employer, and — the current period being sensitive —
the group dispute during it; the wage type's own plugin rule too when it declares one. The type
is recognised from what it declares (:mod:`app.demo_kinds`), never by its code.

Call :func:`load_warning_demo` after :func:`app.demo.load_demo` (it needs the areas, centres,
people and the year of cases). It runs once: a second call finds its period and does nothing.
"""
from __future__ import annotations

import datetime as dt
import random

from flask import current_app, g
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import appbuilder, db
from app.models.area import Area
from app.models.organization import Organization
from app.models.warning import Alert, SensitivePeriod
from app.services.clock import court_zone, today

TOWN = "红草镇"
EMPLOYER = "汕尾市城区鸿达制衣厂（演示）"
CLERK = "clerk_hongcao"
SPRING_FESTIVAL = ("2027年春节前后", dt.date(2027, 1, 25), dt.date(2027, 2, 21),
                   "春节前后农民工返乡集中，欠薪、劳务费纠纷易集中爆发；各镇街每日排查在建工地和用工企业。")
YEAR_END = "岁末年初欠薪矛盾集中期"
YEAR_END_NOTE = "年终岁末工资结算集中，重点关注拖欠工资、群体性讨薪苗头。"
ACK_NOTE = "已联系镇人社所和劳动保障监察中队，明日上午到厂核实欠薪人数和金额，并约企业负责人到中心调解。"
SEED = 20270125
SCAN_DAYS_AGO = 4  # the cluster's last day, and the evening of the scan


def _periods(day: dt.date) -> None:
    name, starts, ends, note = SPRING_FESTIVAL
    db.session.add(SensitivePeriod(name=name, starts_on=starts, ends_on=ends, area_id=None, note=note))
    # the current one, so that today's scan already watches it
    db.session.add(SensitivePeriod(name=YEAR_END, starts_on=day - dt.timedelta(days=20),
                                   ends_on=day + dt.timedelta(days=60), area_id=None, note=YEAR_END_NOTE))
    db.session.commit()


def _wage_cases(day: dt.date) -> int:
    """Five wage-arrears cases against one employer in 红草镇 over five days ending on ``day``,
    registered by the town's clerk through the intake service at their moments (the clock moved)."""
    from app.demo_kinds import types_of
    from app.demo_parties import credit_code, mobile, person
    from app.demo_story import replay_clock
    from app.intake.payload import flatten
    from app.services.intake import intake_form, register_case
    from app.services.scope import ANYWHERE

    registry = current_app.extensions["jiefen"].registry
    wage_types = [t for t in types_of("wages") if current_app.extensions["jiefen"].dispatcher.is_type_enabled(t)]
    area = db.session.scalars(select(Area).where(Area.name == TOWN)).first()
    centre = db.session.scalars(select(Organization).where(Organization.name == f"{TOWN}综治中心")).first()
    clerk = appbuilder.sm.find_user(username=CLERK)
    if not wage_types or area is None or centre is None or clerk is None:
        return 0
    dispute_type = wage_types[0]
    g.user = clerk  # signed in for the steps, so the audit log names the clerk (as app.demo_story does)
    sample = dict(registry.samples.get(dispute_type) or {})
    if "claim_wage_arrears" not in sample:
        return 0
    rng = random.Random(SEED)
    employer = {"kind": "organization", "role": "respondent", "name": EMPLOYER, "id_number": credit_code(rng),
                "mobile": mobile(rng), "address": f"汕尾市城区{TOWN}工业大道88号"}
    representative = person(rng, "applicant", TOWN, day, surname="陈")
    registered = 0
    with replay_clock() as set_to:
        for n in range(5):
            on = day - dt.timedelta(days=4 - n)
            workers = [representative] if n in (0, 2, 4) else []
            workers += [person(rng, "applicant", TOWN, on) for _ in range((6 if n == 0 else 2) - len(workers))]
            intake = dict(sample, employer=EMPLOYER, employer_credit_code=employer["id_number"],
                          claim_wage_arrears=True, arbitration_started=False, arbitration_case_no="",
                          mediation_applied_on=on.isoformat(), employment_end=None)
            intake = {k: v for k, v in intake.items() if v is not None}
            data = {
                "title": f"{workers[0]['name']}等{len(workers)}人与{EMPLOYER}劳动争议",
                "description": f"{workers[0]['name']}等{len(workers)}名工人反映{EMPLOYER}拖欠2026年9月至11月工资，"
                               f"到{TOWN}综治中心申请调解。",
                "claim_amount": str(9600 * len(workers)),
                "area_id": area.id, "organization_id": centre.id, "channel": "window",
                "parties": [dict(w) for w in workers] + [dict(employer)],
                "intake": intake,
            }
            set_to(dt.datetime.combine(on, dt.time(9, 30 + 5 * n), court_zone()).astimezone(dt.timezone.utc))
            form = intake_form(dispute_type, flatten(data), api=True, scope=ANYWHERE)
            if not form.validate():
                raise RuntimeError(f"demo wage case {n + 1} is invalid: {form.errors}")
            register_case(form, dispute_type, clerk)
            registered += 1
    return registered


def _acknowledge_one() -> bool:
    """The town's clerk acknowledges the group dispute, saying what the centre is doing."""
    from app.warnings.alerts import acknowledge

    clerk = appbuilder.sm.find_user(username=CLERK)
    alert = db.session.scalars(select(Alert).where(Alert.rule == "core.group_parties", Alert.status == "open")
                               .order_by(Alert.id.desc())).first()
    if alert is None or clerk is None:
        return False
    g.user = clerk
    acknowledge(alert, clerk, ACK_NOTE, alert.version)
    return True


def load_warning_demo() -> str:
    """Sensitive periods, the wage cluster, a scan and one acknowledged alert; once."""
    from app.warnings.scan import scan

    if db.session.scalars(select(SensitivePeriod.id).where(SensitivePeriod.name == SPRING_FESTIVAL[0])).first():
        return "Warning demo already present."
    from app.demo_story import replay_clock

    # The week ends a few days ago, so that last week's joint meeting (app.demo_meetings) can
    # discuss what the scan raised on its last evening.
    day = today() - dt.timedelta(days=SCAN_DAYS_AGO)
    with current_app.test_request_context(), force_locale("zh_CN"):
        _periods(today())
        cases = _wage_cases(day)
        with replay_clock() as set_to:
            set_to(dt.datetime.combine(day, dt.time(17, 30), court_zone()).astimezone(dt.timezone.utc))
            summary = scan()
            set_to(dt.datetime.combine(day, dt.time(17, 50), court_zone()).astimezone(dt.timezone.utc))
            acknowledged = _acknowledge_one()
    return (f"Warning demo: 2 sensitive periods, {cases} wage cases, {summary.total('raised')} alerts raised"
            f"{', 1 acknowledged' if acknowledged else ''}.")
