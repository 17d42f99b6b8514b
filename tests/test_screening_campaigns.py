"""Screening campaigns (排查专项): the district creates one with a task per centre of its areas,
the centres see and report on their own tasks, and the district reads the progress per centre
— counted by one SQL GROUP BY, checked against numbers worked out by hand."""
from __future__ import annotations

import datetime as dt

import lxml.html
from sqlalchemy import event, func, select
from werkzeug.datastructures import MultiDict

from app.services.clock import today
from tests.fixtures import csrf_token
from tests.screening_world import campaign_form_data, create_campaign, form_values, world  # noqa: F401
from tests.untranslated import untranslated_in

FOCUS = "排查拖欠农民工工资、劳务费引发的矛盾"


def campaigns(app):
    from app.extensions import db
    from app.models.screening import ScreeningCampaign

    with app.app_context():
        return {c.id: (c.title, sorted(a.id for a in c.areas),
                       {t.organization_id: (t.instructions, t.due_on, t.done_on, t.report) for t in c.tasks})
                for c in db.session.scalars(select(ScreeningCampaign))}


def days(*offsets):
    return [(today() + dt.timedelta(days=o)).isoformat() for o in offsets]


def test_the_district_creates_a_campaign_offering_a_task_to_each_centre_of_its_areas(app, world):  # noqa: F811
    start, end = days(0, 30)
    district = world.client("scr_district")
    page = district.get("/screening/campaigns/add").get_data(as_text=True)
    assert not untranslated_in(page)
    data = MultiDict(campaign_form_data(world, page, "岁末年初欠薪问题排查专项", ["xz", "hc"], [], start, end,
                                        focus=FOCUS))
    data.add("offer", "1")
    page = district.post("/screening/campaigns/add", data=data).get_data(as_text=True)
    values = form_values(page, "campaign-form")
    offered = {values[f"tasks-{i}-organization_id"] for i in range(5) if values.get(f"tasks-{i}-organization_id")}
    assert offered == {str(world["xz_centre"]), str(world["hc_centre"])}  # one per centre, not the committee
    assert values["tasks-0-instructions"].strip() == FOCUS and values["tasks-0-due_on"] == end
    select_options = lxml.html.fromstring(page).xpath("//select[@name='tasks-0-organization_id']/option/@value")
    assert str(world["committee"]) in select_options  # may be added by hand
    assert str(world["police"]) not in select_options and str(world["court"]) not in select_options
    assert values["title"] == "岁末年初欠薪问题排查专项" and not untranslated_in(page)
    # the clerk adds the committee with its own instructions, then saves
    spare = next(i for i in range(8) if not values.get(f"tasks-{i}-organization_id"))
    values.update({f"tasks-{spare}-organization_id": str(world["committee"]),
                   f"tasks-{spare}-instructions": "走访辖区建筑工地", f"tasks-{spare}-due_on": days(20)[0]})
    r = district.post("/screening/campaigns/add", data=MultiDict(
        [(k, v) for k, v in values.items() if k != "areas"] + [("areas", str(world["xz"])), ("areas", str(world["hc"]))]))
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    (title, areas, tasks), = campaigns(app).values()
    assert title == "岁末年初欠薪问题排查专项" and areas == sorted([world["xz"], world["hc"]])
    assert tasks == {
        world["xz_centre"]: (FOCUS, dt.date.fromisoformat(end), None, None),
        world["hc_centre"]: (FOCUS, dt.date.fromisoformat(end), None, None),
        world["committee"]: ("走访辖区建筑工地", dt.date.fromisoformat(days(20)[0]), None, None),
    }
    shown = district.get(r.headers["Location"]).get_data(as_text=True)
    assert len(lxml.html.fromstring(shown).xpath("//table[@id='campaign-progress']/tbody/tr")) == 3
    assert not untranslated_in(shown)


def test_only_the_district_creates_campaigns(app, world):  # noqa: F811
    start, end = days(0, 10)
    for login in ("scr_xz", "scr_leader"):
        client = world.client(login)
        assert 'id="new-campaign"' not in client.get("/screening/campaigns/list/").get_data(as_text=True)
        # a centre's clerk may add campaigns to no one (the district's alone): it reads as missing;
        # leadership has no permission to create at all
        assert client.get("/screening/campaigns/add").status_code == (404 if login == "scr_xz" else 403)
        # a centre's clerk has a form's token; leadership has no form to take one from (400)
        page = client.get("/screening/hazards/add").get_data(as_text=True) if login == "scr_xz" else ""
        token = csrf_token(page) if "csrf_token" in page else "none"
        data = campaign_form_data(world, '<input name="csrf_token" value="%s">' % token, "越权专项", ["xz"],
                                  [("xz_centre", "排查", end)], start, end)
        assert client.post("/screening/campaigns/add", data=MultiDict(data)).status_code in (
            (404,) if login == "scr_xz" else (400, 403))
    assert campaigns(app) == {}


