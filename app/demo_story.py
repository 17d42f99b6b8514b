"""The demo's year of cases: about two hundred disputes across the seven types and the seven
streets and towns, each taken through the real lifecycle code at the moments it happened.

Every case has a *fate* (where it stands today) and a plan of days counted from its
registration. The cases are replayed together in the order things happened — registrations,
consents, offers, appointments, sessions, agreements, signatures, confirmations, visits —
with the application's clock (:mod:`app.services.clock`, the seam tests freeze) set to each
moment, so that case numbers, timelines, validations, settings in force and the dates in
timeline notes are exactly what the application would have written on those days.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import itertools
import random
from dataclasses import dataclass, field

from app.services import clock

SEED = 20261206  # one story for every run: change it and the demo tells another
# fate: (number of cases, how far the story runs) — open fates first, then finished ones.
FATES = {
    "registered": 5, "screening": 5, "accepted": 4, "offered": 6, "scheduled_today": 6, "scheduled": 4,
    "mediating_today": 5, "mediating": 6, "mediating_overdue": 3, "signing": 6, "confirmation_pending": 5,
    "performing": 8, "visit_due": 8, "failed": 3, "litigation_screening": 3,
    "transferred_failed": 18, "transferred_refused": 8, "closed": 79, "closed_failed": 6, "withdrawn": 12,
}
OPEN_FATES = ("registered", "screening", "accepted", "offered", "scheduled_today", "scheduled", "mediating_today",
              "mediating", "mediating_overdue", "signing", "confirmation_pending", "performing", "visit_due", "failed",
              "litigation_screening")
# Court-entrusted cases (the court's 15/7-day period) among these fates, for these types.
COURT_FATES = ("offered", "scheduled_today", "mediating", "closed", "transferred_failed")
COURT_KINDS = ("accident", "loan", "estate_fees")  # the demo's kinds of dispute (app.demo_kinds)
REFUSED_FATES = ("litigation_screening", "transferred_refused")
YEAR = 364  # the oldest case was registered this many days ago


@dataclass
class Plan:
    """One case of the story: what, where, its fate and its days (offsets from registration)."""

    n: int
    dispute_type: str
    town: str
    fate: str
    seed: int
    court: bool = False
    procedure: str = ""
    registered_on: dt.date = dt.date.min
    days: dict = field(default_factory=dict)
    first_due: dt.date | None = None  # the first term's due day, when there is an agreement
    options: dict = field(default_factory=dict)


def _offsets(rng: random.Random, plan: Plan) -> dict:
    """The days of each step after registration, for a case that goes all the way."""
    d = {"register": 0, "screen": 0, "accept": rng.choice([0, 1, 1, 2, 3])}
    d["offer"] = d["accept"]
    d["assign"] = d["offer"] + rng.choice([0, 1, 1])
    d["appoint"] = d["assign"] + rng.choice([1, 2, 3, 4, 6])
    d["session"] = d["appoint"]
    if plan.options.get("two_sessions"):
        d["appoint2"] = d["session"] + rng.choice([3, 5, 7, 10])
        d["session2"] = d["appoint2"]
    d["agree"] = d.get("session2", d["session"])
    d["signed"] = d["agree"] + rng.choice([0, 0, 1, 2, 4])
    last = d["signed"]
    if plan.options.get("confirmation"):
        d["apply"] = d["signed"] + rng.choice([1, 3, 5, 8])
        d["accepted"] = d["apply"] + rng.choice([1, 2, 3])
        d["decided"] = d["accepted"] + rng.choice([3, 5, 8, 12])
        last = d["decided"]
    d["perform"] = last + rng.choice([0, 1, 2])
    d["due"] = d["perform"] + rng.choice([5, 10, 15, 20, 30])
    follow_up = 7 if plan.options.get("late_payer") else 0
    d["close"] = d["due"] + 30 + follow_up + rng.choice([0, 1, 3])  # after the second visit
    d["fail"] = d.get("session2", d["session"]) + rng.choice([0, 0, 1])
    d["transfer"] = d["fail"] + rng.choice([1, 2, 4])
    d["refuse"] = d["accept"]
    plan.options["withdraw_after"] = rng.choice(["screen", "assign", "session"])
    d["withdraw"] = d[plan.options["withdraw_after"]] + rng.choice([1, 2, 5])
    return d


# The step each fate stops after, and how many days after it today may be (lo, hi).
_STOP = {
    "registered": ("register", 0, 1), "screening": ("screen", 0, 3), "accepted": ("accept", 0, 2),
    "offered": ("offer", 0, 2), "mediating": ("session", 0, 12),
    "mediating_overdue": ("session", 0, 0), "signing": ("agree", 0, 3), "failed": ("fail", 0, 5),
    "litigation_screening": ("refuse", 0, 6),
}


def _place(rng: random.Random, plan: Plan, today: dt.date) -> None:
    """Choose the registration day so that the fate is where the case stands today."""
    d = plan.days
    if plan.fate in _STOP:
        step, lo, hi = _STOP[plan.fate]
        at = d.get(step, 0)
        if plan.fate == "mediating_overdue":  # accepted for mediation 33–45 days ago
            at, lo, hi = d["accept"], rng.randrange(33, 46), 0
        if plan.court and plan.fate in ("offered", "mediating"):
            hi = min(hi, 3)  # the court's own 7 or 15 days
        back = at + rng.randint(lo, max(lo, hi))
    elif plan.fate == "scheduled":  # the appointment made is still ahead
        back = d["assign"] + rng.randint(0, d["appoint"] - d["assign"] - 1)
    elif plan.fate == "scheduled_today":
        back = d["appoint"]  # the first appointment is today
    elif plan.fate == "mediating_today":
        d["appoint2"] = d["session"] + rng.choice([3, 5, 7])
        back = d["appoint2"]  # a session held, the next one today
    elif plan.fate == "confirmation_pending":
        waiting = rng.choice([0, 1, 2, 5, 8])  # the court accepts within 3 days, then decides
        back = d["apply"] + waiting
        plan.options["court_accepted"] = waiting > 2
    elif plan.fate == "performing":
        back = d["perform"] + rng.randint(1, 20)
        plan.first_due = today + dt.timedelta(days=rng.randint(3, 40))
    elif plan.fate == "visit_due":
        back = d["perform"] + rng.randint(3, 25)
    else:  # finished cases: anywhere in the year that leaves room for their whole story
        end = {"transferred_failed": "transfer", "transferred_refused": "transfer", "closed": "close",
               "closed_failed": "transfer", "withdrawn": "withdraw"}[plan.fate]
        if plan.fate == "transferred_refused":
            d["transfer"] = d["refuse"] + rng.choice([1, 2, 4])
        back = rng.randint(d[end] + 2, max(d[end] + 2, YEAR))
    plan.registered_on = today - dt.timedelta(days=back)
    if plan.fate == "visit_due":  # the first term fell due a few days ago: its visit is due
        effective = plan.registered_on + dt.timedelta(days=d["signed"])
        plan.first_due = max(effective, today - dt.timedelta(days=rng.randint(0, 6)))
    elif plan.first_due is None:
        plan.first_due = plan.registered_on + dt.timedelta(days=d["due"])


def unconfirmable(types: list[str]) -> frozenset[str]:
    """The types whose agreements are never sent for judicial confirmation, as they declare."""
    from app.extensions import jiefen

    declared = jiefen().registry.dispute_types
    return frozenset(t for t in types if t in declared and declared[t].excluded_from_judicial_confirmation)


def plan_story(types: list[str], towns: list[str], today: dt.date) -> list[Plan]:
    """Every case of the story, for the dispute types given (the same plans on every run)."""
    from app.demo_kinds import arbitration_first, types_of

    no_confirmation = unconfirmable(types)
    # A case its plugin keeps from the court's screening goes to arbitration instead.
    arbitration = frozenset(t for t in types if arbitration_first(t))
    court_types = frozenset(types_of(*COURT_KINDS))
    rng = random.Random(SEED)
    fates = [fate for fate, count in FATES.items() for _ in range(count)]
    rng.shuffle(fates)
    every_type = [t for t in types for _ in range(len(fates) // len(types) + 1)]
    rng.shuffle(every_type)
    plans = []
    for n, fate in enumerate(fates):
        dispute_type = every_type[n]
        if fate == "confirmation_pending" and dispute_type in no_confirmation:
            dispute_type = next((t for t in types if t not in no_confirmation), dispute_type)
        if fate in REFUSED_FATES and dispute_type in arbitration:
            dispute_type = next((t for t in types if t not in arbitration), dispute_type)
            if dispute_type in arbitration:  # only such types are enabled: it fails instead
                fate = "failed" if fate == "litigation_screening" else "transferred_failed"
        plan = Plan(n=n, dispute_type=dispute_type, town=towns[rng.randrange(len(towns))], fate=fate,
                    seed=rng.randrange(2**31))
        plan.court = fate in COURT_FATES and dispute_type in court_types and rng.random() < 0.35
        plan.procedure = rng.choice(["ordinary", "simplified"]) if plan.court else ""
        confirmable = dispute_type not in no_confirmation
        plan.options = {
            "two_sessions": rng.random() < 0.3 and fate != "mediating_overdue",
            "confirmation": confirmable and (fate == "confirmation_pending" or rng.random() < 0.35),
            "late_payer": rng.random() < 0.15,
            "decline_first": rng.random() < 0.15,
            "online": rng.random() < 0.15,
            # the cases just offered ask a partner too: its liaison has work waiting on My work
            "referral": rng.random() < 0.08 or fate in ("offered", "scheduled_today"),
        }
        if fate == "confirmation_pending" and not confirmable:
            plan.fate = "signing"
        plan.days = _offsets(rng, plan)
        _place(rng, plan, today)
        plans.append(plan)
    return [p for p in plans if p.dispute_type in types]


@contextlib.contextmanager
def replay_clock():
    """Move the application's one clock (``clock.utc_now``) to given moments while the story is
    replayed; yields ``set_to(moment)``. The real clock is back when the block ends."""
    real = clock.utc_now
    offset = [dt.timedelta(0)]

    def shifted() -> dt.datetime:
        """The real time, moved to the story's moment."""
        return real() + offset[0]

    def set_to(moment: dt.datetime) -> None:
        """From now on the clock reads ``moment`` (and runs on from there)."""
        offset[0] = moment - real()

    clock.utc_now = shifted
    try:
        yield set_to
    finally:
        clock.utc_now = real


