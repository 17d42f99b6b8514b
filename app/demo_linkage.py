"""Demo linkage: a liaison officer of the traffic police brigade and one referral to it, so the
partner pages, the case's referral panel and the ledger have something to show."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from app.extensions import appbuilder, db
from app.models.case import Case
from app.models.membership import Membership
from app.models.organization import Organization
from app.models.referral import Referral
from app.services.settings import today

PARTNER_CODE = "traffic:police-brigade"  # seeded by the traffic plugin's linkage_partners hook
LIAISON = ("police_liaison", "郑", "警官")
SHARED = ["title", "area", "parties.name", "parties.role", "intake.accident_date", "intake.accident_place"]


def load_referrals(actor) -> int:
    """The liaison user (a random password the administrator resets) and one referral of the
    first traffic case; nothing is added twice. Returns the number of referrals made."""
    from app.lifecycle.referrals import send

    org = db.session.scalars(select(Organization).where(Organization.code == PARTNER_CODE)).first()
    if org is None:
        return 0
    sm = appbuilder.sm
    username, first, last = LIAISON
    if sm.find_user(username=username) is None:
        user = sm.add_user(username=username, first_name=first, last_name=last, email=f"{username}@jiefen.invalid",
                           role=sm.find_role("Partner"), password=secrets.token_urlsafe(24))
        db.session.add(Membership(user_id=user.id, organization_id=org.id, title="联络员"))
        db.session.commit()
    if db.session.scalars(select(Referral.id).limit(1)).first() is not None:
        return 0
    case = db.session.scalars(select(Case).where(Case.dispute_type == "traffic").order_by(Case.id)).first()
    if case is None:
        return 0
    send(case, actor, org.id, "entrust", "请协助核实事故责任认定书及双方车辆投保情况，以便开展诉前调解。",
         "《道路交通安全法》第七十四条；《人民调解法》第十七条", SHARED, today() + dt.timedelta(days=7))
    return 1