def test_a_bad_campaign_is_refused_keeping_what_was_typed(app, world):  # noqa: F811
    start, end, late = days(10, 20, 40)
    district = world.client("scr_district")
    page = district.get("/screening/campaigns/add?_l_=en").get_data(as_text=True)
    data = campaign_form_data(world, page, "春节前物业费矛盾排查", ["xz"],
                              [("xz_centre", "排查物业费", late), ("hc_centre", "排查物业费", start),
                               ("police", "越权", start)], end, start)
    r = district.post("/screening/campaigns/add?_l_=en", data=MultiDict(data))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Each task goes to a centre located in the areas taking part." in html  # 红草镇's centre, the police
    assert "春节前物业费矛盾排查" in html and "排查物业费" in html
    data = campaign_form_data(world, page, "春节前物业费矛盾排查", ["xz"], [("xz_centre", "排查物业费", late)], start, end)
    html = district.post("/screening/campaigns/add?_l_=en", data=MultiDict(data)).get_data(as_text=True)
    assert "A task falls due within the campaign" in html
    data = campaign_form_data(world, page, "春节前物业费矛盾排查", ["xz"], [("xz_centre", "排查物业费", start)], end, start)
    html = district.post("/screening/campaigns/add?_l_=en", data=MultiDict(data)).get_data(as_text=True)
    assert "The campaign cannot end before it starts." in html
    data = campaign_form_data(world, page, "春节前物业费矛盾排查", [], [], start, end)
    html = district.post("/screening/campaigns/add", data=MultiDict(data)).get_data(as_text=True)
    assert "请选择参与的镇街" in html and "请至少为一个中心下达任务" in html and not untranslated_in(html)
    assert campaigns(app) == {}


def test_a_centre_sees_only_its_campaigns_and_its_own_tasks(app, world):  # noqa: F811
    start, end = days(0, 15)
    shared = create_campaign(world, "欠薪排查", ["xz", "hc"], [("xz_centre", "排查", end), ("hc_centre", "排查", end)],
                             start, end)
    theirs = create_campaign(world, "红草镇物业排查", ["hc"], [("hc_centre", "排查", end)], start, end)
    xz = world.client("scr_xz")
    listed = lxml.html.fromstring(xz.get("/screening/campaigns/list/").get_data(as_text=True))
    assert [int(i) for i in listed.xpath("//tr/@data-campaign")] == [shared]
    assert xz.get(f"/screening/campaigns/show/{theirs}").status_code == 404
    page = xz.get(f"/screening/campaigns/show/{shared}").get_data(as_text=True)
    rows = lxml.html.fromstring(page).xpath("//table[@id='campaign-progress']/tbody/tr")
    assert [int(r.get("data-organization")) for r in rows] == [world["xz_centre"]]
    hc_task = next(int(r.get("data-task")) for r in lxml.html.fromstring(
        world.client("scr_district").get(f"/screening/campaigns/show/{shared}").get_data(as_text=True)).xpath(
        "//table[@id='campaign-progress']/tbody/tr") if int(r.get("data-organization")) == world["hc_centre"])
    assert xz.get(f"/screening/campaigns/task/{hc_task}").status_code == 404
    token = csrf_token(xz.get("/screening/hazards/add").get_data(as_text=True))
    r = xz.post(f"/screening/campaigns/task/{hc_task}/report", data={"csrf_token": token, "report": "伪造", "done": "1"})
    assert r.status_code == 404
    assert campaigns(app)[shared][2][world["hc_centre"]][2:] == (None, None)