@contextlib.contextmanager
def unhurried_flush(db):
    """On PostgreSQL, commit the story without waiting for each commit to reach the disk
    (``synchronous_commit = off``): the rows are the same, a crash loses at most the last
    fraction of a second (the story is then finished by the next setup), and setup no longer
    waits thousands of times for the disk. The connections are closed afterwards, so nothing
    else runs with the setting."""
    from sqlalchemy import event

    engine = db.engine
    if engine.dialect.name != "postgresql":
        yield
        return

    def on_connect(dbapi_connection, _record):
        """A new connection commits without waiting for the disk."""
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
        dbapi_connection.commit()

    db.session.commit()
    db.session.close()
    engine.dispose()  # every connection from now on is opened through the listener
    event.listen(engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(engine, "connect", on_connect)
        db.session.close()
        engine.dispose()


def replay(stories) -> int:
    """Run the case stories (generators yielding the moment of their next step, or another
    story they start) in the order their steps happened, each at its moment; a step later than
    now is never taken. Returns the number of steps taken."""
    from app.extensions import db

    now = clock.utc_now()
    queue, order, steps = [], itertools.count(), 0

    def schedule(story, moment_from=None):
        """Push ``story``'s next step; a started story is scheduled and its starter goes on."""
        upcoming = next(story, None)
        while hasattr(upcoming, "send"):
            schedule(upcoming, moment_from)
            upcoming = next(story, None)
        if upcoming is not None and upcoming <= now:
            heapq.heappush(queue, (max(upcoming, moment_from or upcoming), next(order), story))

    for story in stories:
        schedule(story)
    with replay_clock() as set_to, unhurried_flush(db):
        while queue:
            moment, _n, story = heapq.heappop(queue)
            set_to(moment)
            steps += 1
            schedule(story, moment)
            # Each step reads what it needs afresh, as a request would: a session holding the
            # whole year would make every commit expire thousands of objects.
            db.session.expunge_all()
    return steps


@dataclass(frozen=True)
class Member:
    """What the story needs of a pool mediator (plain values: the session is emptied between steps)."""

    id: int
    name: str
    user_id: int
    specialties: tuple
    areas: frozenset
    organization: str


class Cast:
    """Who and where the story happens: the centres, their clerks, the court's clerks, the pool
    mediators with their logins, the partners, and each type's sample and agreement template.
    People are kept by id and read afresh in each step."""

    def __init__(self, places: dict, registry, people):
        from sqlalchemy import select

        from app.demo_linkage import partners
        from app.extensions import appbuilder, db
        from app.models.mediator import Mediator
        from app.models.organization import Organization

        self.user_model = appbuilder.sm.user_model
        self.zone = clock.court_zone()
        self.now = clock.utc_now()
        self.today = clock.today()
        self.areas = {name: area.id for name, area in places["areas"].items()}
        self.centres = {name: places["orgs"][f"{name}综治中心"].id for name in TOWN_NAMES}
        self.court_mediation = places["orgs"]["汕尾市城区人民法院诉前调解中心"].id
        self.clerks = {name: people.user(login).id for name, login in zip(TOWN_NAMES, TOWN_CLERKS)}
        self.court_clerk = people.user(people.COURT_CLERK).id
        self.court_mediation_clerk = people.user(people.COURT_MEDIATION_CLERK).id
        self.samples = registry.samples
        self.templates = registry.templates
        self.members = [
            Member(m.id, m.name, m.user_id, tuple(m.specialties or ()), frozenset(a.name for a in m.areas),
                   m.organization.code if m.organization else "")
            for m in db.session.scalars(select(Mediator).order_by(Mediator.id))
            if m.status == "active" and m.user_id is not None
        ]
        found = partners(
            lambda code: db.session.scalars(select(Organization).where(Organization.code == code)).first(),
            people.user)
        self.partners = {t: (org.id, user.id) for t, (org, user) in found.items()}

    def user(self, user_id: int):
        """The user who takes the current step, read afresh and signed in for it (``g.user``) as
        their own request would be, so that the audit log names them."""
        from flask import g, has_request_context

        from app.extensions import db

        user = db.session.get(self.user_model, user_id)
        if has_request_context():
            g.user = user
        return user

    def member(self, mediator_id: int) -> Member:
        """A pool mediator of the story by id."""
        return next(m for m in self.members if m.id == mediator_id)

    def template(self, dispute_type: str) -> str | None:
        """The code of the type's first agreement template (``None`` when it has none)."""
        found = self.templates.get(dispute_type) or ()
        return found[0].code if found else None

    def mediators_for(self, plan: Plan, rng: random.Random) -> list[Member]:
        """One or two active mediators for the case: its type among their specialties, its town
        (or the whole district) among their areas; court cases go to the court's own first."""
        fits = [m for m in self.members if plan.dispute_type in m.specialties] or list(self.members)
        local = [m for m in fits if m.areas & {plan.town, "汕尾市城区"}] or fits
        if plan.court:
            local = sorted(local, key=lambda m: m.organization != "court-mediation")
        else:
            local = local[:]
            rng.shuffle(local)
        return local[:2] if plan.options["decline_first"] else local[:1]

    def referral_story(self, story, day: dt.date):
        """The course of a referral of ``story``'s case, sent on ``day`` (see app.demo_linkage)."""
        from app.demo_linkage import referral_story

        return referral_story(story, self.partners, day)


TOWN_NAMES = ("香洲街道", "凤山街道", "新港街道", "马宫街道", "红草镇", "东涌镇", "捷胜镇")
TOWN_CLERKS = ("clerk_xiangzhou", "clerk_fengshan", "clerk_xingang", "clerk_magong", "clerk_hongcao",
               "clerk_dongyong", "clerk_jiesheng")
