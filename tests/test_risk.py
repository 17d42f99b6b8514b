"""Risk assessment (风险研判): a centre rates a case low, medium or high with its reasons, on the
case page or through the API with the version it read; the rating is kept, the case carries the
newest, the timeline and the audit log tell it, and high-risk cases are flagged in the list."""
from __future__ import annotations

import lxml.html
from sqlalchemy import select

from tests import helpers
from tests.fixtures import csrf_token
from tests.screening_world import world  # noqa: F401 (fixture)
from tests.untranslated import untranslated_in


def rate_on_page(client, case_id, level, reasons, version=None):
    page = client.get(f"/case/{case_id}/risk").get_data(as_text=True)
    sent_version = version if version is not None else lxml.html.fromstring(page).xpath(
        "//input[@name='version']/@value")[0]
    return client.post(f"/case/{case_id}/risk", data={"csrf_token": csrf_token(page), "version": sent_version,
                                                      "level": level, "reasons": reasons})


def stored(app, case_id):
    from app.extensions import db
    from app.models import Case
    from app.models.screening import RiskAssessment

    with app.app_context():
        case = db.session.get(Case, case_id)
        rows = db.session.scalars(select(RiskAssessment).where(RiskAssessment.case_id == case_id)
                                  .order_by(RiskAssessment.id)).all()
        return case.risk_level, case.version, [(r.level, r.reasons) for r in rows]


def test_a_centre_rates_a_case_high_on_the_case_page(app, world):  # noqa: F811
    from app.extensions import db
    from app.models import AuditEvent, TimelineEvent

    case_id = world.register_case("scr_xz", "xz", "xz_centre")
    with app.app_context():
        mark = helpers.audit_mark()
    clerk = world.client("scr_xz")
    page = clerk.get(f"/case/show/{case_id}").get_data(as_text=True)
    assert 'id="rate-risk"' in page and "未评估" in page  # offered while the case is being screened
    r = rate_on_page(clerk, case_id, "high", "涉及十余名工人集体讨薪，扬言上访。")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/case/show/{case_id}")
    assert stored(app, case_id)[0] == "high"
    assert stored(app, case_id)[2] == [("high", "涉及十余名工人集体讨薪，扬言上访。")]
    page = clerk.get(f"/case/show/{case_id}").get_data(as_text=True)
    assert 'id="case-high-risk"' in page and "高风险" in page
    assert "风险研判：高风险" in page or "风险研判: 高风险" in page  # on the timeline
    assert not untranslated_in(page)
    with app.app_context():
        events = db.session.scalars(select(TimelineEvent).where(TimelineEvent.case_id == case_id,
                                                                TimelineEvent.kind == "risk")).all()
        assert [(e.action, e.data["level"], e.note) for e in events] == [
            ("rate_risk", "high", "涉及十余名工人集体讨薪，扬言上访。")]
        audited = db.session.scalars(select(AuditEvent).where(AuditEvent.id > mark)).all()
        assert {(a.table_name, a.action) for a in audited} >= {("risk_assessment", "insert"), ("cases", "update")}
        case_change = next(a for a in audited if a.table_name == "cases")
        assert case_change.changes["risk_level"] == [None, "high"] and case_change.case_id == case_id
    # re-rated later in the flow: the newest rating is the case's
    r = rate_on_page(clerk, case_id, "medium", "工资已部分支付，情绪缓和。")
    assert r.status_code == 302
    level, _version, rows = stored(app, case_id)
    assert level == "medium" and [lvl for lvl, _ in rows] == ["high", "medium"]


def test_a_rating_needs_a_level_and_reasons(app, world):  # noqa: F811
    case_id = world.register_case("scr_xz", "xz", "xz_centre")
    clerk = world.client("scr_xz")
    r = rate_on_page(clerk, case_id, "high", "  ")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "必填" in html
    r = rate_on_page(clerk, case_id, "severe", "理由")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "请选择风险等级" in html and "理由" in html  # what was typed stays
    assert stored(app, case_id)[0] is None and stored(app, case_id)[2] == []
    assert not untranslated_in(html)


