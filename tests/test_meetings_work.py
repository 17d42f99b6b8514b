"""Follow-ups of joint analysis meetings on their owners' My work until done, reported done
from the queue, the meeting page or the API (owner only, safe to send twice), and the
meetings API: paged, scoped."""
from __future__ import annotations

import datetime as dt
import re

from tests.fixtures import csrf_token
from tests.meetings_world import world  # noqa: F401 (fixture)


def _give(world, meeting_id, owner, text, due):  # noqa: F811
    r = world.post_on("mt_clerk_x", meeting_id, "tasks", {"text": text, "owner_id": str(world.user_id(owner)),
                                                          "due_on": due.isoformat()})
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]


def _task_ids(app, meeting_id):
    from app.extensions import db
    from app.models.meeting import MeetingTask

    with app.app_context():
        return {t.text: t.id for t in db.session.query(MeetingTask).filter_by(meeting_id=meeting_id)}


def _card(html: str) -> str:
    """The meeting follow-ups card of a My work page ("" when there is none)."""
    match = re.search(r'id="mywork-meeting-tasks".*?</div>\s*</div>', html, re.S)
    return match.group(0) if match else ""


def test_a_follow_up_stays_on_the_owners_my_work_until_done_then_goes(world):  # noqa: F811
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x", participant_ids=[str(world.ids["police"])]))
    today = world.today()
    _give(world, meeting_id, "mt_clerk_x2", "核实欠薪人数", today - dt.timedelta(days=2))  # overdue
    _give(world, meeting_id, "mt_clerk_x2", "约谈用工企业负责人", today + dt.timedelta(days=20))
    _give(world, meeting_id, "mt_liaison", "调取事故现场监控", today + dt.timedelta(days=5))
    ids = _task_ids(world.app, meeting_id)
    owner = world.client("mt_clerk_x2")
    card = _card(owner.get("/mywork/").get_data(as_text=True))
    assert 'data-count="2"' in card
    assert card.index("核实欠薪人数") < card.index("约谈用工企业负责人")  # earliest due first
    overdue_row = card.split("核实欠薪人数")[0].rsplit("<tr", 1)[1]
    assert "mywork-overdue" in overdue_row  # highlighted
    assert "调取事故现场监控" not in card  # someone else's
    assert _card(world.client("mt_clerk_x").get("/mywork/").get_data(as_text=True)) == ""  # owns none: no card
    # the partner's liaison has the card too, and the whole queue pages
    assert "调取事故现场监控" in _card(world.client("mt_liaison").get("/mywork/").get_data(as_text=True))
    assert "约谈用工企业负责人" in owner.get("/mywork/queue/meeting-tasks/").get_data(as_text=True)
    # reported done from the queue's link
    page = owner.get(f"/meetings/tasks/{ids['核实欠薪人数']}/done").get_data(as_text=True)
    assert "核实欠薪人数" in page and 'id="done-form"' in page
    r = owner.post(f"/meetings/tasks/{ids['核实欠薪人数']}/done", data={"csrf_token": csrf_token(page),
                                                                        "note": "已核实，共12人，已移交劳动监察"})
    assert r.status_code == 302 and "/mywork/" in r.headers["Location"]
    card = _card(owner.get("/mywork/").get_data(as_text=True))
    assert 'data-count="1"' in card and "核实欠薪人数" not in card
    # and from the meeting page, back to it
    c = world.client("mt_clerk_x2")
    page = c.get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    r = c.post(f"/meetings/tasks/{ids['约谈用工企业负责人']}/done", data={"csrf_token": csrf_token(page), "note": ""})
    assert r.status_code == 422 and "This field is required." in r.get_data(as_text=True)  # no note: still open
    assert f'action="/meetings/tasks/{ids["约谈用工企业负责人"]}/done"' in page
    assert f'action="/meetings/tasks/{ids["调取事故现场监控"]}/done"' not in page  # not theirs
    r = c.post(f"/meetings/tasks/{ids['约谈用工企业负责人']}/done",
               data={"csrf_token": csrf_token(page), "note": "已约谈，企业承诺月底前支付", "back": "meeting"})
    assert r.status_code == 302 and f"/meetings/show/{meeting_id}" in r.headers["Location"]
    assert _card(owner.get("/mywork/").get_data(as_text=True)) == ""  # gone
    assert owner.get("/mywork/queue/meeting-tasks/").status_code == 404
    shown = c.get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    assert "已约谈，企业承诺月底前支付" in shown and "已核实，共12人，已移交劳动监察" in shown


