"""Seeding for bench/reports.py: areas, centres, mediators, partners, the bench's users and
``n`` cases with everything a report reads (parties, the timeline's steps, agreements with
amounts, return visits, referrals), spread over the last two years and inserted in bulk."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa

PASSWORD = "bench-Pa55-word-reports"
# The bench's logins: key → role (a partner's login belongs to the first partner agency).
USERS = {"leader": "Leadership", "partner": "Partner", "admin": "Admin"}
SPAN_DAYS = 730  # the seeded cases are registered over the last two years
CHUNK = 5000


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志海燕晓东春梅丹宇浩然思琪子涵欣怡俊熙"
COMPANIES = ["汕尾市城区海湾物业服务有限公司", "汕尾市信达建筑劳务有限公司", "汕尾市城区顺风运输有限公司",
             "中国人民财产保险股份有限公司汕尾市分公司", "汕尾市城区明珠商贸有限公司", "汕尾市红海湾渔业合作社"]
TYPES = {"traffic": 22, "family": 14, "property": 16, "debt": 18, "labour": 14, "consumer": 9, "medical": 7}
CHANNELS = {"window": 45, "online": 20, "assisted": 10, "grid": 10, "court": 10, "partner": 5}
# fate: share, days to the outcome step, how the case ends after it
FATES = {"agreement": 55, "failed": 18, "refused": 8, "withdrawn": 10, "merged": 2, "stalled": 7}


def _weighted(rng: random.Random, table: dict) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def seed(app, n: int, seed_value: int = 13) -> dict:
    """Areas, centres, mediators, partners, users and ``n`` cases with everything a ledger
    reads, inserted in bulk. Returns the span and the counts."""
    from flask_migrate import upgrade

    from app.demo import load_areas_and_centres
    from app.extensions import db
    from app.models import Area, Case, Membership, Organization, Party
    from app.models.lifecycle import TimelineEvent
    from app.models.mediator import Mediator
    from app.models.outcome import Agreement, ReturnVisit
    from app.models.referral import Referral
    from app.seed import sync_permissions
    from app.services.clock import court_zone, today

    rng = random.Random(seed_value)
    with app.app_context():
        upgrade()
        sync_permissions()
        from app.services.settings import seed_settings

        seed_settings()
        places = load_areas_and_centres()
        towns = [a for a in places["areas"].values() if a.level == "town"]
        villages = []
        for town in towns:
            for i in range(1, 4):
                village = Area(name=f"{town.name}第{i}社区", level="village", parent_id=town.id)
                db.session.add(village)
                villages.append(village)
        partners = [Organization(name=name, kind="partner_agency", code=f"bench-partner-{i}", dispute_types=[])
                    for i, name in enumerate(["城区交警大队", "城区司法局", "城区人力资源和社会保障局", "城区住房和城乡建设局"])]
        db.session.add_all(partners)
        db.session.flush()
        centres = {o.area_id: o.id for o in places["orgs"].values() if o.kind == "governance_centre"}
        committee = places["orgs"]["汕尾市城区人民调解委员会"].id
        town_of = {v.id: v.parent_id for v in villages} | {t.id: t.id for t in towns}
        area_ids = [t.id for t in towns] + [v.id for v in villages]
        area_weights = [6] * len(towns) + [1] * len(villages)
        db.session.execute(sa.insert(Mediator), [
            {"name": _name(rng), "employment": "full_time", "engagement": "resident",
             "organization_id": committee if i % 3 == 0 else centres[towns[i % len(towns)].id],
             "specialties": [], "status": "active", "created_at": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)}
            for i in range(40)])
        mediators = list(db.session.scalars(sa.select(Mediator.id)))
        sm = app.appbuilder.sm
        for username, role in USERS.items():
            user = sm.add_user(username=f"bench_{username}", first_name=username, last_name="Bench",
                               email=f"bench_{username}@jiefen.invalid", role=sm.find_role(role), password=PASSWORD)
            if username == "partner":
                db.session.add(Membership(user_id=user.id, organization_id=partners[0].id))
        db.session.commit()

        zone = court_zone()
        last_day = today()
        first_day = last_day - dt.timedelta(days=SPAN_DAYS - 1)
        now = dt.datetime.now(dt.timezone.utc)
        counters = {"cases": 0, "parties": 0, "agreements": 0, "visits": 0, "referrals": 0, "timeline": 0}
        buffers: dict = {"cases": [], "parties": [], "agreements": [], "visits": [], "referrals": [], "timeline": []}
        tables = {"cases": Case, "parties": Party, "agreements": Agreement, "visits": ReturnVisit,
                  "referrals": Referral, "timeline": TimelineEvent}

        def flush(force=False):
            # Parents before children: cases, then what points at them.
            for key in ("cases", "parties", "agreements", "visits", "referrals", "timeline"):
                rows = buffers[key]
                if rows and (force or len(rows) >= CHUNK or key != "cases"):
                    db.session.execute(sa.insert(tables[key]), rows)
                    counters[key] += len(rows)
                    buffers[key] = []

        def at(day: dt.date, minutes: int) -> dt.datetime:
            local = dt.datetime.combine(day, dt.time(8, 30), zone) + dt.timedelta(minutes=minutes)
            return local.astimezone(dt.timezone.utc)

        for i in range(1, n + 1):
            # More cases lately: the day is drawn with a gentle upward trend over the span.
            offset = int(SPAN_DAYS * (rng.random() ** 0.85))
            day = last_day - dt.timedelta(days=offset)
            created = at(day, rng.randint(0, 540))
            age = (now - created).days
            dispute_type = _weighted(rng, TYPES)
            area_id = rng.choices(area_ids, weights=area_weights)[0]
            fate = _weighted(rng, FATES)
            pace = rng.uniform(0.6, 1.8)
            claim = Decimal(rng.randint(2, 400) * 500)
            track = "court_entrusted" if rng.random() < 0.15 else "pre_filing"
            events = [("registered", "register", created)]
            status, closed_at, mediator_id, agreement, litigation = "registered", None, None, None, None

            def step(days: float) -> Optional[dt.datetime]:
                moment = created + dt.timedelta(days=days * pace, minutes=rng.randint(0, 300))
                return moment if moment < now else None

            accepted = step(3)
            if fate in ("agreement", "failed", "stalled") and accepted:
                status = "mediation_accepted"
                events.append(("mediation_accepted", "accept_mediation", accepted))
                mediator_id = rng.choice(mediators)
                if track == "court_entrusted":
                    events.append((None, "accept_offer", accepted + dt.timedelta(hours=5)))
                started = step(6)
                if started:
                    status = "in_mediation"
                    events.append(("in_mediation", "start_mediation", started))
                if fate == "agreement" and (reached := step(16)):
                    status = "agreement_reached"
                    events.append(("agreement_reached", "reach_agreement", reached))
                    agreement = reached
                    if performing := step(20):
                        status = "performing"
                        events.append(("performing", "start_performance", performing))
                        if closing := step(50):
                            status, closed_at = "closed", closing
                            events.append(("closed", "close", closing))
                elif fate == "failed" and (failed := step(18)):
                    status = "mediation_failed"
                    events.append(("mediation_failed", "fail_mediation", failed))
                    if ending := step(25):
                        if rng.random() < 0.3:
                            status, litigation = "transferred", rng.choice(["small_claims", "fast_track", "ordinary"])
                        else:
                            status = "closed"
                        closed_at = ending
                        events.append((status, "transfer" if status == "transferred" else "close", ending))
            elif fate == "refused" and (screened := step(4)):
                status, track = "litigation_screening", "litigation"
                events.append(("litigation_screening", "refuse_mediation", screened))
                if ending := step(10):
                    status, closed_at = "transferred", ending
                    litigation = rng.choice(["small_claims", "fast_track", "ordinary", "arbitration"])
                    events.append(("transferred", "transfer", ending))
            elif fate in ("withdrawn", "merged") and (ending := step(7 if fate == "withdrawn" else 3)):
                status, closed_at = fate, ending
                events.append((fate, "withdraw" if fate == "withdrawn" else "merge", ending))
            buffers["cases"].append({
                "id": i, "case_no": f"（{day.year}）粤1502民调{i:06d}号", "dispute_type": dispute_type,
                "status": status, "track": track, "channel": _weighted(rng, CHANNELS), "area_id": area_id,
                "organization_id": centres.get(town_of[area_id], committee) if rng.random() < 0.8 else committee,
                "mediator_id": mediator_id, "litigation_track": litigation, "closed_at": closed_at,
                "risk_level": rng.choices([None, "low", "medium", "high"], weights=[70, 15, 11, 4])[0],
                "title": f"纠纷{i}", "description": "bench", "claim_amount": claim, "intake_data": {},
                "created_at": created, "changed_at": closed_at or created, "version": 1,
            })
            for role in ["applicant", "respondent"] + (["third_party"] if rng.random() < 0.2 else []):
                company = role == "respondent" and rng.random() < 0.3
                buffers["parties"].append({"case_id": i, "kind": "organization" if company else "person", "role": role,
                                           "name": rng.choice(COMPANIES) if company else _name(rng)})
            previous = None
            for to_state, action, moment in events:
                buffers["timeline"].append({"case_id": i, "at": moment, "kind": "transition", "action": action,
                                            "from_state": previous, "to_state": to_state, "note": "", "data": {}})
                previous = to_state or previous
            if agreement is not None:  # stored with the step to agreement_reached, as the app stores it
                effective = (agreement + dt.timedelta(days=1)).astimezone(zone).date()
                buffers["agreements"].append({
                    "case_id": i, "form": "oral" if rng.random() < 0.1 else "written", "template_code": "bench",
                    "committee": "汕尾市城区人民调解委员会", "mediator_name": "调解员", "drafted_on": effective,
                    "effective_on": effective if status != "agreement_reached" else None,
                    "amount": (claim * Decimal(rng.choice([60, 70, 80, 90, 100])) / 100).quantize(Decimal("0.01"))
                    if rng.random() < 0.8 else None,
                    "created_at": agreement})
            if agreement is not None and status in ("performing", "closed"):
                planned = effective + dt.timedelta(days=30)
                done = planned <= last_day and rng.random() < 0.9
                buffers["visits"].append({"case_id": i, "scheduled_for": planned, "done_on": planned if done else None,
                                          "method": "phone" if done else None, "satisfaction": rng.choice([3, 4, 5, 5])
                                          if done else None, "terms_performed": True if done else None,
                                          "follow_up": False})
            # One referral per case to the first partner (its ledger holds every case); some to the others.
            targets = [partners[0]] + [p for p in partners[1:] if rng.random() < 0.1]
            for partner in targets:
                sent = created + dt.timedelta(hours=rng.randint(2, 72))
                answered = rng.random() < 0.7 and sent + dt.timedelta(days=5) < now
                buffers["referrals"].append({
                    "case_id": i, "partner_id": partner.id, "kind": rng.choice(["assign", "entrust", "link"]),
                    "purpose": "请协助核实事故责任并提出处理意见", "legal_basis": "人民调解法 第十七条",
                    "shared_fields": ["title"] if rng.random() < 0.5 else [], "due_on": (sent + dt.timedelta(days=7)).date(),
                    "mechanism": "in_platform", "status": "answered" if answered else "sent",
                    "response_text": "已核实，意见附后" if answered else None,
                    "sent_at": sent, "responded_at": sent + dt.timedelta(days=rng.randint(1, 9)) if answered else None,
                    "version": 1})
            if len(buffers["cases"]) >= CHUNK:
                flush()
        flush(force=True)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))  # both databases plan with fresh statistics
        db.session.commit()
    return {"first_day": first_day.isoformat(), "last_day": last_day.isoformat(), **counters}
