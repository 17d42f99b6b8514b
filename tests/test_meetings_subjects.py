"""A meeting discusses alerts and hazards as well as cases: an alert raised by the scan and a
hazard recorded on the screening page are referenced by their numbers within the reader's
reach, shown with their own wording and links, and listed in the minutes."""
from __future__ import annotations

import datetime as dt
import io

from docx import Document

from tests.fixtures import csrf_token
from tests.meetings_world import world  # noqa: F401 (fixture)


def _scan(app) -> None:
    """What ``flask --app app alerts scan`` does, on the test's app."""
    from app.services.settings import seed_settings
    from app.warnings.scan import scan

    with app.app_context():
        seed_settings()  # as ``jiefen setup`` does: the rules' thresholds
        scan()


def _record_hazard(world, login: str) -> int:  # noqa: F811
    c = world.client(login)
    page = c.get("/screening/hazards/add").get_data(as_text=True)
    r = c.post("/screening/hazards/add", data={
        "csrf_token": csrf_token(page), "title": "某物业公司拟上调物业费，业主聚集反映", "description": "约四十户业主联名反映。",
        "area_id": str(world.ids["xiangzhou"]), "found_on": world.today().isoformat(), "risk_level": "high",
        "dispute_type": "", "campaign_id": ""})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_alerts_and_hazards_in_reach_are_discussed_with_their_own_wording(world):  # noqa: F811
    for n in range(3):  # the same two people in three open cases: a repeat-party alert in 香洲街道
        world.register_case("xiangzhou", "centre_x", f"林晓明与黄丽娟交通事故赔偿纠纷（{n + 1}）")
    _scan(world.app)
    alerts = world.api("admin", "GET", "/api/v1/alerts/").get_json()["result"]
    alert_id = next(a["id"] for a in alerts if a["rule"] == "core.repeat_party")
    hazard_id = _record_hazard(world, "mt_clerk_x")
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x"))
    for kind, ref in (("alert", f"#{alert_id}"), ("hazard", str(hazard_id))):
        r = world.post_on("mt_clerk_x", meeting_id, "items", {"kind": kind, "reference": ref, "note": "重点关注"})
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    r = world.post_on("mt_clerk_x", meeting_id, "items", {"kind": "hazard", "reference": str(hazard_id)})
    assert r.status_code == 422 and "It is already on this meeting" in r.get_data(as_text=True)
    page = world.client("mt_clerk_x").get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    assert f'href="/alerts/{alert_id}"' in page and f'href="/screening/hazards/show/{hazard_id}"' in page
    assert "某物业公司拟上调物业费" in page
    zh = world.client("mt_clerk_x", "zh_CN").get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    row = zh.split('data-kind="alert"')[1].split("</tr>")[0]
    assert "林**" in row or "黄**" in row  # the alert's own wording names the person, masked
    # another centre cannot reference them: the same words as for a number that does not exist
    other = world.meeting_id(world.record_meeting("mt_clerk_h", organization_id=str(world.ids["centre_h"]),
                                                  title="红草镇联席研判会"))
    r = world.post_on("mt_clerk_h", other, "items", {"kind": "alert", "reference": str(alert_id)})
    assert r.status_code == 422 and f"No alert has the number {alert_id}." in r.get_data(as_text=True)
    r = world.post_on("mt_clerk_h", other, "items", {"kind": "hazard", "reference": str(hazard_id)})
    assert r.status_code == 422 and f"No hazard has the number {hazard_id}." in r.get_data(as_text=True)
    # the minutes list both, in Chinese, with the hazard's title
    doc = Document(io.BytesIO(world.client("mt_clerk_x").get(f"/meetings/{meeting_id}/minutes.docx").data))
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows][1:]
    assert [(r[1], r[2]) for r in rows] == [("预警", f"#{alert_id}"), ("矛盾隐患", f"#{hazard_id}")]
    assert rows[1][3] == "某物业公司拟上调物业费，业主聚集反映（香洲街道）" and rows[0][4] == "重点关注"
    api = world.api("mt_clerk_x", "GET", f"/api/v1/meetings/{meeting_id}").get_json()["result"]
    assert [(i["kind"], i.get("alert_id") or i.get("hazard_id")) for i in api["items"]] == [
        ("alert", alert_id), ("hazard", hazard_id)]
    assert dt.date.fromisoformat(api["held_on"]) < world.today()