def test_a_centre_reports_on_its_task_and_marks_it_done(app, world):  # noqa: F811
    start, end = days(0, 15)
    campaign = create_campaign(world, "欠薪排查", ["xz"], [("xz_centre", "排查欠薪", end)], start, end)
    xz = world.client("scr_xz")
    page = xz.get(f"/screening/campaigns/show/{campaign}").get_data(as_text=True)
    task = int(lxml.html.fromstring(page).xpath("//table[@id='campaign-progress']/tbody/tr/@data-task")[0])
    # the open task waits on the centre's My work, and leads to its page
    card = lxml.html.fromstring(xz.get("/mywork/").get_data(as_text=True)).get_element_by_id("mywork-screening-tasks")
    assert card.xpath(".//a[@class='mywork-link']/@href") == [f"/screening/campaigns/task/{task}"]
    page = xz.get(f"/screening/campaigns/task/{task}").get_data(as_text=True)
    assert 'id="mark-done"' in page and not untranslated_in(page)
    r = xz.post(f"/screening/campaigns/task/{task}/report", data={"csrf_token": csrf_token(page), "report": " ",
                                                                  "done": "1"})
    assert r.status_code == 422 and "标记完成前，请简要报告工作情况" in r.get_data(as_text=True)
    assert campaigns(app)[campaign][2][world["xz_centre"]][2] is None
    r = xz.post(f"/screening/campaigns/task/{task}/report", data={"csrf_token": csrf_token(page),
                                                                  "report": "走访企业12家，发现隐患2件"})
    assert r.status_code == 302 and campaigns(app)[campaign][2][world["xz_centre"]][2:] == (None, "走访企业12家，发现隐患2件")
    r = xz.post(f"/screening/campaigns/task/{task}/report", data={"csrf_token": csrf_token(page),
                                                                  "report": "走访企业12家，发现隐患2件，均已化解", "done": "1"})
    assert r.status_code == 302
    assert campaigns(app)[campaign][2][world["xz_centre"]][2:] == (today(), "走访企业12家，发现隐患2件，均已化解")
    assert 'id="mywork-screening-tasks"' not in xz.get("/mywork/").get_data(as_text=True)  # done: gone
    page = world.client("scr_leader").get(f"/screening/campaigns/show/{campaign}").get_data(as_text=True)
    assert today().isoformat() in page and "已完成" in page


def seed_hazards(app, world, campaign, other_campaign):
    """A fixed set of hazards (golden data, inserted as they stand)."""
    from app.extensions import db
    from app.models.screening import Hazard

    rows = [  # (centre, campaign, status, risk)
        ("xz_centre", campaign, "open", "high"), ("xz_centre", campaign, "converted", "medium"),
        ("xz_centre", campaign, "dissolved", "high"), ("xz_centre", campaign, "open", "low"),
        ("hc_centre", campaign, "dissolved", "low"), ("hc_centre", campaign, "open", "medium"),
        ("xz_centre", None, "open", "high"),  # no campaign: not counted
        ("xz_centre", other_campaign, "converted", "high"),  # another campaign: not counted
    ]
    area = {"xz_centre": world["xz"], "hc_centre": world["hc"]}
    with app.app_context():
        for n, (centre, in_campaign, status, risk) in enumerate(rows):
            db.session.add(Hazard(organization_id=world[centre], area_id=area[centre], campaign_id=in_campaign,
                                  title=f"隐患{n}", found_on=today(), status=status, risk_level=risk))
        db.session.commit()


def progress_of(page: str) -> dict:
    rows = lxml.html.fromstring(page).xpath("//table[@id='campaign-progress']/tbody/tr")
    return {int(r.get("data-organization")): tuple(int(r.xpath(f".//td[contains(@class,'{c}')]")[0].text_content())
                                                   for c in ("hazards", "converted", "dissolved", "high"))
            for r in rows}


def totals_of(page: str) -> dict:
    p = lxml.html.fromstring(page).get_element_by_id("campaign-totals")
    return {k: int(p.get(f"data-{k}")) for k in ("tasks", "done", "hazards", "converted", "dissolved", "high")}


