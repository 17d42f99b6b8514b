"""Joint analysis meetings through the pages: recorded with the cases discussed and the
follow-ups, edited against the version read, kept within the reader's scope, and refusing bad
input with a clear message, nothing stored and what was typed kept."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from tests.fixtures import csrf_token
from tests.meetings_world import world  # noqa: F401 (fixture)
from tests.untranslated import untranslated_in


def _count(app, model) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def _meeting(app, meeting_id):
    from app.extensions import db
    from app.models.meeting import JointMeeting

    with app.app_context():
        m = db.session.get(JointMeeting, meeting_id)
        return {"title": m.title, "version": m.version, "chair": m.chair, "organization_id": m.organization_id,
                "participants": sorted(o.id for o in m.participants), "items": [(i.case_id, i.note) for i in m.items],
                "tasks": [(t.text, t.owner_id, t.due_on) for t in m.tasks]}


def test_a_centre_clerk_records_a_meeting_with_the_cases_and_follow_ups(world):  # noqa: F811
    case = world.register_case("xiangzhou", "centre_x", "林晓明与黄丽娟交通事故赔偿纠纷")
    r = world.record_meeting("mt_clerk_x", participant_ids=[str(world.ids["centre_x"]), str(world.ids["police"])])
    meeting_id = world.meeting_id(r)
    r = world.post_on("mt_clerk_x", meeting_id, "items",
                      {"kind": "case", "reference": case["case_no"], "note": "责任认定已出，建议先行垫付医疗费。"})
    assert r.status_code == 302
    due = world.today() + dt.timedelta(days=7)
    r = world.post_on("mt_clerk_x", meeting_id, "tasks", {"text": "联系双方当事人，七日内组织调解。",
                                                          "owner_id": str(world.user_id("mt_clerk_x2")),
                                                          "due_on": due.isoformat()})
    assert r.status_code == 302
    r = world.post_on("mt_clerk_x", meeting_id, "tasks", {"text": "调取事故现场监控。",
                                                          "owner_id": str(world.user_id("mt_liaison")),
                                                          "due_on": due.isoformat()})
    assert r.status_code == 302
    stored = _meeting(world.app, meeting_id)
    assert stored["organization_id"] == world.ids["centre_x"]
    assert stored["participants"] == sorted([world.ids["centre_x"], world.ids["police"]])
    assert stored["items"] == [(case["id"], "责任认定已出，建议先行垫付医疗费。")]
    assert [(t, o) for t, o, _d in stored["tasks"]] == [("联系双方当事人，七日内组织调解。", world.user_id("mt_clerk_x2")),
                                                        ("调取事故现场监控。", world.user_id("mt_liaison"))]
    page = world.client("mt_clerk_x").get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    for text in (case["case_no"], "林晓明与黄丽娟交通事故赔偿纠纷", "责任认定已出", "城区交警大队", "陈俊杰", "郑警官",
                 "由综治中心牵头", due.isoformat()):
        assert text in page, text
    listing = world.client("mt_clerk_x").get("/meetings/list/").get_data(as_text=True)
    assert "香洲街道第四季度矛盾纠纷联席研判会" in listing and f'data-meeting="{meeting_id}"' in listing


def test_the_follow_up_is_given_to_people_at_the_meetings_bodies_only(world):  # noqa: F811
    from app.models.meeting import MeetingTask

    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x", participant_ids=[str(world.ids["police"])]))
    page = world.client("mt_clerk_x").get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    owner_select = page.split('name="owner_id"')[1].split("</select>")[0]
    assert "陈俊杰" in owner_select and "郑警官" in owner_select  # the convener's staff and the police
    assert "彭家豪" not in owner_select  # 红草镇's clerk was not at the table
    due = (world.today() + dt.timedelta(days=3)).isoformat()
    r = world.post_on("mt_clerk_x", meeting_id, "tasks", {"text": "核查", "owner_id": str(world.user_id("mt_clerk_h")),
                                                          "due_on": due})
    assert r.status_code == 422 and "Choose who follows this up." in r.get_data(as_text=True)
    assert _count(world.app, MeetingTask) == 0


def test_a_due_day_before_the_meeting_or_no_owner_is_refused_and_what_was_typed_stays(world):  # noqa: F811
    from app.models.meeting import MeetingTask

    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x"))
    early = (world.today() - dt.timedelta(days=30)).isoformat()
    r = world.post_on("mt_clerk_x", meeting_id, "tasks", {"text": "走访涉事企业，了解欠薪情况", "owner_id": "",
                                                          "due_on": early}, lang="zh_CN")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "请更正标红的填写项" in html and "此项为必填项" in html  # the owner, in Chinese, beside the field
    assert "走访涉事企业，了解欠薪情况" in html and early in html  # what was typed is kept
    assert _count(world.app, MeetingTask) == 0
    r = world.post_on("mt_clerk_x", meeting_id, "tasks", {"text": "走访涉事企业", "owner_id": str(world.user_id("mt_clerk_x2")),
                                                          "due_on": early})
    html = r.get_data(as_text=True)
    meeting_day = (world.today() - dt.timedelta(days=10)).isoformat()
    assert r.status_code == 422 and f"The due day cannot be before the meeting ({meeting_day})." in html
    assert "走访涉事企业" in html and early in html
    assert _count(world.app, MeetingTask) == 0


def test_a_meeting_form_with_mistakes_stores_nothing_and_keeps_what_was_typed(world):  # noqa: F811
    from app.models.meeting import JointMeeting

    future = (world.today() + dt.timedelta(days=2)).isoformat()
    r = world.record_meeting("mt_clerk_x", held_on=future, chair="", title="凤山片区物业纠纷研判")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "This field is required." in html  # the chair
    assert "凤山片区物业纠纷研判" in html and future in html
    r = world.record_meeting("mt_clerk_x", held_on=future)
    assert r.status_code == 422 and "the day cannot be in the future" in r.get_data(as_text=True)
    # a body the clerk does not record for, even forged into the form, is refused
    r = world.record_meeting("mt_clerk_x", organization_id=str(world.ids["centre_h"]))
    assert r.status_code == 422 and "Choose the body that convened the meeting." in r.get_data(as_text=True)
    assert _count(world.app, JointMeeting) == 0


def test_an_unknown_or_out_of_reach_reference_reads_the_same(world):  # noqa: F811
    from app.models.meeting import MeetingItem

    theirs = world.register_case("hongcao", "centre_h", "红草镇欠薪纠纷")
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x"))
    r = world.post_on("mt_clerk_x", meeting_id, "items", {"kind": "case", "reference": theirs["case_no"], "note": "x"})
    assert r.status_code == 422 and f"No case has the number {theirs['case_no']}." in r.get_data(as_text=True)
    r = world.post_on("mt_clerk_x", meeting_id, "items", {"kind": "case", "reference": "（2099）粤0000民调1号"})
    assert r.status_code == 422 and "No case has the number （2099）粤0000民调1号." in r.get_data(as_text=True)
    for kind in ("alert", "hazard"):
        r = world.post_on("mt_clerk_x", meeting_id, "items", {"kind": kind, "reference": "999999"})
        assert r.status_code == 422 and f"No {kind} has the number 999999." in r.get_data(as_text=True)
    assert _count(world.app, MeetingItem) == 0


def test_another_centres_meeting_answers_404_everywhere(world):  # noqa: F811
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x"))
    other = world.client("mt_clerk_h")
    for path in (f"/meetings/show/{meeting_id}", f"/meetings/edit/{meeting_id}", f"/meetings/{meeting_id}/minutes.docx"):
        assert other.get(path).status_code == 404, path
    assert other.get(f"/meetings/show/{meeting_id + 1000}").status_code == 404  # as a missing one
    page = other.get("/meetings/add").get_data(as_text=True)
    r = other.post(f"/meetings/show/{meeting_id}/items", data={"csrf_token": csrf_token(page), "kind": "case",
                                                              "reference": "x"})
    assert r.status_code == 404
    assert "香洲街道第四季度" not in other.get("/meetings/list/").get_data(as_text=True)
    assert world.api("mt_clerk_h", "GET", f"/api/v1/meetings/{meeting_id}").status_code == 404
    # the district reads it; leadership and judges read without editing
    for login in ("mt_leader", "mt_judge", "admin"):
        assert world.client(login).get(f"/meetings/show/{meeting_id}").status_code == 200, login
    leader_page = world.client("mt_leader").get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    assert 'id="meeting-edit"' not in leader_page and 'id="task-form"' not in leader_page
    assert world.client("mt_leader").get(f"/meetings/edit/{meeting_id}").status_code in (302, 403)


def test_a_district_meeting_is_out_of_a_towns_sight(world):  # noqa: F811
    r = world.record_meeting("admin", organization_id=str(world.ids["district_centre"]), title="全区联席研判会")
    meeting_id = world.meeting_id(r)
    assert world.client("mt_clerk_x").get(f"/meetings/show/{meeting_id}").status_code == 404
    assert world.client("mt_judge").get("/meetings/add").status_code in (302, 403)  # judges read only
    court_meeting = world.meeting_id(world.record_meeting("admin", organization_id=str(world.ids["court"]),
                                                          title="法院召集的联席研判会"))
    # the court sits in 香洲街道, but a court body's meeting is the district's
    assert world.client("mt_clerk_x").get(f"/meetings/show/{court_meeting}").status_code == 404
    assert world.client("mt_leader").get(f"/meetings/show/{court_meeting}").status_code == 200


def test_cases_out_of_the_readers_sight_are_counted_not_named(world):  # noqa: F811
    ours = world.register_case("xiangzhou", "centre_x", "香洲街道物业服务合同纠纷")
    theirs = world.register_case("hongcao", "centre_h", "红草镇欠薪纠纷")
    # the district's administrator records 香洲街道's meeting, which discussed a case of 红草镇 too
    meeting_id = world.meeting_id(world.record_meeting("admin"))
    for case in (ours, theirs):
        r = world.post_on("admin", meeting_id, "items", {"kind": "case", "reference": case["case_no"], "note": "已研判"})
        assert r.status_code == 302
    page = world.client("mt_clerk_x").get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    assert ours["case_no"] in page and "香洲街道物业服务合同纠纷" in page
    assert theirs["case_no"] not in page and "红草镇欠薪纠纷" not in page
    assert 'id="items-hidden"' in page and ": 1 (not named here)" in page
    api = world.api("mt_clerk_x", "GET", f"/api/v1/meetings/{meeting_id}").get_json()["result"]
    assert [i["number"] for i in api["items"]] == [ours["case_no"]] and api["hidden_items"] == {"case": 1}
    full = world.client("admin").get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    assert theirs["case_no"] in full and 'id="items-hidden"' not in full


def test_an_edit_is_checked_against_the_version_read(world):  # noqa: F811
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x", participant_ids=[str(world.ids["police"])]))
    c = world.client("mt_clerk_x")
    page = c.get(f"/meetings/edit/{meeting_id}").get_data(as_text=True)
    assert 'value="香洲街道第四季度矛盾纠纷联席研判会"' in page and "checked" in page
    form = {"csrf_token": csrf_token(page), "version": "1", "held_on": (world.today() - dt.timedelta(days=10)).isoformat(),
            "title": "香洲街道联席研判会（修订）", "chair": "林婉婷", "organization_id": str(world.ids["centre_x"]),
            "participant_ids": [str(world.ids["police"]), str(world.ids["court"])], "decisions": "修订后的决定"}
    assert c.post(f"/meetings/edit/{meeting_id}", data=form).status_code == 302
    stored = _meeting(world.app, meeting_id)
    assert stored["title"] == "香洲街道联席研判会（修订）" and stored["version"] == 2
    assert stored["participants"] == sorted([world.ids["police"], world.ids["court"]])
    form["title"] = "被覆盖的标题"  # a second save from the page read at version 1
    r = c.post(f"/meetings/edit/{meeting_id}", data=form)
    assert r.status_code == 409 and "Someone else changed this meeting" in r.get_data(as_text=True)
    assert "被覆盖的标题" in r.get_data(as_text=True)  # what was typed is kept
    assert _meeting(world.app, meeting_id)["title"] == "香洲街道联席研判会（修订）"
    form.pop("version")
    r = c.post(f"/meetings/edit/{meeting_id}", data=form)
    assert r.status_code == 422 and _meeting(world.app, meeting_id)["version"] == 2


def test_the_meeting_pages_read_in_chinese(world):  # noqa: F811
    case = world.register_case("xiangzhou", "centre_x", "香洲街道物业服务合同纠纷")
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x"))
    world.post_on("mt_clerk_x", meeting_id, "items", {"kind": "case", "reference": case["case_no"]})
    due = (world.today() - dt.timedelta(days=1)).isoformat()
    world.post_on("mt_clerk_x", meeting_id, "tasks", {"text": "回访", "owner_id": str(world.user_id("mt_clerk_x")),
                                                      "due_on": due})
    c = world.client("mt_clerk_x", "zh_CN")
    for path in ("/meetings/list/", f"/meetings/show/{meeting_id}", "/meetings/add", f"/meetings/edit/{meeting_id}",
                 "/mywork/"):
        html = c.get(path).get_data(as_text=True)
        assert not untranslated_in(html), (path, untranslated_in(html))
        for english in ("Joint analysis meeting", "Follow-up", "Convening body", "Person responsible", "Overdue"):
            assert english not in html, (path, english)
    html = c.get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    assert "联席研判" in html and "逾期" in html


def test_items_and_open_follow_ups_can_be_taken_off_a_done_one_stays(world):  # noqa: F811
    from app.models.meeting import MeetingItem, MeetingTask

    case = world.register_case("xiangzhou", "centre_x", "香洲街道物业服务合同纠纷")
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x"))
    world.post_on("mt_clerk_x", meeting_id, "items", {"kind": "case", "reference": case["case_no"]})
    due = (world.today() + dt.timedelta(days=3)).isoformat()
    for text in ("回访甲", "回访乙"):
        world.post_on("mt_clerk_x", meeting_id, "tasks", {"text": text, "owner_id": str(world.user_id("mt_clerk_x")),
                                                          "due_on": due})
    from app.extensions import db

    with world.app.app_context():
        item_id = db.session.scalar(select(MeetingItem.id))
        tasks = {t.text: t.id for t in db.session.scalars(select(MeetingTask))}
    assert world.api("mt_clerk_x", "POST", f"/api/v1/meetings/tasks/{tasks['回访甲']}/done",
                     json={"note": "已回访"}).status_code == 200
    c = world.client("mt_clerk_x")
    page = c.get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
    token = csrf_token(page)
    assert c.post(f"/meetings/show/{meeting_id}/items/{item_id}/remove", data={"csrf_token": token}).status_code == 302
    assert _count(world.app, MeetingItem) == 0
    assert c.post(f"/meetings/show/{meeting_id}/items/{item_id}/remove", data={"csrf_token": token}).status_code == 404
    r = c.post(f"/meetings/show/{meeting_id}/tasks/{tasks['回访乙']}/remove", data={"csrf_token": token})
    assert r.status_code == 302 and _count(world.app, MeetingTask) == 1
    r = c.post(f"/meetings/show/{meeting_id}/tasks/{tasks['回访甲']}/remove", data={"csrf_token": token},
               follow_redirects=True)
    assert "A follow-up already done stays in the minutes." in r.get_data(as_text=True)
    assert _count(world.app, MeetingTask) == 1
    # another centre's clerk cannot take anything off this meeting
    other = world.client("mt_clerk_h")
    token = csrf_token(other.get("/meetings/add").get_data(as_text=True))
    r = other.post(f"/meetings/show/{meeting_id}/tasks/{tasks['回访甲']}/remove", data={"csrf_token": token})
    assert r.status_code == 404 and _count(world.app, MeetingTask) == 1
