"""Demo linkage: some cases are referred to a partner agency (the traffic police brigade, the
market regulation bureau, the human-resources bureau) while they are mediated; the partner's
liaison accepts and answers, and the centre closes the referral — each on its own day, through
:mod:`app.lifecycle.referrals`. Recent referrals are still waiting for the partner."""
from __future__ import annotations

import datetime as dt

from app.demo_kinds import kind_of, partner_org_code, types_of
from app.demo_people import LIAISONS

# What each partner is asked, by the demo's kind of dispute (app.demo_kinds): (the partner
# its type declares, kind, purpose, legal basis, intake fields shared)
REQUESTS = {
    "accident": ("police-brigade", "entrust", "请协助核实事故责任认定书及双方车辆投保情况，以便开展诉前调解。",
                 "《道路交通安全法》第七十四条；《人民调解法》第十七条", ["intake.accident_date", "intake.accident_place"]),
    "purchase": ("market-regulation", "link", "请协助核查经营者主体信息及相关投诉记录，联合开展调解。",
                 "《消费者权益保护法》第三十九条", ["intake.merchant", "intake.goods_or_service"]),
    "wages": ("hrss-bureau", "link", "请协助核实用人单位欠薪及社会保险缴纳情况。",
              "《劳动争议调解仲裁法》第八条", ["intake.employer", "intake.position"]),
}
SHARED = ["title", "area", "parties.name", "parties.role"]
ANSWERS = {
    "accident": "经核实，事故认定书已送达双方，双方车辆均在保险期内，相关材料可供调解使用。",
    "purchase": "经核查，该经营者证照齐全，近一年有同类投诉两宗，已约谈经营者配合调解。",
    "wages": "经核实，该单位存在拖欠工资情况，已责令限期整改，请继续组织调解。",
}


def partners(find_org, find_user) -> dict:
    """``{dispute type: (partner organisation, its liaison user)}`` for the partners installed."""
    liaisons = {partner: username for username, _s, _g, partner, _t in LIAISONS}
    out = {}
    for kind, (partner, *_rest) in REQUESTS.items():
        code = partner_org_code(kind, partner)
        user = find_user(liaisons.get((kind, partner), ""))
        for dispute_type in types_of(kind):
            org = find_org(code) if code else None
            if org is not None and user is not None:
                out[dispute_type] = (org, user)
    return out


def referral_story(story, found: dict, day: dt.date):
    """The course of one referral of ``story``'s case (a generator for the demo's replay): sent
    on ``day``, accepted the next day, answered a few days later, completed by the centre."""
    from app.extensions import db
    from app.lifecycle import referrals
    from app.models.referral import Referral
    from app.lifecycle.referral_sharing import shareable_fields

    dispute_type = story.plan.dispute_type
    if dispute_type not in found:
        return
    import random

    from app.demo_steps import Moments

    partner_id, liaison_id = found[dispute_type]
    liaison = story.cast.user
    rng = random.Random(story.plan.seed + 1)  # its own draws: the case's course stays the same
    time = Moments(story.time.zone, story.time.now, rng, story.time.last)
    _partner, kind, purpose, basis, fields = REQUESTS[kind_of(dispute_type)]
    yield time.at(day, (15, 0), (17, 0))
    known = shareable_fields(story.case)
    shared = [f for f in SHARED + fields if f in known]
    referral_id = referrals.send(story.case, story.clerk, partner_id, kind, purpose, basis, shared,
                                 day + dt.timedelta(days=7)).id
    yield time.at(day + dt.timedelta(days=1))
    referrals.accept(db.session.get(Referral, referral_id), liaison(liaison_id))
    yield time.at(day + dt.timedelta(days=rng.choice([2, 3, 5])))
    referrals.answer(db.session.get(Referral, referral_id), liaison(liaison_id), ANSWERS[kind_of(dispute_type)])
    yield time.at(day + dt.timedelta(days=6))
    referrals.complete(db.session.get(Referral, referral_id), story.clerk, "已收到协查回复，材料已附卷。")
