"""The alert pages, the sensitive periods page and the "New alerts" card of My work: in Chinese,
within each reader's scope, with the steps' refusals said next to the field and what was typed
kept."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.fixtures import csrf_token
from tests.untranslated import untranslated_in
from tests.warning_world import add_case, at, build, login, person, scan, text_of

ID_1 = "11010519491231002X"


@pytest.fixture
def world(app):
    """A group dispute in each town, a person with two cases in town B and the newest in A."""
    from app.extensions import db
    from app.models import Alert
    from app.services.clock import today

    ids = build(app)
    with app.app_context():
        day = today()
        add_case(ids["grid"], at(day), "debt", parties=[person("applicant", f"甲{i}") for i in range(5)])
        add_case(ids["town_b"], at(day), "debt", parties=[person("applicant", f"乙{i}") for i in range(6)])
        ids["repeat"] = [add_case(ids[t], at(day - dt.timedelta(days=n)), "debt", parties=[person("applicant", "林晓明", ID_1)])
                         for n, t in ((3, "town_b"), (2, "town_b"), (1, "town_a"))]
        db.session.commit()
    scan(app, only=["core.group_parties", "core.repeat_party"])
    with app.app_context():
        by = {(a.rule, a.area_id): a.id for a in db.session.query(Alert)}
    ids["alert_a"] = by[("core.group_parties", ids["town_a"])]
    ids["alert_b"] = by[("core.group_parties", ids["town_b"])]
    ids["alert_person"] = by[("core.repeat_party", ids["town_a"])]
    return ids


def alert_ids(html: str) -> list[int]:
    return sorted(int(i) for i in re.findall(r'data-alert="(\d+)"', html))


def test_the_list_reads_in_chinese_within_the_readers_scope(app, world):
    page = login(app, "w_clerk_a").get("/alerts/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and untranslated_in(html) == []
    assert alert_ids(html) == sorted([world["alert_a"], world["alert_person"]])
    text = text_of(html)
    assert "群体性纠纷：一方当事人人数众多" in text and "严重" in text and "待处置" in text
    assert "一方当事人达5人（申请方）" in text and "香洲街道" in text
    leader = login(app, "w_leader").get(f"/alerts/?area={world['town_b']}").get_data(as_text=True)
    assert alert_ids(leader) == [world["alert_b"]]


def test_the_lists_filters_answer_like_the_api(app, world):
    clerk = login(app, "w_clerk_a")
    assert clerk.get(f"/alerts/?area={world['town_b']}").status_code == 404
    resolved = clerk.get("/alerts/?status=resolved")
    assert resolved.status_code == 200 and "没有符合筛选条件的预警" in resolved.get_data(as_text=True)
    bad = clerk.get("/alerts/?status=later")
    assert bad.status_code == 400 and "请选择状态" in bad.get_data(as_text=True)
    assert alert_ids(clerk.get("/alerts/?rule=core.repeat_party").get_data(as_text=True)) == [world["alert_person"]]


def test_an_alerts_page_shows_its_wording_figures_and_the_cases_the_reader_may_see(app, world):
    clerk = login(app, "w_clerk_a")
    page = clerk.get(f"/alerts/{world['alert_person']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and untranslated_in(html) == []
    text = text_of(html)
    assert "林**：在办案件3件，近十二个月涉及案件3件" in text
    assert "在办案件数阈值 3" in text and "近十二个月案件数 3" in text
    assert re.findall(r'data-case="(\d+)"', html) == [str(world["repeat"][2])]
    assert "另有2件案件不在您的查看范围内。" in text
    assert 'id="acknowledge-form"' in html and 'id="resolve-form"' in html
    assert clerk.get(f"/alerts/{world['alert_b']}").status_code == 404
    leader = login(app, "w_leader").get(f"/alerts/{world['alert_person']}").get_data(as_text=True)
    assert len(re.findall(r'data-case="\d+"', leader)) == 3 and 'id="resolve-form"' not in leader


def test_resolving_needs_a_note_said_next_to_the_field_and_nothing_is_stored(app, world):
    clerk = login(app, "w_clerk_a")
    path = f"/alerts/{world['alert_a']}"
    page = clerk.get(path).get_data(as_text=True)
    version = re.search(r'data-version="(\d+)"', page).group(1)
    r = clerk.post(f"{path}/resolve", data={"csrf_token": csrf_token(page), "version": version, "note": "   "})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and untranslated_in(html) == []
    assert re.search(r'id="resolve-form".*has-error.*请说明处置情况。', html, re.S)
    assert 'data-status="open"' in html
    r = clerk.post(f"{path}/acknowledge", data={"csrf_token": csrf_token(page), "version": version,
                                                "note": "已安排网格员上门了解情况"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "预警已签收。" in html and 'data-status="acknowledged"' in html and "已安排网格员上门了解情况" in html
    # the form read before the acknowledgement is stale now
    stale = clerk.post(f"{path}/resolve", data={"csrf_token": csrf_token(page), "version": version, "note": "已化解"})
    assert stale.status_code == 409 and "其他人已对其作了更改" in stale.get_data(as_text=True)
    fresh = clerk.get(path).get_data(as_text=True)
    version = re.search(r'data-version="(\d+)"', fresh).group(1)
    done = clerk.post(f"{path}/resolve", data={"csrf_token": csrf_token(fresh), "version": version,
                                               "note": "工资已由企业当场支付，工人撤回申请。"}, follow_redirects=True)
    assert "预警已处置。" in done.get_data(as_text=True) and 'data-status="resolved"' in done.get_data(as_text=True)


def test_the_pages_read_in_english_too(app, world):
    html = login(app, "w_clerk_a", lang="en").get(f"/alerts/{world['alert_a']}").get_data(as_text=True)
    text = text_of(html)
    assert "has 5 applicants" in text and "Group dispute: many parties on one side" in text and "Acknowledge" in text


def test_new_alerts_appear_on_my_work_of_the_people_responsible_for_the_area(app, world):
    clerk = login(app, "w_clerk_a")
    html = clerk.get("/mywork/").get_data(as_text=True)
    card = re.search(r'id="mywork-alerts".*?</table>', html, re.S).group(0)
    assert "新预警" in html and card.count("mywork-item") == 2 and "一方当事人达5人" in card
    assert f'/alerts/{world["alert_b"]}"' not in card
    leader = login(app, "w_leader").get("/mywork/").get_data(as_text=True)
    assert re.search(r'id="mywork-alerts".*?data-count="3"', leader, re.S)
    queue = login(app, "w_clerk_b").get("/mywork/queue/alerts/")
    assert queue.status_code == 200 and f'/alerts/{world["alert_b"]}"' in queue.get_data(as_text=True)
    assert untranslated_in(queue.get_data(as_text=True)) == []
    # acknowledged: no longer new
    page = clerk.get(f"/alerts/{world['alert_a']}").get_data(as_text=True)
    version = re.search(r'data-version="(\d+)"', page).group(1)
    clerk.post(f"/alerts/{world['alert_a']}/acknowledge", data={"csrf_token": csrf_token(page), "version": version})
    card = re.search(r'id="mywork-alerts".*?</div>\s*</div>', clerk.get("/mywork/").get_data(as_text=True), re.S).group(0)
    assert 'data-count="1"' in card
    assert "mywork-alerts" not in login(app, "w_judge").get("/mywork/").get_data(as_text=True)


def test_an_administrator_defines_sensitive_periods_and_a_wrong_one_is_refused_in_chinese(app, admin_client, world):
    from app.extensions import db
    from app.models import SensitivePeriod

    admin_client.get("/lang/zh_CN")
    form = admin_client.get("/admin/sensitive-periods/add")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and untranslated_in(html) == [] and "时段名称" in html
    r = admin_client.post("/admin/sensitive-periods/add", data={
        "csrf_token": csrf_token(html), "name": "2027年春节前后", "starts_on": "2027-02-21", "ends_on": "2027-01-25",
        "area": str(world["town_a"]), "note": "返乡高峰"})
    page = r.get_data(as_text=True)
    assert "结束日期不能早于起始日期。" in page and "2027年春节前后" in page and "返乡高峰" in page
    with app.app_context():
        assert db.session.query(SensitivePeriod).count() == 0
    r = admin_client.post("/admin/sensitive-periods/add", data={
        "csrf_token": csrf_token(html), "name": "2027年春节前后", "starts_on": "2027-01-25", "ends_on": "2027-02-21",
        "area": "", "note": "返乡高峰"}, follow_redirects=True)
    assert r.status_code == 200
    listing = admin_client.get("/admin/sensitive-periods/list/").get_data(as_text=True)
    assert "2027年春节前后" in listing and untranslated_in(listing) == []
    with app.app_context():
        (period,) = db.session.query(SensitivePeriod).all()
        assert (period.starts_on, period.ends_on, period.area_id) == (dt.date(2027, 1, 25), dt.date(2027, 2, 21), None)


def test_the_thresholds_are_on_the_dated_settings_page_by_name(app, admin_client):
    from app.services.settings import seed_settings

    with app.app_context():
        seed_settings()
    html = admin_client.get("/admin/settings/list/?psize_SettingModelView=100&_l_=zh_CN").get_data(as_text=True)
    assert "预警·案件激增：自今日往前统计的天数" in html and "core.warning" not in text_of(html)
