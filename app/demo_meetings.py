"""Demo data for joint analysis meetings (联席研判): one meeting of the district last week,
convened by the district's governance centre, that discussed two open cases (and an alert and
a hazard when the demo has any from before that day), with two follow-ups — one reported done
by the court's clerk, one still open on the 香洲街道 centre's clerk's My work.

Recorded through the meetings' own services (:mod:`app.services.meeting_records`) with the
application's clock set to the meeting day, as a clerk would have recorded it; nothing is
backdated afterwards. Run after the people, the cases, the screening and the warning demos.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import appbuilder, db
from app.lifecycle.machine import OPEN_STATES
from app.models.area import Area
from app.models.case import Case
from app.models.meeting import JointMeeting
from app.models.organization import Organization
from app.models.screening import Hazard
from app.models.warning import Alert
from app.services import clock
from app.services import meeting_records as records

CONVENER = "district-centre"
PARTICIPANTS = ["centre-T01", "centre-T05", "court-civil", "court-mediation"]
RECORDER = "clerk_district"  # the district's reception window (a court body): records the district's meetings
OPEN_OWNER = "clerk_xiangzhou"
DONE_OWNER = "clerk_court"


def meeting_day(today: dt.date) -> dt.date:
    """The latest weekday one to three days before ``today``: after the warning demo's scan
    (app.demo_warning.SCAN_DAYS_AGO), so the meeting discusses what it raised."""
    day = today - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.court_zone()).astimezone(dt.timezone.utc)


def _org(code: str):
    return db.session.scalars(select(Organization).where(Organization.code == code)).one_or_none()


def _cases_before(day: dt.date) -> list[Case]:
    """Two cases open today and registered before ``day``: one of 香洲街道, one elsewhere when there is one."""
    before = _at(day, 0)
    query = select(Case).where(Case.created_at < before, Case.status.in_(sorted(OPEN_STATES)))
    xiangzhou = db.session.scalars(select(Area.id).where(Area.name == "香洲街道")).first()
    picked = []
    for clause in (Case.area_id == xiangzhou, Case.area_id != xiangzhou):
        case = db.session.scalars(query.where(clause).order_by(Case.created_at.desc(), Case.id.desc()).limit(1)).first()
        if case is not None:
            picked.append(case)
    return picked


def _alert_before(day: dt.date):
    return db.session.scalars(select(Alert).where(Alert.first_seen_at < _at(day, 9))
                              .order_by(Alert.first_seen_at.desc(), Alert.id.desc()).limit(1)).first()


def _hazard_before(day: dt.date):
    return db.session.scalars(select(Hazard).where(Hazard.found_on < day)
                              .order_by(Hazard.found_on.desc(), Hazard.id.desc()).limit(1)).first()


def load_meetings_demo() -> str:
    """Record the demo meeting once (nothing when a meeting exists or the demo's places are missing)."""
    if db.session.scalar(select(func.count(JointMeeting.id))):
        return "Demo meetings already present."
    sm = appbuilder.sm
    convener = _org(CONVENER)
    actor = sm.find_user(username=RECORDER) or sm.find_user(username="admin")
    open_owner, done_owner = sm.find_user(username=OPEN_OWNER), sm.find_user(username=DONE_OWNER)
    if convener is None or actor is None or open_owner is None or done_owner is None:
        return "Demo meetings skipped: load the demo's places and people first."
    real_today = clock.today()
    day = meeting_day(real_today)
    participants = [o for o in (_org(code) for code in PARTICIPANTS) if o is not None]
    partners = db.session.scalars(select(Organization).where(Organization.kind == "partner_agency",
                                                             Organization.active.is_(True))
                                  .order_by(Organization.name, Organization.id).limit(2)).all()
    from app.demo_story import replay_clock

    with current_app.test_request_context(), force_locale("zh_CN"), replay_clock() as set_to:
        set_to(_at(day, 15, 30))
        meeting = records.record_meeting(actor, records.MeetingFacts(
            held_on=day, title=f"{day.year}年{day.month}月全区矛盾纠纷联席研判会", chair="周国强",
            organization_id=convener.id, place="汕尾市城区综治中心二楼会议室",
            participant_ids=[o.id for o in participants + list(partners)],
            summary="本月全区新登记矛盾纠纷以交通事故、物业服务和劳动报酬纠纷为主，岁末年初欠薪纠纷有上升苗头；"
                    "香洲街道、红草镇个别案件涉及人数较多，需提前介入。",
            decisions="一、对涉众、涉稳案件实行台账管理，逐案明确责任单位和化解时限。\n"
                      "二、法院民事审判庭对重点案件开展诉前调解指导，必要时组织司法确认。\n"
                      "三、各镇（街道）综治中心每周报送化解进展。"))
        notes = ["当事人情绪稳定，建议由属地综治中心牵头调解。", "涉及人数较多，建议法院提前介入指导。"]
        for case, note in zip(_cases_before(day), notes):
            records.add_item(actor, meeting, "case", case.case_no, note)
        alert, hazard = _alert_before(day), _hazard_before(day)
        if alert is not None:
            records.add_item(actor, meeting, "alert", str(alert.id), "持续关注，按预警规则跟进处置。")
        if hazard is not None:
            records.add_item(actor, meeting, "hazard", str(hazard.id), "属地综治中心负责跟踪稳控。")
        records.add_task(actor, meeting, "对重点案件开展诉前调解指导，形成指导意见。", done_owner.id,
                         day + dt.timedelta(days=10))
        # due a few days after today: on the clerk's My work, not yet overdue
        records.add_task(actor, meeting, "走访香洲街道涉事物业小区，摸清业主诉求并报送化解方案。", open_owner.id,
                         max(real_today + dt.timedelta(days=5), day))
        done = next(t for t in meeting.tasks if t.owner_id == done_owner.id)
        set_to(_at(day, 17, 45))  # reported the same afternoon, before the minutes went out
        records.mark_done(done_owner, done, "已对两件重点案件开展诉前调解指导，形成书面指导意见。")
    return f"Demo meeting of {day.isoformat()} recorded."
