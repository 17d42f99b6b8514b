"""Hazards (矛盾隐患): a centre records the dispute risks it finds with the people involved (checked
and normalised like the intake's parties, masked on display), follows them, dissolves them or
registers them as cases through the one registration path — and nobody reads or writes another
centre's hazards."""
from __future__ import annotations

import datetime as dt

import lxml.html
from sqlalchemy import func, select

from app.intake.payload import flatten
from app.services.clock import today
from tests.fixtures import csrf_token
from tests.screening_world import (  # noqa: F401 (fixture)
    create_campaign,
    form_values,
    hazard_form_data,
    record_hazard,
    world,
)
from tests.untranslated import untranslated_in

ORGANISATION_CODE = "91350100M000100Y43"
PEOPLE = [
    {"kind": "person", "name": "林晓明", "id_number": "11010519491231002x", "mobile": "１３８０２６６１２３４",
     "note": "业主代表"},
    {"kind": "organization", "name": "汕尾市安居物业管理有限公司", "id_number": ORGANISATION_CODE,
     "mobile": "0660-3312345", "note": "物业服务企业"},
]


def hazards(app):
    from app.extensions import db
    from app.models.screening import Hazard

    with app.app_context():
        return {h.id: (h.status, h.case_id, h.organization_id, [(p.kind, p.name, p.id_number, p.mobile)
                                                                 for p in h.parties])
                for h in db.session.scalars(select(Hazard))}


def case_count(app):
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        return db.session.scalar(select(func.count(Case.id)))


def test_a_centre_records_a_hazard_with_the_people_involved(app, world):  # noqa: F811
    hazard_id = record_hazard(world, "scr_xz", area_id=str(world["village"]), found_on=today().isoformat(),
                              risk_level="high", parties=PEOPLE)
    status, case_id, org, parties = hazards(app)[hazard_id]
    assert (status, case_id, org) == ("open", None, world["xz_centre"])
    # stored as the intake stores parties: ASCII digits, an upper-case X, the landline kept
    assert parties == [("person", "林晓明", "11010519491231002X", "13802661234"),
                       ("organization", "汕尾市安居物业管理有限公司", ORGANISATION_CODE, "0660-3312345")]
    page = world.client("scr_xz").get(f"/screening/hazards/show/{hazard_id}").get_data(as_text=True)
    assert "110105********002X" in page and "138****1234" in page
    assert "11010519491231002X" not in page and "13802661234" not in page
    assert "香城社区" in page and "高风险" in page and "跟进中" in page
    assert not untranslated_in(page)


def test_bad_people_are_refused_as_the_intake_refuses_them_keeping_what_was_typed(app, world):  # noqa: F811
    clerk = world.client("scr_xz")
    page = clerk.get("/screening/hazards/add").get_data(as_text=True)
    r = clerk.post("/screening/hazards/add", data=hazard_form_data(
        page, title="欠薪苗头", area_id=str(world["xz"]), found_on=today().isoformat(), risk_level="low",
        parties=[{"kind": "person", "name": "陈大文", "id_number": "110105194912310021", "mobile": "1380266"},
                 {"kind": "organization", "name": "某建筑公司", "id_number": "91350100M000100Y44"}]))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "该身份证号码的校验码有误" in html and "手机号码应为以1开头的11位数字" in html
    assert "统一社会信用代码" in html
    assert "欠薪苗头" in html and "陈大文" in html  # what was typed stays
    assert hazards(app) == {}
    assert not untranslated_in(html)


def test_a_centre_records_only_in_its_own_area_and_campaigns(app, world):  # noqa: F811
    other_campaign = create_campaign(world, "红草镇欠薪排查", ["hc"], [("hc_centre", "排查欠薪", today().isoformat())],
                                     today().isoformat(), today().isoformat())
    clerk = world.client("scr_xz")
    page = clerk.get("/screening/hazards/add?_l_=en").get_data(as_text=True)
    assert "红草镇" not in page.split('name="area_id"')[1].split("</select>")[0]
    r = clerk.post("/screening/hazards/add?_l_=en", data=hazard_form_data(
        page, area_id=str(world["hc"]), found_on=today().isoformat(), campaign_id=str(other_campaign)))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "This area is outside what your organisation handles" in html
    assert "Choose a campaign your centre takes part in" in html
    assert hazards(app) == {}
    # a found day in the future is refused too
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    r = clerk.post("/screening/hazards/add?_l_=en", data=hazard_form_data(page, area_id=str(world["xz"]),
                                                                           found_on=tomorrow))
    assert r.status_code == 422 and "cannot be in the future" in r.get_data(as_text=True)
    # the district and leadership record none: the centres do
    assert world.client("scr_district").get("/screening/hazards/add").status_code == 302
    assert hazards(app) == {}