def test_the_api_rates_with_the_version_it_read(app, world):  # noqa: F811
    case_id = world.register_case("scr_xz", "xz", "xz_centre")
    version = world.api("scr_xz", "GET", f"/api/v1/case/{case_id}/risk").get_json()["version"]
    r = world.api("scr_xz", "POST", f"/api/v1/case/{case_id}/risk", json={"level": "high", "reasons": "群体性"})
    assert r.status_code == 422 and "version" in r.get_json()["message"]
    r = world.api("scr_xz", "POST", f"/api/v1/case/{case_id}/risk",
                  json={"level": "high", "reasons": "群体性", "version": version - 1})
    assert r.status_code == 409
    r = world.api("scr_xz", "POST", f"/api/v1/case/{case_id}/risk",
                  json={"level": ["high"], "reasons": 7, "version": version})
    assert r.status_code == 422 and len(r.get_json()["message"]["risk"]) == 2
    assert stored(app, case_id)[2] == []
    r = world.api("scr_xz", "POST", f"/api/v1/case/{case_id}/risk",
                  json={"level": "high", "reasons": "群体性纠纷苗头", "version": version})
    answer = r.get_json()
    assert r.status_code == 200 and answer["risk_level"] == "high" and answer["version"] == version + 1
    assert answer["result"]["level"] == "high" and answer["result"]["reasons"] == "群体性纠纷苗头"
    history = world.api("scr_xz", "GET", f"/api/v1/case/{case_id}/risk").get_json()
    assert history["risk_level"] == "high" and [h["level"] for h in history["result"]] == ["high"]


def test_a_case_out_of_scope_is_rated_by_nobody_else(app, world):  # noqa: F811
    case_id = world.register_case("scr_xz", "xz", "xz_centre")
    other = world.client("scr_hc")
    assert other.get(f"/case/{case_id}/risk").status_code == 404
    page = other.get("/case/intake/traffic").get_data(as_text=True)  # any form's token
    r = other.post(f"/case/{case_id}/risk", data={"csrf_token": csrf_token(page), "version": "1", "level": "low",
                                                  "reasons": "伪造"})
    assert r.status_code == 404
    r = world.api("scr_hc", "POST", f"/api/v1/case/{case_id}/risk", json={"level": "low", "reasons": "伪造", "version": 1})
    assert r.status_code == 404
    assert world.api("scr_hc", "GET", f"/api/v1/case/{case_id}/risk").status_code == 404
    # leadership reads every case but rates none
    leader = world.client("scr_leader")
    assert 'id="rate-risk"' not in leader.get(f"/case/show/{case_id}").get_data(as_text=True)
    r = world.api("scr_leader", "POST", f"/api/v1/case/{case_id}/risk", json={"level": "low", "reasons": "x", "version": 1})
    assert r.status_code in (401, 403)
    assert stored(app, case_id)[2] == []


def test_a_finished_case_keeps_its_last_rating(app, world):  # noqa: F811
    case_id = world.register_case("scr_xz", "xz", "xz_centre")
    version = world.api("scr_xz", "GET", f"/api/v1/case/{case_id}/risk").get_json()["version"]
    r = world.api("scr_xz", "POST", f"/api/v1/case/{case_id}/transition",
                  json={"action": "withdraw", "note": "申请人撤回", "version": version})
    assert r.status_code == 200, r.get_json()
    r = world.api("scr_xz", "POST", f"/api/v1/case/{case_id}/risk",
                  json={"level": "low", "reasons": "已撤回", "version": r.get_json()["version"]})
    assert r.status_code == 422 and "finished" in str(r.get_json()["message"])
    page = world.client("scr_xz").get(f"/case/show/{case_id}").get_data(as_text=True)
    assert 'id="rate-risk"' not in page


def test_high_risk_cases_are_flagged_in_the_list_with_a_quick_filter(app, world):  # noqa: F811
    high = world.register_case("scr_xz", "xz", "xz_centre", title="欠薪群体纠纷")
    low = world.register_case("scr_xz", "xz", "xz_centre", title="邻里噪音纠纷")
    plain = world.register_case("scr_xz", "xz", "xz_centre", title="未评估的纠纷")
    for case_id, level in ((high, "high"), (low, "low")):
        version = world.api("scr_xz", "GET", f"/api/v1/case/{case_id}/risk").get_json()["version"]
        assert world.api("scr_xz", "POST", f"/api/v1/case/{case_id}/risk",
                         json={"level": level, "reasons": "研判", "version": version}).status_code == 200
    clerk = world.client("scr_xz")
    doc = lxml.html.fromstring(clerk.get("/case/list/").get_data(as_text=True))
    flagged = {int(tr.get("data-case")) for tr in doc.xpath("//tr[@data-case][.//span[contains(@class,'jf-high-risk')]]")}
    assert flagged == {high}
    chip = doc.xpath("//a[@data-filter='high_risk']")[0]
    assert chip.text_content().strip().startswith("高风险") and chip.xpath(".//span[@class='jf-count']")[0].text == "1"
    doc = lxml.html.fromstring(clerk.get("/case/list/?qf=high_risk").get_data(as_text=True))
    assert [int(tr.get("data-case")) for tr in doc.xpath("//tr[@data-case]")] == [high]
    assert {low, plain} .isdisjoint({int(tr.get("data-case")) for tr in doc.xpath("//tr[@data-case]")})
