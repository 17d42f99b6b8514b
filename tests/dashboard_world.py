"""A fixed data set for the dashboard's golden tests, inserted directly (a seeded set for
aggregates, as docs/testing.md allows), and the figures computed from it by hand.

Today is Monday 2026-06-15, 10:00 China time. The range is 2026-04-01 – 2026-06-15 (76 days);
the previous range of the same length is 2026-01-15 – 2026-03-31.

Areas: the district D; towns A (village A1 with grid A1g) and B (village B1).
Bodies: centre A (area A), centre B (area B), the court's mediation centre, partners P1, P2.
Users: ``kit_clerk`` works for centre A, ``kit_judge`` for the court, ``kit_partner`` for P1.

Cases registered in the range (9):  c1 traffic A (04-01 00:30, i.e. 03-31 16:30 UTC), c2
traffic A1, c3 labour A1g, c4 labour B, c5 family B1, c6 family D (06-14 23:59), c10 property
B, c20 property A1, c22 consumer A (06-15 09:00). In the previous range (2): c7 debt A
(03-31 23:30), c8 debt B. Neither: c9 property A and the o-cases (2025-12-01), c21 consumer B
(01-14 23:00, the day before the previous range).
"""
from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

TODAY = dt.date(2026, 6, 15)
FROM, TO = "2026-04-01", "2026-06-15"
CHINA = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def china(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A China wall-clock time as the UTC instant stored."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), CHINA).astimezone(dt.timezone.utc)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# -- the figures, by hand ----------------------------------------------------------------------

DISTRICT = {
    "cases": {"total": 9, "previous": 2, "change_pct": 350.0},
    "by_type": {"traffic": (2, 0), "labour": (2, 0), "family": (2, 0), "property": (2, 0), "consumer": (1, 0),
                "debt": (0, 2)},
    # town: (this range, previous range); None: registered at the district itself
    "by_area": {"A": (5, 1), "B": (3, 1), None: (1, 0)},
    "by_month": [("2026-04", 4), ("2026-05", 2), ("2026-06", 3)],
    # c1, c9, c10, c20, o20 reached; c2, c4 failed (c8's agreement was in March)
    "mediation": {"concluded": 7, "reached": 5, "failed": 2, "success_rate": 71.4},
    # c3 4 d, c1 10 d, c2 20 d, c4 21 d, c20 30 d, c8 64 d (c6 merged: not resolved)
    "resolution": {"resolved": 6, "median_days": 20.5},
    # c7, c9, c10, o11, o16, o17, o18 (o19, medical, counts 30 working days: the engine's only)
    "overdue": 7,
    "visits": {"done": 4, "rated": 3, "average_satisfaction": 4.7, "distribution": {1: 0, 2: 0, 3: 0, 4: 1, 5: 2},
               "terms_checked": 3, "terms_performed": 2, "terms_performed_rate": 66.7},
    "confirmations": {"applied": 3, "confirmed": 1, "rejected": 1, "pending": 1},
    # partner: sent, answered, on time, overdue, median hours, average hours
    "referrals": {"P1": (5, 3, 2, 1, 48.0, 60.0), "P2": (2, 1, 1, 0, 6.0, 6.0)},
}
CENTRE_A = {
    "cases": {"total": 5, "previous": 1, "change_pct": 400.0},
    "by_type": {"traffic": (2, 0), "labour": (1, 0), "property": (1, 0), "consumer": (1, 0), "debt": (0, 1)},
    "by_area": {"A": (5, 1)},
    "by_month": [("2026-04", 3), ("2026-05", 1), ("2026-06", 1)],
    "mediation": {"concluded": 5, "reached": 4, "failed": 1, "success_rate": 80.0},  # c1, c9, c20, o20; c2
    "resolution": {"resolved": 4, "median_days": 15.0},
    "overdue": 5,  # c7, c9, o11, o16, o18
    "visits": {"done": 2, "rated": 2, "average_satisfaction": 4.5, "distribution": {1: 0, 2: 0, 3: 0, 4: 1, 5: 1},
               "terms_checked": 2, "terms_performed": 1, "terms_performed_rate": 50.0},
    "confirmations": {"applied": 2, "confirmed": 1, "rejected": 1, "pending": 0},
    "referrals": {"P1": (3, 3, 2, 0, 48.0, 60.0), "P2": (1, 1, 1, 0, 6.0, 6.0)},
}


# -- the data ----------------------------------------------------------------------------------


def seed() -> dict:
    """Insert the data set (inside an app context); the ids by name."""
    from app.extensions import appbuilder, db
    from app.lifecycle import core_rules as core
    from app.models import Area, Membership, Organization
    from app.models.case import Case
    from app.models.lifecycle import TimelineEvent
    from app.models.outcome import Agreement, JudicialConfirmation, ReturnVisit
    from app.models.referral import Referral
    from app.models.setting import Setting

    ids: dict = {}
    district = Area(name="汕尾市城区", level="district", code="441502")
    a = Area(name="香洲街道", level="town", parent=district)
    b = Area(name="凤山街道", level="town", parent=district)
    a1 = Area(name="二马路社区", level="village", parent=a)
    a1g = Area(name="二马路第一网格", level="grid", parent=a1)
    b1 = Area(name="凤苑社区", level="village", parent=b)
    centre_a = Organization(name="香洲街道综治中心", kind="governance_centre", area=a)
    centre_b = Organization(name="凤山街道综治中心", kind="governance_centre", area=b)
    court = Organization(name="城区法院诉讼服务中心", kind="court_mediation_centre", area=district)
    p1 = Organization(name="城区交警大队", kind="partner_agency", area=district)
    p2 = Organization(name="城区人社局", kind="partner_agency", area=district)
    db.session.add_all([district, a, b, a1, a1g, b1, centre_a, centre_b, court, p1, p2])
    db.session.flush()
    areas = {"D": district, "A": a, "B": b, "A1": a1, "A1g": a1g, "B1": b1}
    ids.update({key: area.id for key, area in areas.items()})
    ids.update(centre_a=centre_a.id, centre_b=centre_b.id, court=court.id, P1=p1.id, P2=p2.id)

    sm = appbuilder.sm
    for username, org in (("kit_clerk", centre_a), ("kit_judge", court), ("kit_partner", p1)):
        user = sm.find_user(username=username)
        if user is not None:
            db.session.add(Membership(user_id=user.id, organization_id=org.id))

    cases: dict[str, Case] = {}

    def case(name, dispute_type, area, status, created, closed=None, track="pre_filing", **extra):
        row = Case(case_no=f"（2026）汕城解第9{next(_numbers):04d}号", dispute_type=dispute_type, status=status,
                   track=track, title=f"看板测试{name}", area_id=areas[area].id, intake_data=extra.pop("intake", {}),
                   created_at=created, closed_at=closed, **extra)
        db.session.add(row)
        db.session.flush()
        cases[name] = row
        return row

    def step(name, at, to_state=None, action=None, kind="transition", data=None):
        db.session.add(TimelineEvent(case_id=cases[name].id, at=at, kind=kind, action=action or to_state or "step",
                                     to_state=to_state, data=data or {}))

    # registered in the range / the previous range
    case("c1", "traffic", "A", "closed", china("2026-04-01", 0, 30), china("2026-04-11", 0, 30))
    step("c1", china("2026-04-05"), "agreement_reached")
    case("c2", "traffic", "A1", "closed", china("2026-04-10", 9), china("2026-04-30", 9))
    step("c2", china("2026-04-20"), "mediation_failed")
    case("c3", "labour", "A1g", "withdrawn", china("2026-05-05"), china("2026-05-09"))
    case("c4", "labour", "B", "transferred", china("2026-05-20"), china("2026-06-10"))
    step("c4", china("2026-06-01"), "mediation_failed")
    case("c5", "family", "B1", "in_mediation", china("2026-06-01"))
    step("c5", china("2026-06-02"), "mediation_accepted")  # 20 days (the setting below): due 06-22
    case("c6", "family", "D", "merged", china("2026-06-14", 23, 59), china("2026-06-15", 9))
    case("c7", "debt", "A", "in_mediation", china("2026-03-31", 23, 30))
    step("c7", china("2026-04-20"), "mediation_accepted")  # 30 days: due 05-20, overdue
    case("c8", "debt", "B", "closed", china("2026-02-10"), china("2026-04-15"))
    step("c8", china("2026-03-20"), "agreement_reached")
    case("c9", "property", "A", "agreement_reached", china("2025-12-01"))
    step("c9", china("2026-05-08"), "agreement_reached")
    case("c10", "property", "B", "judicial_confirmation", china("2026-04-20"))
    step("c10", china("2026-06-05"), "agreement_reached")
    case("c20", "property", "A1", "transferred", china("2026-04-15"), china("2026-05-15"))
    step("c20", china("2026-04-25"), "agreement_reached")
    case("c21", "consumer", "B", "registered", china("2026-01-14", 23))
    case("c22", "consumer", "A", "registered", china("2026-06-15", 9))

    # periods only (registered before both ranges)
    old = china("2025-12-01")
    case("o11", "consumer", "A", "in_mediation", old)
    step("o11", china("2026-05-01"), "mediation_accepted")  # due 05-31, a Sunday: 06-01, overdue
    case("o12", "consumer", "B", "scheduled", old)
    step("o12", china("2026-05-14"), "mediation_accepted")  # due 06-13, a Saturday: 06-15, not yet
    case("o13", "debt", "A", "in_mediation", old)
    step("o13", china("2026-05-01"), "mediation_accepted")
    step("o13", china("2026-05-25"), kind="deadline", action="period_extended",
         data={"rule": core.PRE_FILING, "days": 30, "due_before": "2026-06-01"})  # due 06-30
    case("o14", "debt", "B", "in_mediation", old)
    step("o14", china("2026-05-01"), "mediation_accepted")
    step("o14", china("2026-05-10"), kind="deadline", action="period_suspended",
         data={"rule": core.PRE_FILING, "on": "2026-05-10", "reason": "appraisal"})
    step("o14", china("2026-05-25"), kind="deadline", action="period_resumed",
         data={"rule": core.PRE_FILING, "on": "2026-05-25"})  # 15 days more: due 06-15, today
    case("o15", "debt", "B", "in_mediation", old)
    step("o15", china("2026-04-01"), "mediation_accepted")
    step("o15", china("2026-04-10"), kind="deadline", action="period_suspended",
         data={"rule": core.PRE_FILING, "on": "2026-04-10", "reason": "appraisal"})  # still suspended
    case("o16", "traffic", "A", "in_mediation", old, track="court_entrusted", procedure="simplified")
    step("o16", china("2026-06-01"), kind="assignment", action="accept_offer")  # 7 days: 06-08, overdue
    case("o17", "family", "B", "in_mediation", old)
    step("o17", china("2026-05-20"), "mediation_accepted")  # 20 days from 05-15's setting: 06-09, overdue
    case("o18", "labour", "A", "screening", old, intake={"mediation_applied_on": "2026-05-01"})  # 15 days
    case("o19", "medical", "A", "in_mediation", old)
    step("o19", china("2026-04-01"), "mediation_accepted")  # 30 working days: the engine's only
    case("o20", "debt", "A", "agreement_reached", old)
    step("o20", china("2026-05-01"), "agreement_reached")  # oral: no confirmation to apply for
    db.session.add(Setting(key=core.PREFILING_DAYS, value="20", valid_from=_day("2026-05-15"), source="测试"))

    def agreement(name, effective, form="written"):
        db.session.add(Agreement(case_id=cases[name].id, form=form, template_code="" if form == "oral" else "core",
                                 committee="香洲街道人民调解委员会", mediator_name="陈调解",
                                 drafted_on=_day(effective), effective_on=_day(effective)))

    agreement("c9", "2026-05-10")  # 30 days to apply: 06-09, overdue
    agreement("o20", "2026-05-01", form="oral")

    def confirmation(name, applied, result="pending", accepted=None):
        db.session.add(JudicialConfirmation(case_id=cases[name].id, applied_on=_day(applied), result=result,
                                            accepted_on=_day(accepted) if accepted else None))

    confirmation("c10", "2026-06-08")  # 3 days to accept: 06-11, overdue
    confirmation("c1", "2026-04-06", "confirmed", "2026-04-07")
    confirmation("c20", "2026-04-28", "rejected", "2026-04-29")
    confirmation("c8", "2026-03-25", "confirmed", "2026-03-26")  # the previous range

    def visit(name, done, score, performed):
        db.session.add(ReturnVisit(case_id=cases[name].id, scheduled_for=_day(done or "2026-06-30"),
                                   done_on=_day(done) if done else None, satisfaction=score,
                                   terms_performed=performed))

    visit("c1", "2026-04-20", 5, True)
    visit("c9", "2026-05-20", 4, False)
    visit("c10", "2026-06-10", 5, None)
    visit("c8", "2026-03-25", 1, True)  # the previous range
    visit("c2", None, None, None)  # planned, not done
    visit("c4", "2026-06-12", None, True)  # done, no score given

    def referral(name, partner, sent, due, status, responded=None):
        db.session.add(Referral(case_id=cases[name].id, partner_id=partner.id, kind="link", purpose="协助",
                                legal_basis="人民调解法", due_on=_day(due), status=status, sent_at=sent,
                                responded_at=responded))

    referral("c1", p1, china("2026-04-02", 9), "2026-04-09", "answered", china("2026-04-03", 9))  # 24 h
    referral("c2", p1, china("2026-04-12", 8), "2026-04-14", "completed", china("2026-04-16", 20))  # 108 h, late
    referral("c10", p1, china("2026-06-01"), "2026-06-10", "sent")  # overdue now
    referral("c5", p1, china("2026-06-03"), "2026-06-20", "rejected", china("2026-06-04"))
    referral("c9", p1, china("2026-05-09"), "2026-05-15", "answered", china("2026-05-11"))  # 48 h
    referral("c3", p2, china("2026-05-06"), "2026-05-20", "answered", china("2026-05-06", 16))  # 6 h
    referral("c4", p2, china("2026-03-01"), "2026-03-10", "answered", china("2026-03-02"))  # the previous range
    referral("c4", p2, china("2026-05-21"), "2026-06-30", "accepted")
    db.session.commit()
    ids.update({name: row.id for name, row in cases.items()})
    return ids