def test_the_district_reads_the_progress_per_centre(app, world, monkeypatch):  # noqa: F811
    from app.extensions import db
    from app.reports.scope import report_scope
    from app.services import screening as svc

    start, end = days(0, 15)
    campaign = create_campaign(world, "欠薪排查", ["xz", "hc"], [("xz_centre", "排查", end), ("hc_centre", "排查", end),
                                                              ("committee", "排查", end)], start, end)
    other = create_campaign(world, "物业费排查", ["xz"], [("xz_centre", "排查", end)], start, end)
    seed_hazards(app, world, campaign, other)
    # 红草镇 reports done
    hc = world.client("scr_hc")
    task = int(lxml.html.fromstring(hc.get(f"/screening/campaigns/show/{campaign}").get_data(as_text=True)).xpath(
        "//table[@id='campaign-progress']/tbody/tr/@data-task")[0])
    page = hc.get(f"/screening/campaigns/task/{task}").get_data(as_text=True)
    hc.post(f"/screening/campaigns/task/{task}/report", data={"csrf_token": csrf_token(page), "report": "完成", "done": "1"})
    expected = {world["xz_centre"]: (4, 1, 1, 2), world["hc_centre"]: (2, 0, 1, 0), world["committee"]: (0, 0, 0, 0)}
    for login in ("scr_district", "scr_leader"):
        page = world.client(login).get(f"/screening/campaigns/show/{campaign}").get_data(as_text=True)
        assert progress_of(page) == expected
        assert totals_of(page) == {"tasks": 3, "done": 1, "hazards": 6, "converted": 1, "dissolved": 2, "high": 2}
        assert not untranslated_in(page)
    # a street centre follows its own task and its committee's
    page = world.client("scr_xz").get(f"/screening/campaigns/show/{campaign}").get_data(as_text=True)
    assert progress_of(page) == {k: v for k, v in expected.items() if k != world["hc_centre"]}
    assert totals_of(page) == {"tasks": 2, "done": 0, "hazards": 4, "converted": 1, "dissolved": 1, "high": 2}
    # the list counts the same, within each reader's scope
    listed = lxml.html.fromstring(world.client("scr_district").get("/screening/campaigns/list/").get_data(as_text=True))
    row = listed.xpath(f"//tr[@data-campaign='{campaign}']/td")
    assert row[4].text_content().strip() == "1 / 3" and row[5].text_content().strip() == "6"
    # two statements whatever the number of tasks and hazards: the totals and the page
    with app.app_context():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            from app.models.screening import ScreeningCampaign

            scope = report_scope(app.appbuilder.sm.find_user(username="scr_leader"))
            found = db.session.get(ScreeningCampaign, campaign)
            statements.clear()
            rows, totals, _page = svc.progress(found, scope)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(statements) == 2 and all("GROUP BY" in s.upper() for s in statements)
        assert {r.organization_id: (r.hazards, r.converted, r.dissolved, r.high) for r in rows} == expected
        assert db.session.scalar(select(func.count()).select_from(ScreeningCampaign)) == 2
    # paged when long: two centres a page here
    monkeypatch.setattr(svc, "PROGRESS_PAGE_SIZE", 2)
    district = world.client("scr_district")
    first = progress_of(district.get(f"/screening/campaigns/show/{campaign}").get_data(as_text=True))
    second = progress_of(district.get(f"/screening/campaigns/show/{campaign}?page=1").get_data(as_text=True))
    assert len(first) == 2 and len(second) == 1 and {**first, **second} == expected


def test_a_centre_reads_but_never_reports_another_bodys_task(app, world):  # noqa: F811
    """The town's clerk sees the task of the committee located in the town, but only the
    committee reports on it: the district's progress per body is each body's own word."""
    start, end = days(0, 15)
    campaign = create_campaign(world, "物业费排查", ["xz"], [("xz_centre", "排查物业费", end),
                                                        ("committee", "排查物业费", end)], start, end)
    xz = world.client("scr_xz")
    page = xz.get(f"/screening/campaigns/show/{campaign}").get_data(as_text=True)
    rows = lxml.html.fromstring(page).xpath("//table[@id='campaign-progress']/tbody/tr")
    task_of = {int(r.get("data-organization")): int(r.get("data-task")) for r in rows}
    theirs, mine = task_of[world["committee"]], task_of[world["xz_centre"]]
    assert 'id="mark-done"' not in xz.get(f"/screening/campaigns/task/{theirs}").get_data(as_text=True)
    token = csrf_token(xz.get(f"/screening/campaigns/task/{mine}").get_data(as_text=True))
    r = xz.post(f"/screening/campaigns/task/{theirs}/report",
                data={"csrf_token": token, "report": "代为报告", "done": "1"})
    assert r.status_code == 403
    assert campaigns(app)[campaign][2][world["committee"]][2:] == (None, None)
    # its own task, once done, keeps a report: an empty one cannot wipe it
    page = xz.get(f"/screening/campaigns/task/{mine}").get_data(as_text=True)
    assert xz.post(f"/screening/campaigns/task/{mine}/report", data={
        "csrf_token": csrf_token(page), "report": "走访企业8家", "done": "1"}).status_code == 302
    r = xz.post(f"/screening/campaigns/task/{mine}/report", data={"csrf_token": csrf_token(page), "report": " "})
    assert r.status_code == 422
    assert campaigns(app)[campaign][2][world["xz_centre"]][2:] == (today(), "走访企业8家")