def test_hazards_are_read_and_written_only_within_scope(app, world):  # noqa: F811
    ours = record_hazard(world, "scr_xz", title="香洲业主物业费纠纷苗头", area_id=str(world["xz"]),
                         found_on=today().isoformat(), risk_level="high")
    theirs = record_hazard(world, "scr_hc", title="红草欠薪苗头", area_id=str(world["hc"]),
                           found_on=today().isoformat(), risk_level="low")
    xz = world.client("scr_xz")
    listed = lxml.html.fromstring(xz.get("/screening/hazards/list/").get_data(as_text=True))
    assert [int(i) for i in listed.xpath("//tr/@data-hazard")] == [ours]
    for path in (f"/screening/hazards/show/{theirs}", f"/screening/hazards/register/{theirs}",
                 f"/case/intake/traffic?hazard={theirs}", f"/screening/hazards/list/?area={world['hc']}"):
        assert xz.get(path).status_code == 404, path
    token = csrf_token(xz.get("/screening/hazards/add").get_data(as_text=True))
    assert xz.post(f"/screening/hazards/dissolve/{theirs}", data={"csrf_token": token, "note": "伪造"}).status_code == 404
    before = case_count(app)
    assert xz.post(f"/case/intake/traffic?hazard={theirs}", data={"csrf_token": token}).status_code == 404
    assert case_count(app) == before and hazards(app)[theirs][0] == "open"
    assert world.api("scr_xz", "GET", f"/api/v1/hazards/{theirs}").status_code == 404
    assert world.api("scr_xz", "POST", f"/api/v1/hazards/{theirs}/dissolve", json={"note": "伪造"}).status_code == 404
    assert world.api("scr_xz", "POST", f"/api/v1/hazards/{theirs}/register", json={}).status_code == 404
    answer = world.api("scr_xz", "GET", "/api/v1/hazards/").get_json()
    assert answer["count"] == 1 and [h["id"] for h in answer["result"]] == [ours]
    # the district and leadership read them all; leadership changes none
    for login in ("scr_district", "scr_leader"):
        page = world.client(login).get("/screening/hazards/list/").get_data(as_text=True)
        assert {int(i) for i in lxml.html.fromstring(page).xpath("//tr/@data-hazard")} == {ours, theirs}
        assert world.api(login, "GET", "/api/v1/hazards/").get_json()["count"] == 2
    leader = world.client("scr_leader")
    assert 'id="register-hazard"' not in leader.get(f"/screening/hazards/show/{ours}").get_data(as_text=True)
    assert world.api("scr_leader", "POST", f"/api/v1/hazards/{ours}/dissolve", json={"note": "x"}).status_code == 403
    assert hazards(app)[ours][0] == "open"


def test_the_list_filters_by_status_risk_area_and_campaign_and_pages(app, world, monkeypatch):  # noqa: F811
    from app.services import hazards as svc

    day = today().isoformat()
    campaign = create_campaign(world, "物业费矛盾排查", ["xz"], [("xz_centre", "排查物业费矛盾", day)], day, day)
    in_campaign = record_hazard(world, "scr_xz", area_id=str(world["village"]), found_on=day, risk_level="high",
                                campaign_id=str(campaign))
    plain = record_hazard(world, "scr_xz", area_id=str(world["xz"]), found_on=day, risk_level="low")
    district = world.client("scr_district")

    def listed(query):
        page = district.get(f"/screening/hazards/list/?{query}").get_data(as_text=True)
        return [int(i) for i in lxml.html.fromstring(page).xpath("//tr/@data-hazard")]

    assert listed(f"campaign={campaign}") == [in_campaign]
    assert listed("risk=low") == [plain]
    assert listed(f"area={world['village']}") == [in_campaign]
    assert listed(f"area={world['xz']}") == [plain, in_campaign]  # the area and those below, newest first
    assert listed(f"area={world['hc']}") == []
    xz = world.client("scr_xz")
    token = csrf_token(xz.get(f"/screening/hazards/show/{plain}").get_data(as_text=True))
    assert xz.post(f"/screening/hazards/dissolve/{plain}", data={"csrf_token": token, "note": "已调处"}).status_code == 302
    assert listed("status=dissolved") == [plain] and listed("status=open") == [in_campaign]
    monkeypatch.setattr(svc, "PAGE_SIZE", 1)
    assert listed("page=0") == [plain] and listed("page=1") == [in_campaign] and listed("page=9") == [in_campaign]
    answer = world.api("scr_district", "GET", "/api/v1/hazards/?page=1&page_size=1").get_json()
    assert answer["count"] == 2 and [h["id"] for h in answer["result"]] == [in_campaign]
    assert answer["result"][0]["area"]["name"] == "香城社区" and answer["result"][0]["campaign"]["id"] == campaign


