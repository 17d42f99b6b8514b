"""Demo people: a mediator pool, a mediation team, two judges and their weekly duty."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from app.extensions import appbuilder, db
from app.models.area import Area
from app.models.duty import DutyPattern
from app.models.mediator import MediationTeam, Mediator, TeamMember, TrainingRecord
from app.models.membership import Membership
from app.models.organization import Organization
from app.services.settings import today

# name, employment, engagement, organisation code, specialties, areas, certificate, register years, status
MEDIATORS = [
    ("陈秀兰", "full_time", "resident", "district-committee", ["family", "property"], ["香洲街道", "凤山街道"], "粤汕调证2024001", 3, None),
    ("郑志明", "full_time", "resident", "mediation-company", ["traffic", "debt"], ["汕尾市城区"], "粤汕调证2024002", 3, None),
    ("李卫东", "part_time", "invited", "district-committee", ["labour", "debt"], ["新港街道", "马宫街道"], "粤汕调证2023015", 4, None),
    ("黄美玲", "part_time", "invited", "district-committee", ["medical"], ["汕尾市城区"], "粤汕调证2025007", 3, None),
    ("蔡振华", "full_time", "resident", "mediation-company", ["consumer", "property"], ["红草镇", "东涌镇", "捷胜镇"], "粤汕调证2025011", 3, None),
    ("吴少芬", "part_time", "invited", "district-committee", ["family"], ["香洲街道"], "粤汕调证2022031", 4, "年度考核待复核，暂停接案（演示）"),
]

# username, first name, last name, membership code, weekday (Monday 0), span, centre code
JUDGES = [
    ("judge_chen", "陈", "明", "court-civil", 1, "full", "centre-T05"),  # every Tuesday at 红草镇
    ("judge_lin", "林", "芳", "court-filing", 3, "am", "centre-T01"),  # Thursday mornings at 香洲街道
]


def _org(code: str) -> Organization:
    return db.session.scalars(select(Organization).where(Organization.code == code)).one()


def load_mediators() -> int:
    """The pool, its training and one team; nothing is added twice."""
    if db.session.scalars(select(Mediator.id).limit(1)).first() is not None:
        return 0
    areas = {a.name: a for a in db.session.scalars(select(Area))}
    start = today().replace(month=1, day=1)
    made = {}
    for name, employment, engagement, org, specialties, served, cert, years, suspended in MEDIATORS:
        mediator = Mediator(
            name=name, employment=employment, engagement=engagement, organization=_org(org),
            specialties=specialties, areas=[areas[a] for a in served], certificate_no=cert,
            register_entered_on=start, register_expires_on=start.replace(year=start.year + years) - dt.timedelta(days=1),
            status="suspended" if suspended else "active", status_reason=suspended,
        )
        mediator.trainings.append(
            TrainingRecord(held_on=start.replace(month=3, day=15) if start.replace(month=3, day=15) <= today() else start,
                           hours=4, topic="人民调解实务与法律适用", organizer="汕尾市城区司法局、城区人民法院联合举办")
        )
        db.session.add(mediator)
        made[name] = mediator
    team = MediationTeam(name="城区诉前调解团队（演示）", organization=_org("court-mediation"))
    team.members = [
        TeamMember(mediator=made["郑志明"], role="lead"),
        TeamMember(mediator=made["陈秀兰"], role="intake_followup"),
        TeamMember(mediator=made["李卫东"], role="analysis_guidance"),
    ]
    db.session.add(team)
    db.session.flush()
    team.lead_id = made["郑志明"].id
    db.session.commit()
    return len(made)


def load_judges() -> int:
    """Two judges with memberships and a weekly duty for the next three months."""
    from app.services.duty import add_pattern

    sm = appbuilder.sm
    role = sm.find_role("Judge")
    added = 0
    for username, first, last, member_of, weekday, span, centre in JUDGES:
        user = sm.find_user(username=username)
        if user is None:
            # A random password nobody is told: the administrator sets one when the judge starts.
            user = sm.add_user(username=username, first_name=first, last_name=last,
                               email=f"{username}@jiefen.invalid", role=role, password=secrets.token_urlsafe(24))
            db.session.add(Membership(user_id=user.id, organization_id=_org(member_of).id, title="法官"))
            db.session.commit()
            added += 1
        if db.session.scalars(select(DutyPattern.id).where(DutyPattern.judge_id == user.id)).first() is None:
            start = today()
            add_pattern(user.id, _org(centre).id, weekday, span, start, start + dt.timedelta(weeks=12))
    return added
