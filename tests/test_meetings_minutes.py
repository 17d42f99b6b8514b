"""The minutes of a joint analysis meeting as DOCX, read back with python-docx and checked
against the meeting as stored: facts, bodies, items (only those the reader may see, with
mobile and ID numbers masked), decisions and the follow-ups table."""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import unquote

from docx import Document

from tests.meetings_world import world  # noqa: F401 (fixture)


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _read(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    doc = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return paragraphs, tables


def _stored(app, meeting_id):
    from app.extensions import db
    from app.models.meeting import JointMeeting

    with app.app_context():
        m = db.session.get(JointMeeting, meeting_id)
        return {"held_on": m.held_on, "title": m.title, "place": m.place, "chair": m.chair,
                "convener": m.organization.name, "participants": sorted(o.name for o in m.participants),
                "tasks": [(t.text, t.owner.last_name + t.owner.first_name, t.due_on, t.done_on) for t in m.tasks]}


def test_the_minutes_read_back_as_the_meeting_was_recorded(world):  # noqa: F811
    ours = world.register_case("xiangzhou", "centre_x", "香洲街道物业服务合同纠纷")
    theirs = world.register_case("hongcao", "centre_h", "红草镇欠薪纠纷")
    held = world.today() - dt.timedelta(days=10)
    meeting_id = world.meeting_id(world.record_meeting(
        "admin", held_on=held.isoformat(), participant_ids=[str(world.ids["police"]), str(world.ids["centre_h"])],
        decisions="一、物业纠纷由综治中心牵头化解。\n二、欠薪案件移送劳动监察。"))
    world.post_on("admin", meeting_id, "items", {"kind": "case", "reference": ours["case_no"],
                                                 "note": "业主代表林先生（13802661234）愿意调解"})
    world.post_on("admin", meeting_id, "items", {"kind": "case", "reference": theirs["case_no"], "note": "移送"})
    due_done, due_open = world.today() - dt.timedelta(days=1), world.today() + dt.timedelta(days=5)
    for text, owner, due in (("召集业主代表座谈", "mt_clerk_x2", due_done), ("通报处理结果", "mt_clerk_x", due_open)):
        r = world.post_on("admin", meeting_id, "tasks", {"text": text, "owner_id": str(world.user_id(owner)),
                                                         "due_on": due.isoformat()})
        assert r.status_code == 302
    from tests.test_meetings_work import _task_ids

    task_id = _task_ids(world.app, meeting_id)["召集业主代表座谈"]
    assert world.api("mt_clerk_x2", "POST", f"/api/v1/meetings/tasks/{task_id}/done",
                     json={"note": "已召开座谈会"}).status_code == 200
    stored = _stored(world.app, meeting_id)

    r = world.client("mt_clerk_x").get(f"/meetings/{meeting_id}/minutes.docx")
    disposition = r.headers["Content-Disposition"]
    assert f"联席研判会议纪要-{held:%Y%m%d}.docx" in unquote(disposition) and "filename=\"meeting-minutes-" in disposition
    paragraphs, tables = _read(r)
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "联席研判会议纪要" and paragraphs[1] == stored["title"]
    assert f"会议时间：{cn(stored['held_on'])}" in paragraphs
    assert f"会议地点：{stored['place']}" in paragraphs and f"主持人：{stored['chair']}" in paragraphs
    assert f"召集单位：{stored['convener']}" in paragraphs
    assert "参会单位：" + "、".join(stored["participants"]) in paragraphs
    assert "一、物业纠纷由综治中心牵头化解。" in paragraphs and "二、欠薪案件移送劳动监察。" in paragraphs
    items, tasks = tables
    assert items[0] == ["序号", "类别", "编号", "名称", "研判意见"]
    # the reader (香洲街道's clerk) may see one of the two cases: the other is counted, not named
    assert items[1:] == [["1", "案件", ours["case_no"], "香洲街道物业服务合同纠纷", "业主代表林先生（138****1234）愿意调解"]]
    assert theirs["case_no"] not in text + str(tables) and "红草镇欠薪纠纷" not in text + str(tables)
    assert "另有案件1件不在下载人的查看范围内，未列出。" in paragraphs
    assert "13802661234" not in text + str(tables)
    assert tasks[0] == ["序号", "事项", "责任人", "完成时限", "状态"]
    expected = []
    for i, (task_text, owner, due, done_on) in enumerate(stored["tasks"], start=1):
        state = f"已完成（{cn(done_on)}）" if done_on else "未完成"
        expected.append([str(i), task_text, owner, cn(due), state])
    assert tasks[1:] == expected
    assert tasks[1] == ["1", "召集业主代表座谈", "陈俊杰", cn(due_done), f"已完成（{cn(world.today())}）"]
    assert tasks[2] == ["2", "通报处理结果", "林婉婷", cn(due_open), "未完成"]

    # the district's reader gets both cases, whatever the language of their pages
    _paragraphs, (items, _tasks) = _read(world.client("mt_leader", "en").get(f"/meetings/{meeting_id}/minutes.docx"))
    assert [row[2] for row in items[1:]] == [ours["case_no"], theirs["case_no"]]
    assert not any("不在下载人的查看范围内" in p for p in _paragraphs)


def test_an_empty_meeting_says_so_and_an_overdue_task_is_marked(world):  # noqa: F811
    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x", place="", summary="", decisions=""))
    r = world.post_on("mt_clerk_x", meeting_id, "tasks", {"text": "补报材料", "owner_id": str(world.user_id("mt_clerk_x")),
                                                          "due_on": (world.today() - dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 302
    paragraphs, tables = _read(world.client("mt_clerk_x").get(f"/meetings/{meeting_id}/minutes.docx"))
    assert "会议地点：—" in paragraphs
    assert paragraphs[paragraphs.index("一、研判事项") + 1] == "无"
    assert paragraphs[paragraphs.index("三、会议决定") + 1] == "无"
    (tasks,) = tables
    assert tasks[1][4] == "已超期"


def test_a_minutes_download_is_logged(world):  # noqa: F811
    from sqlalchemy import select

    from app.extensions import db
    from app.models import AuditEvent
    from tests import helpers

    meeting_id = world.meeting_id(world.record_meeting("mt_clerk_x"))
    with world.app.app_context():
        mark = helpers.audit_mark()
    assert world.client("mt_clerk_x").get(f"/meetings/{meeting_id}/minutes.docx").status_code == 200
    with world.app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.id > mark)).all()
        assert [(e.table_name, e.row_id, e.action) for e in rows] == [("joint_meeting", meeting_id, "download")]
