"""Helpers shared by the tests: users, places, logins and intake payloads."""
from __future__ import annotations

import copy
import re

from sqlalchemy import delete

PASSWORDS = {"admin": "admin-Pa55-word", "clerk": "clerk-Pa55-word"}


def create_users() -> None:
    """The administrator and a window clerk."""
    from app.extensions import appbuilder

    sm = appbuilder.sm
    for username, role in (("admin", sm.auth_role_admin), ("clerk", "Clerk")):
        if not sm.find_user(username=username):
            sm.add_user(
                username=username,
                first_name=username,
                last_name="Test",
                email=f"{username}@jiefen.invalid",
                role=sm.find_role(role),
                password=PASSWORDS[username],
            )


def wipe_case_data() -> None:
    """Delete every row of Jiefen's own tables (users and FAB's tables stay), children first.

    The audit log stays too: it is append-only (its triggers refuse DELETE), so tests that
    look at it select the rows written after a mark (``audit_mark``).
    """
    from flask_appbuilder import Model
    from sqlalchemy import select

    from app.extensions import db

    db.session.rollback()
    for table in reversed(Model.metadata.sorted_tables):
        if table.name.startswith("ab_") or table.name == "audit_event":
            continue
        parent = next((fk.parent for fk in table.foreign_keys if fk.column.table is table), None)
        if parent is None:
            db.session.execute(table.delete())
            continue
        # Self-referencing (areas, organisations): remove leaves until nothing is left.
        while db.session.execute(select(table.c.id).limit(1)).first():
            parents = select(parent).where(parent.is_not(None))
            db.session.execute(table.delete().where(table.c.id.not_in(parents)))
    db.session.commit()


def audit_mark() -> int:
    """The id of the newest audit row (0 when there is none): later rows have higher ids."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import AuditEvent

    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def create_places() -> dict:
    """A district, a street and a centre; returns their ids."""
    from app.extensions import db
    from app.models import Area, Organization

    district = Area(name="汕尾市城区", level="district", code="441502")
    street = Area(name="香洲街道", level="town", parent=district)
    centre = Organization(name="香洲街道综治中心", kind="governance_centre", area=street)
    db.session.add_all([district, street, centre])
    db.session.commit()
    return {"district": district.id, "street": street.id, "centre": centre.id}


def login(client, username: str) -> None:
    """Sign ``client`` in through the real login form."""
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = client.post(
        "/login/",
        data={"username": username, "password": PASSWORDS[username], "csrf_token": token},
    )
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"


_TOKENS: dict = {}


def api_token(client, username: str) -> str:
    """A JWT from ``/api/v1/security/login`` (one real login per app and user: password
    hashing is deliberately slow, and tokens outlive a test run)."""
    key = (id(client.application), username)
    if key in _TOKENS:
        return _TOKENS[key]
    r = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORDS[username], "provider": "db"},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    _TOKENS[key] = r.get_json()["access_token"]
    return _TOKENS[key]


VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example number
VALID_ID_2 = "441502199007080028"


def traffic_payload(places: dict, **intake_changes) -> dict:
    """A complete, valid traffic intake as an API client sends it."""
    intake = {
        "accident_date": "2026-09-18",
        "accident_place": "通港路与香城路交叉口",
        "determination_no": "汕公交认字〔2026〕第00123号",
        "determination_date": "2026-09-25",
        "vehicles": [
            {"plate": "粤N12345", "driver": "林晓明", "liability": "70",
             "insurer": "人保财险汕尾分公司", "policy_no": "PDAA2026001"},
            {"plate": "粤NA6789", "driver": "黄丽娟", "liability": "30",
             "insurer": "平安财险汕尾支公司", "policy_no": "ASHZ2026002"},
        ],
        "injured_count": 1,
        "death_count": 0,
        "medical_expenses": "12500.50",
        "property_loss": "6800.00",
        "disability_rating": "none",
    }
    intake.update(intake_changes)
    return {
        "dispute_type": "traffic",
        "title": "林晓明与黄丽娟交通事故赔偿纠纷",
        "description": "双方车辆在路口相撞，申请人受伤，请求赔偿医疗费和财产损失。",
        "claim_amount": "19300.50",
        "area_id": places["street"],
        "organization_id": places["centre"],
        "channel": "window",
        # Tests register the same people many times; duplicate detection has its own tests.
        "confirm_duplicates": True,
        "parties": [
            {"kind": "person", "role": "applicant", "name": "林晓明", "id_number": VALID_ID,
             "mobile": "13802661234", "address": "汕尾市城区香洲街道通港路18号"},
            {"kind": "person", "role": "respondent", "name": "黄丽娟", "id_number": VALID_ID_2,
             "mobile": "13926605678", "address": "汕尾市城区凤山街道红海大道56号"},
        ],
        "intake": intake,
    }


def with_changes(payload: dict, path: str, value) -> dict:
    """A deep copy of ``payload`` with ``a.b.0.c`` set to ``value``."""
    out = copy.deepcopy(payload)
    keys = path.split(".")
    target = out
    for k in keys[:-1]:
        target = target[int(k)] if isinstance(target, list) else target[k]
    last = keys[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return out
