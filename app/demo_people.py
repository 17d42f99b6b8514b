"""Demo people: the mediator pool and a team, the district's leader, the clerks of every centre, a court clerk, two
judges with their weekly duty, partner liaisons — and a login for every one of them.

Every login gets a random password nobody is told: the administrator sets one (Security →
List Users → reset password) when the person starts. A mediator's login is linked to their pool
record by the pool's own service (:func:`app.services.mediator_accounts.link_login`), as on the
pool page, which gives it the Mediator role and a membership of the mediator's affiliation.
"""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.demo_kinds import partner_org_code, types_of
from app.extensions import appbuilder, db
from app.models.area import Area
from app.models.duty import DutyPattern
from app.models.mediator import MediationTeam, Mediator, TeamMember, TrainingRecord
from app.models.membership import Membership
from app.models.organization import Organization
from app.services.settings import today

# name, login, employment, engagement, organisation code, specialties (the demo's kinds of dispute,
# app.demo_kinds: stored as the installed types of those kinds), areas, certificate, register years, status
MEDIATORS = [
    ("陈秀兰", "med_chenxl", "full_time", "resident", "district-committee", ["support", "estate_fees"],
     ["香洲街道", "凤山街道"], "粤汕调证2024001", 3, None),
    ("郑志明", "med_zhengzm", "full_time", "resident", "mediation-company", ["accident", "loan"], ["汕尾市城区"],
     "粤汕调证2024002", 3, None),
    ("李卫东", "med_liwd", "part_time", "invited", "district-committee", ["wages", "loan"], ["新港街道", "马宫街道"],
     "粤汕调证2023015", 4, None),
    ("黄美玲", "med_huangml", "part_time", "invited", "district-committee", ["clinic"], ["汕尾市城区"],
     "粤汕调证2025007", 3, None),
    ("蔡振华", "med_caizh", "full_time", "resident", "mediation-company", ["purchase", "estate_fees"],
     ["红草镇", "东涌镇", "捷胜镇"], "粤汕调证2025011", 3, None),
    ("吴少芬", "med_wusf", "part_time", "invited", "district-committee", ["support"], ["香洲街道"], "粤汕调证2022031", 4,
     "年度考核待复核，暂停接案（演示）"),
    ("许晓东", "med_xuxd", "full_time", "resident", "centre-T05", ["accident", "wages", "support"],
     ["红草镇", "东涌镇"], "粤汕调证2024018", 3, None),
    ("欧阳娜娜", "med_ouyangnn", "part_time", "invited", "centre-T07", ["purchase", "support", "clinic"],
     ["捷胜镇", "马宫街道"], "粤汕调证2025020", 3, None),
    ("刘建国", "med_liujg", "full_time", "resident", "court-mediation", ["accident", "loan", "estate_fees", "wages"],
     ["汕尾市城区"], "粤汕调证2023002", 4, None),
]

# login, surname, given name, organisation code, title: leadership reads the district's figures
LEADERS = [
    ("leader_district", "周", "国强", "district-centre", "综治中心主任"),
]

# login, surname, given name, organisation code, title, centre lead
CLERKS = [
    ("clerk_xiangzhou", "林", "婉婷", "centre-T01", "窗口工作人员", True),
    ("clerk_fengshan", "黄", "佩珊", "centre-T02", "窗口工作人员", True),
    ("clerk_xingang", "陈", "俊杰", "centre-T03", "窗口工作人员", True),
    ("clerk_magong", "吴", "雪梅", "centre-T04", "窗口工作人员", True),
    ("clerk_hongcao", "彭", "家豪", "centre-T05", "窗口工作人员", True),
    ("clerk_dongyong", "庄", "晓玲", "centre-T06", "窗口工作人员", True),
    ("clerk_jiesheng", "卢", "振宇", "centre-T07", "窗口工作人员", True),
    ("clerk_district", "钟", "慧敏", "district-window", "接待窗口负责人", True),
    ("clerk_court_med", "苏", "嘉欣", "court-mediation", "诉前调解中心书记员", False),
    ("clerk_court", "余", "子轩", "court-civil", "书记员", False),
]
COURT_CLERK = "clerk_court"  # records the acceptance and ruling of judicial confirmation
COURT_MEDIATION_CLERK = "clerk_court_med"  # registers court-entrusted cases

# login, surname, given name, membership code, weekday (Monday 0), span, centre code
JUDGES = [
    ("judge_chen", "陈", "明", "court-civil", 1, "full", "centre-T05"),  # every Tuesday at 红草镇
    ("judge_lin", "林", "芳", "court-filing", 3, "am", "centre-T01"),  # Thursday mornings at 香洲街道
]

# login, surname, given name, (demo kind of dispute, the partner its type declares), title;
# the partner's organisation is the one ``jiefen setup`` seeds (app.demo_kinds.partner_org_code)
LIAISONS = [
    ("police_liaison", "郑", "警官", ("accident", "police-brigade"), "联络员"),
    ("market_liaison", "何", "雅琪", ("purchase", "market-regulation"), "联络员"),
    ("hrss_liaison", "谢", "国平", ("wages", "hrss-bureau"), "联络员"),
]