def test_only_the_owner_reports_a_follow_up_done(world):  # noqa: F811
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x"))
    _give(world, meeting_id, "mt_clerk_x2", "回访当事人", world.today() + dt.timedelta(days=3))
    task_id = _task_ids(world.app, meeting_id)["回访当事人"]
    recorder = world.client("mt_clerk_x")
    assert recorder.get(f"/meetings/tasks/{task_id}/done").status_code == 404  # not the owner: as if missing
    r = world.api("mt_clerk_x", "POST", f"/api/v1/meetings/tasks/{task_id}/done", json={"note": "代为完成"})
    assert r.status_code == 404
    assert world.api("mt_clerk_x2", "POST", "/api/v1/meetings/tasks/99999/done", json={"note": "x"}).status_code == 404


def test_the_api_reports_done_once_and_answers_a_repeat_unchanged(world):  # noqa: F811
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x", participant_ids=[str(world.ids["police"])]))
    _give(world, meeting_id, "mt_liaison", "调取事故现场监控", world.today() + dt.timedelta(days=3))
    task_id = _task_ids(world.app, meeting_id)["调取事故现场监控"]
    path = f"/api/v1/meetings/tasks/{task_id}/done"
    r = world.api("mt_liaison", "POST", path, json={"note": "  "})
    assert r.status_code == 422 and "note" in r.get_json()["message"]
    assert world.api("mt_liaison", "POST", path, json=["not", "an", "object"]).status_code == 400
    r = world.api("mt_liaison", "POST", path, json={"note": "监控已调取并移交综治中心"})
    assert r.status_code == 200 and r.get_json()["changed"] is True
    result = r.get_json()["result"]
    assert result["status"] == "done" and result["done_on"] == world.today().isoformat()
    r = world.api("mt_liaison", "POST", path, json={"note": "第二次提交"})
    assert r.status_code == 200 and r.get_json()["changed"] is False
    assert r.get_json()["result"]["done_note"] == "监控已调取并移交综治中心"  # the first report stands


def test_the_api_lists_the_callers_meetings_a_page_at_a_time(world):  # noqa: F811
    first = world.meeting_id(world.record_meeting("mt_clerk_x", title="第一次联席研判会",
                                                  held_on=(world.today() - dt.timedelta(days=40)).isoformat()))
    second = world.meeting_id(world.record_meeting("mt_clerk_x", title="第二次联席研判会"))
    r = world.api("mt_clerk_x", "GET", "/api/v1/meetings/?page_size=1")
    body = r.get_json()
    assert r.status_code == 200 and body["count"] == 2 and [m["id"] for m in body["result"]] == [second]
    body = world.api("mt_clerk_x", "GET", "/api/v1/meetings/?page_size=1&page=1").get_json()
    assert [m["title"] for m in body["result"]] == ["第一次联席研判会"]
    assert world.api("mt_clerk_h", "GET", "/api/v1/meetings/").get_json()["count"] == 0  # another centre's
    assert world.api("mt_leader", "GET", "/api/v1/meetings/").get_json()["count"] == 2  # the district's reader
    other_body = world.api("mt_leader", "GET", f"/api/v1/meetings/?organization_id={world.ids['centre_h']}")
    assert other_body.get_json()["count"] == 0
    year = (world.today() - dt.timedelta(days=40)).year
    assert world.api("mt_leader", "GET", f"/api/v1/meetings/?year={year}").get_json()["count"] >= 1
    for bad in ("page=-1", "page_size=1000", "year=abc"):
        assert world.api("mt_clerk_x", "GET", f"/api/v1/meetings/?{bad}").status_code == 400, bad
    one = world.api("mt_leader", "GET", f"/api/v1/meetings/{first}").get_json()["result"]
    assert one["title"] == "第一次联席研判会" and one["organization"]["id"] == world.ids["centre_x"]
    assert world.api("mt_liaison", "GET", "/api/v1/meetings/").status_code == 403  # partners read no meetings


def test_the_meetings_api_is_documented(world):  # noqa: F811
    doc = world.api("mt_clerk_x", "GET", "/api/v1/_openapi").get_json()
    assert {"get"} <= set(doc["paths"]["/api/v1/meetings/"])
    assert "404" in doc["paths"]["/api/v1/meetings/{pk}"]["get"]["responses"]
    done = doc["paths"]["/api/v1/meetings/tasks/{tid}/done"]["post"]
    assert "note" in done["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"200", "401", "403", "404", "422"} <= set(done["responses"])