def test_a_hazard_is_dissolved_once_with_a_note(app, world):  # noqa: F811
    hazard_id = record_hazard(world, "scr_xz", area_id=str(world["xz"]), found_on=today().isoformat())
    clerk = world.client("scr_xz")
    token = csrf_token(clerk.get(f"/screening/hazards/show/{hazard_id}").get_data(as_text=True))
    clerk.post(f"/screening/hazards/dissolve/{hazard_id}", data={"csrf_token": token, "note": " "})
    assert hazards(app)[hazard_id][0] == "open"
    r = clerk.post(f"/screening/hazards/dissolve/{hazard_id}", data={"csrf_token": token, "note": "经调解双方和解"},
                   follow_redirects=True)
    assert hazards(app)[hazard_id][0] == "dissolved" and "经调解双方和解" in r.get_data(as_text=True)
    r = world.api("scr_xz", "POST", f"/api/v1/hazards/{hazard_id}/dissolve", json={"note": "再次"})
    assert r.status_code == 422 and "already dissolved" in str(r.get_json()["message"])
    assert 'id="register-hazard"' not in clerk.get(f"/screening/hazards/show/{hazard_id}").get_data(as_text=True)


def registration_data(app, page: str) -> dict:
    """The registration form as prefilled, with the traffic details a clerk would add."""
    from app.extensions import jiefen

    data = {k: v for k, v in form_values(page, "intake-form").items() if not k.startswith("intake-")}
    with app.app_context():
        sample = dict(jiefen().registry.samples["traffic"])
    data.update(flatten({"intake": sample}).to_dict())
    data["confirm_duplicates"] = "y"
    return data


def test_a_hazard_registered_as_a_case_keeps_the_link_both_ways(app, world):  # noqa: F811
    from app.extensions import db
    from app.models import Case, TimelineEvent

    hazard_id = record_hazard(world, "scr_xz", title="林晓明与安居物业交通纠纷苗头", dispute_type="traffic",
                              description="小区车辆剐蹭业主，物业拒绝赔偿。", area_id=str(world["village"]),
                              found_on=today().isoformat(), risk_level="high", parties=PEOPLE)
    clerk = world.client("scr_xz")
    r = clerk.get(f"/screening/hazards/register/{hazard_id}")
    assert r.status_code == 302 and f"/case/intake/traffic?hazard={hazard_id}" in r.headers["Location"]
    page = clerk.get(f"/case/intake/traffic?hazard={hazard_id}").get_data(as_text=True)
    prefilled = form_values(page, "intake-form")
    assert prefilled["title"] == "林晓明与安居物业交通纠纷苗头"
    assert prefilled["description"].strip() == "小区车辆剐蹭业主，物业拒绝赔偿。"
    assert prefilled["area_id"] == str(world["village"]) and prefilled["organization_id"] == str(world["xz_centre"])
    assert [prefilled[f"parties-{i}-{k}"] for i in (0, 1) for k in ("kind", "role", "name", "id_number", "mobile")] == [
        "person", "applicant", "林晓明", "11010519491231002X", "13802661234",
        "organization", "respondent", "汕尾市安居物业管理有限公司", ORGANISATION_CODE, "0660-3312345"]
    assert 'id="intake-hazard"' in page and not untranslated_in(page)
    r = clerk.post(f"/case/intake/traffic?hazard={hazard_id}", data=registration_data(app, page))
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    case_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    status, linked, _org, _parties = hazards(app)[hazard_id]
    assert (status, linked) == ("converted", case_id)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert [(p.role, p.name, p.mobile) for p in case.parties] == [
            ("applicant", "林晓明", "13802661234"), ("respondent", "汕尾市安居物业管理有限公司", "0660-3312345")]
        assert db.session.scalars(select(TimelineEvent.action).where(
            TimelineEvent.case_id == case_id, TimelineEvent.kind == "screening")).all() == ["from_hazard"]
    case_page = clerk.get(f"/case/show/{case_id}").get_data(as_text=True)
    link = lxml.html.fromstring(case_page).get_element_by_id("case-hazard")
    assert link.xpath(".//a/@href") == [f"/screening/hazards/show/{hazard_id}"]
    assert "由排查发现的矛盾隐患登记为案件" in case_page
    hazard_page = clerk.get(f"/screening/hazards/show/{hazard_id}").get_data(as_text=True)
    assert lxml.html.fromstring(hazard_page).get_element_by_id("hazard-case").xpath(".//a/@href") == [
        f"/case/show/{case_id}"]
    assert 'id="register-hazard"' not in hazard_page and "已登记为案件" in hazard_page
    # once converted, the hazard is registered no second time, by the form or the API
    before = case_count(app)
    r = clerk.post(f"/case/intake/traffic?hazard={hazard_id}", data=registration_data(app, page))
    assert r.status_code == 302 and f"/screening/hazards/show/{hazard_id}" in r.headers["Location"]
    assert world.api("scr_xz", "POST", f"/api/v1/hazards/{hazard_id}/register", json={}).status_code == 422
    assert case_count(app) == before