def _org(code: str) -> Organization:
    return db.session.scalars(select(Organization).where(Organization.code == code)).one()


def unknown_password_hash() -> str:
    """The hash of a random password that is shown to nobody: nobody can sign in with it until
    the administrator sets a password (which FAB then hashes its usual, slow way)."""
    # 256 random bits cannot be guessed whatever the hash costs, so a light PBKDF2 stands in
    # for FAB's scrypt, which takes a third of a second per login (two dozen logins: 8 s of setup).
    return generate_password_hash(secrets.token_urlsafe(32), method="pbkdf2:sha256:1000")


def _user(username: str, surname: str, given: str, role_name: str, org: Organization | None, title: str = "",
          lead: bool = False):
    """The user ``username`` with ``role_name`` and a membership of ``org``; made when missing."""
    sm = appbuilder.sm
    user = sm.find_user(username=username)
    if user is not None:
        return user
    user = sm.add_user(username=username, first_name=given, last_name=surname, email=f"{username}@jiefen.invalid",
                       role=sm.find_role(role_name), hashed_password=unknown_password_hash())
    if org is not None:
        db.session.add(Membership(user_id=user.id, organization_id=org.id, title=title, lead=lead))
        db.session.commit()
    return user


def load_mediators() -> int:
    """The pool, its training and one team; nothing is added twice. Returns the mediators added."""
    if db.session.scalars(select(Mediator.id).limit(1)).first() is not None:
        return 0
    areas = {a.name: a for a in db.session.scalars(select(Area))}
    # On the register since the start of last year: the demo's cases go back twelve months.
    start = dt.date(today().year - 1, 1, 1)
    made = {}
    for name, _login, employment, engagement, org, specialties, served, cert, years, suspended in MEDIATORS:
        mediator = Mediator(
            name=name, employment=employment, engagement=engagement, organization=_org(org),
            specialties=[t for kind in specialties for t in types_of(kind)],
            areas=[areas[a] for a in served], certificate_no=cert,
            register_entered_on=start, register_expires_on=start.replace(year=start.year + years) - dt.timedelta(days=1),
            status="suspended" if suspended else "active", status_reason=suspended,
        )
        mediator.trainings.append(
            TrainingRecord(held_on=start.replace(month=3, day=15), hours=4, topic="人民调解实务与法律适用",
                           organizer="汕尾市城区司法局、城区人民法院联合举办")
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


def load_mediator_logins(actor=None) -> int:
    """A login (role Mediator) for every demo mediator that has none; returns how many were made."""
    from app.services.mediator_accounts import link_login, split_name

    logins = {row[0]: row[1] for row in MEDIATORS}
    made = 0
    waiting = db.session.scalars(select(Mediator).where(Mediator.user_id.is_(None)).order_by(Mediator.id)).all()
    for mediator in waiting:
        username = logins.get(mediator.name)
        if username is None or appbuilder.sm.find_user(username=username) is not None:
            continue  # not a demo mediator, or an administrator has used the name meanwhile
        surname, given = split_name(mediator.name)
        _user(username, surname, given, "Mediator", None)
        link_login(mediator, username, actor)  # role Mediator, membership of the affiliation, audited
        made += 1
    return made


def load_staff() -> int:
    """Leadership, clerks of every centre, the court's clerks and the partner liaisons; returns
    the users made."""
    before = len(appbuilder.sm.get_all_users())
    for username, surname, given, org, title in LEADERS:
        _user(username, surname, given, "Leadership", _org(org), title)
    for username, surname, given, org, title, lead in CLERKS:
        _user(username, surname, given, "Clerk", _org(org), title, lead)
    for username, surname, given, (kind, declared), title in LIAISONS:
        code = partner_org_code(kind, declared)
        partner = db.session.scalars(select(Organization).where(Organization.code == code)).first() if code else None
        if partner is not None:  # its plugin is installed
            _user(username, surname, given, "Partner", partner, title)
    return len(appbuilder.sm.get_all_users()) - before


def load_judges() -> int:
    """Two judges with memberships and a weekly duty for the next three months."""
    from app.services.duty import add_pattern

    added = 0
    for username, surname, given, member_of, weekday, span, centre in JUDGES:
        if appbuilder.sm.find_user(username=username) is None:
            added += 1
        user = _user(username, surname, given, "Judge", _org(member_of), "法官")
        if db.session.scalars(select(DutyPattern.id).where(DutyPattern.judge_id == user.id)).first() is None:
            start = today()
            add_pattern(user.id, _org(centre).id, weekday, span, start, start + dt.timedelta(weeks=12))
    return added


def load_people(actor=None) -> None:
    """Everyone of the demo, with their logins (idempotent)."""
    load_mediators()
    load_mediator_logins(actor)
    load_staff()
    load_judges()


def user(username: str):
    """A demo user by login name."""
    return appbuilder.sm.find_user(username=username)
