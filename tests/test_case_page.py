"""The case page's header: one primary action for the step the case is at, the rare and
final moves in "More actions" with what they do, and the step bar of the lifecycle."""
from __future__ import annotations

import itertools

import lxml.html

from tests import helpers
from tests.fixtures import csrf_token

_numbers = itertools.count(1)


def add_case(app, places, status="registered", history=()):
    """A case in ``status``; ``history`` are (from, to) moves written to its timeline."""
    from app.extensions import db
    from app.models import Area, Case, Organization
    from app.models.lifecycle import TimelineEvent

    with app.app_context():
        case = Case(case_no=f"（2026）汕城解第{next(_numbers):05d}号", dispute_type="traffic", status=status,
                    title="林晓明与黄丽娟交通事故纠纷", area=db.session.get(Area, places["street"]),
                    organization=db.session.get(Organization, places["centre"]), intake_data={})
        db.session.add(case)
        db.session.flush()
        for source, target in history:
            db.session.add(TimelineEvent(case_id=case.id, kind="transition", action="withdraw",
                                         from_state=source, to_state=target))
        db.session.commit()
        return case.id


def header(admin_client, case_id):
    return lxml.html.fromstring(admin_client.get(f"/case/show/{case_id}?_l_=en").get_data(as_text=True))


def steps(doc) -> dict:
    return {li.get("data-step"): li.get("class") for li in doc.xpath("//ol[@id='case-steps']/li")}


def test_a_registered_case_offers_screening_as_its_one_primary_action(app, places, admin_client):
    doc = header(admin_client, add_case(app, places))
    primary = doc.xpath("//div[@id='workflow']//a[contains(concat(' ', @class, ' '), ' btn-primary ')]")
    assert [a.get("data-action") for a in primary] == ["start_screening"]
    assert primary[0].text_content().strip() == "Start screening"
    # withdrawing and merging are not buttons beside it but entries of "More actions", each saying what happens
    more = doc.xpath("//div[@id='more-actions']//a")
    assert [a.get("data-action") for a in more] == ["withdraw", "merge"]
    assert "cannot be reopened" in more[0].text_content()
    beside = [a.get("data-action") for a in doc.xpath("//div[@id='workflow']//a[@data-action]")
              if not a.xpath("ancestor::div[@id='more-actions']")]
    assert "withdraw" not in beside and "merge" not in beside
    assert not doc.xpath("//div[@id='workflow']//a[contains(@class, 'btn-danger')]")


def test_the_step_bar_marks_where_the_case_is(app, places, admin_client):
    assert steps(header(admin_client, add_case(app, places))) == {
        "registration": "current", "diversion": "wait", "assignment": "wait", "mediation": "wait",
        "agreement": "wait", "confirmation": "wait", "performance": "wait", "completion": "wait"}
    bar = steps(header(admin_client, add_case(app, places, "in_mediation")))
    assert [bar[s] for s in ("registration", "diversion", "assignment", "mediation", "agreement")] == [
        "done", "done", "done", "current", "wait"]
    assert set(steps(header(admin_client, add_case(app, places, "closed"))).values()) == {"done"}


def test_a_withdrawn_case_shows_where_it_stopped_and_has_nothing_left_to_do(app, places, admin_client):
    case_id = add_case(app, places, "withdrawn", history=[("scheduled", "withdrawn")])
    doc = header(admin_client, case_id)
    bar = steps(doc)
    assert bar["mediation"] == "stopped" and bar["assignment"] == "done" and bar["agreement"] == "wait"
    assert not doc.xpath("//a[@id='primary-action']") and not doc.xpath("//div[@id='more-actions']")
    assert [h for h in doc.xpath("//div[@id='workflow']//a/@href") if "/do/" in h] == []


def test_steps_with_a_page_of_their_own_lead_there(app, places, admin_client):
    """Booking the first appointment schedules the case: the button goes to the booking form,
    not to a bare state change (one way to each action)."""
    doc = header(admin_client, add_case(app, places, "assigned"))
    primary = doc.xpath("//a[@id='primary-action']")[0]
    assert primary.get("data-action") == "schedule" and primary.get("href").endswith("/appointment")
    secondary = {a.get("data-action"): a.get("href") for a in doc.xpath("//div[@id='workflow']//a[@data-action]")}
    assert secondary["assign"].endswith("/assign") or "/assign" in secondary["assign"]
    # the bare state change is no second way: its old address leads to the same form
    case_id = add_case(app, places, "assigned")
    r = admin_client.get(f"/case/{case_id}/do/schedule")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/case/{case_id}/appointment")


def test_the_case_page_lists_the_sections_and_keeps_the_ids_tests_rely_on(app, places, admin_client):
    html = admin_client.get(f"/case/show/{add_case(app, places)}?_l_=en").get_data(as_text=True)
    for anchor in ("sec-overview", "sec-parties", "sec-details", "sec-deadlines", "sec-mediation",
                   "sec-agreement", "sec-linkage", "sec-files", "sec-timeline"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    for element in ("workflow", "deadlines", "parties", "intake", "timeline", "case-sessions"):
        assert f'id="{element}"' in html
    assert lxml.html.fromstring(html).xpath("//div[@id='workflow']/strong")[0].text_content().startswith("Status:")


def test_the_frame_groups_the_menu_by_task_in_chinese(app, places, admin_client):
    admin_client.get("/lang/zh_CN")
    doc = lxml.html.fromstring(admin_client.get("/case/list/").get_data(as_text=True))
    groups = [t.text_content().strip()
              for t in doc.xpath("//nav[@id='jf-side']/ul[@class='jf-menu']/li/*[1]//span[@class='jf-menu-text']")]
    assert groups[:2] == ["我的工作台", "案件"] and groups[-1] == "系统管理", groups
    assert doc.xpath("//nav[@id='jf-side']//li[@class='active']//a/@href") == ["/case/list/"]
    assert doc.xpath("//link[contains(@href, '/static/jiefen.css')]")
    admin_client.get("/lang/en")
    doc = lxml.html.fromstring(admin_client.get("/case/list/").get_data(as_text=True))
    assert "English" in doc.xpath("//span[@class='jf-top-lang']/strong")[0].text_content()