def test_a_hazard_without_a_type_asks_for_it(app, world):  # noqa: F811
    hazard_id = record_hazard(world, "scr_xz", area_id=str(world["xz"]), found_on=today().isoformat(),
                              parties=PEOPLE[:1])
    page = world.client("scr_xz").get(f"/screening/hazards/register/{hazard_id}").get_data(as_text=True)
    links = lxml.html.fromstring(page).xpath("//div[@id='hazard-types']/a/@href")
    assert f"/case/intake/traffic?hazard={hazard_id}" in links and len(links) >= 2
    assert not untranslated_in(page)


def test_a_refused_registration_leaves_the_hazard_followed(app, world):  # noqa: F811
    hazard_id = record_hazard(world, "scr_xz", dispute_type="traffic", area_id=str(world["xz"]),
                              found_on=today().isoformat(), parties=PEOPLE)
    clerk = world.client("scr_xz")
    page = clerk.get(f"/case/intake/traffic?hazard={hazard_id}").get_data(as_text=True)
    data = registration_data(app, page)
    data["title"] = ""
    before = case_count(app)
    r = clerk.post(f"/case/intake/traffic?hazard={hazard_id}", data=data)
    assert r.status_code == 200 and 'id="intake-hazard"' in r.get_data(as_text=True)
    assert case_count(app) == before and hazards(app)[hazard_id][:2] == ("open", None)


def test_the_api_registers_a_hazard_from_its_own_details(app, world):  # noqa: F811
    from app.extensions import jiefen

    hazard_id = record_hazard(world, "scr_xz", title="业主与物业交通纠纷苗头", dispute_type="traffic",
                              area_id=str(world["xz"]), found_on=today().isoformat(), parties=PEOPLE)
    shown = world.api("scr_xz", "GET", f"/api/v1/hazards/{hazard_id}").get_json()["result"]
    assert [p["mobile"] for p in shown["parties"]] == ["138****1234", "066*****2345"]
    with app.app_context():
        sample = dict(jiefen().registry.samples["traffic"])
    r = world.api("scr_xz", "POST", f"/api/v1/hazards/{hazard_id}/register",
                  json={"intake": sample, "confirm_duplicates": True})
    assert r.status_code == 201, r.get_json()
    answer = r.get_json()
    assert answer["hazard_id"] == hazard_id and hazards(app)[hazard_id][:2] == ("converted", answer["id"])
    case = world.api("scr_xz", "GET", f"/api/v1/case/{answer['id']}").get_json()["result"]
    assert case["title"] == "业主与物业交通纠纷苗头" and case["area"]["id"] == world["xz"]


def test_an_id_that_cannot_exist_is_simply_not_found(app, world):  # noqa: F811
    clerk = world.client("scr_xz")
    for pk in ("0", "-1", str(2**31), str(2**63), "9" * 40):
        for path in (f"/screening/hazards/show/{pk}", f"/screening/hazards/register/{pk}",
                     f"/screening/campaigns/show/{pk}", f"/screening/campaigns/task/{pk}",
                     f"/case/intake/traffic?hazard={pk}", f"/screening/hazards/list/?area={pk}"):
            r = clerk.get(path)
            assert r.status_code in (200, 404), (path, r.status_code)
            assert r.status_code == 404 or "area=" in path  # a malformed filter reads as none
        assert world.api("scr_xz", "GET", f"/api/v1/hazards/{pk}").status_code == 404
