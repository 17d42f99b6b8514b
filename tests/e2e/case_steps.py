"""The steps of a traffic case in the browser, as the clerk, the mediator and the court
clerk take them: each opens the page a user opens, fills what they type, presses the button.
The element ids and field names are those of the pages (see tests/test_journeys.py)."""
from __future__ import annotations

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

from tests import helpers
from tests.e2e.browser import Person

CHINA = ZoneInfo("Asia/Shanghai")
APPLICANT, RESPONDENT = "林晓明", "黄丽娟"
BAD_ID = helpers.VALID_ID[:-1] + ("0" if helpers.VALID_ID[-1] != "0" else "1")  # checksum broken
MINUTES = "双方到场。申请人要求赔偿医疗费及财产损失；被申请人认可责任比例，同意分两期支付。"
CAUCUS = "被申请人私下表示可在月底前筹足第一期款项"


def china_now() -> dt.datetime:
    """The wall clock in Shanwei, to the minute, without a zone (what a datetime-local holds)."""
    return dt.datetime.now(CHINA).replace(tzinfo=None, second=0, microsecond=0)


def case_id_of(someone: Person) -> int:
    match = re.fullmatch(r"/case/show/(\d+)", someone.path)
    assert match, f"not on a case page: {someone.path}"
    return int(match.group(1))


def open_case(someone: Person, case_id: int) -> None:
    someone.goto(f"/case/show/{case_id}")


# -- the clerk -------------------------------------------------------------------------------------
def fill_traffic_intake(clerk: Person, applicant_id: str) -> None:
    """The traffic intake form as the clerk types it: two parties, two vehicles."""
    today = china_now().date()
    clerk.fill("title", f"{APPLICANT}与{RESPONDENT}交通事故赔偿纠纷")
    clerk.fill("description", "双方车辆在路口相撞，申请人受伤，请求赔偿医疗费和财产损失。")
    clerk.fill("claim_amount", "19300.50")
    clerk.choose("area_id", label="香洲街道")  # place names are Chinese in both languages
    clerk.choose("organization_id", label="香洲街道综治中心")
    for i, (role, name, id_number, mobile, address) in enumerate([
        ("applicant", APPLICANT, applicant_id, "13802661234", "汕尾市城区香洲街道通港路18号"),
        ("respondent", RESPONDENT, helpers.VALID_ID_2, "13926605678", "汕尾市城区凤山街道红海大道56号"),
    ]):
        clerk.choose(f"parties-{i}-kind", value="person")
        clerk.choose(f"parties-{i}-role", value=role)
        clerk.fill(f"parties-{i}-name", name)
        clerk.fill(f"parties-{i}-id_number", id_number)
        clerk.fill(f"parties-{i}-mobile", mobile)
        clerk.fill(f"parties-{i}-address", address)
    clerk.fill("intake-accident_date", (today - dt.timedelta(days=20)).isoformat())
    clerk.fill("intake-accident_place", "通港路与香城路交叉口")
    clerk.fill("intake-determination_no", "汕公交认字〔2026〕第00123号")
    clerk.fill("intake-determination_date", (today - dt.timedelta(days=12)).isoformat())
    for i, (plate, driver, share) in enumerate([("粤N12345", APPLICANT, "70"), ("粤NA6789", RESPONDENT, "30")]):
        clerk.fill(f"intake-vehicles-{i}-plate", plate)
        clerk.fill(f"intake-vehicles-{i}-driver", driver)
        clerk.fill(f"intake-vehicles-{i}-liability", share)
    clerk.fill("intake-injured_count", "1")
    clerk.fill("intake-medical_expenses", "12500.50")
    clerk.fill("intake-property_loss", "6800.00")


def register_traffic_case(clerk: Person, english: bool = False) -> int:
    """Register the case, first with a mistyped ID number: the form says what is wrong and
    keeps what was typed; corrected, it registers and shows the case page."""
    clerk.goto("/case/intake/")
    clerk.click("a[href$='/case/intake/traffic']")
    fill_traffic_intake(clerk, BAD_ID)
    clerk.submit("#intake-form button[type=submit]")
    assert clerk.path == "/case/intake/traffic", clerk.path
    error = clerk.page.locator("#intake-form .has-error, #intake-form .text-danger, #intake-form .help-block.error")
    said = " ".join(error.all_inner_texts())
    assert ("ID" in said) if english else ("身份证" in said), said
    kept = {name: clerk.value(name) for name in ("parties-0-name", "parties-0-id_number", "parties-1-name",
                                                  "intake-accident_place", "intake-vehicles-1-plate")}
    assert kept == {"parties-0-name": APPLICANT, "parties-0-id_number": BAD_ID, "parties-1-name": RESPONDENT,
                    "intake-accident_place": "通港路与香城路交叉口", "intake-vehicles-1-plate": "粤NA6789"}, kept
    assert clerk.value("parties-1-role") == "respondent", "the respondent's row changed role after the error"

    clerk.fill("parties-0-id_number", helpers.VALID_ID)
    clerk.submit("#intake-form button[type=submit]")
    if clerk.page.locator("#duplicates").count():  # the demo data may hold the same people
        clerk.page.locator("input[name='confirm_duplicates']").check()
        clerk.submit("#intake-form button[type=submit]")
    return case_id_of(clerk)


def record_consent(clerk: Person, case_id: int) -> None:
    """Both parties agree to mediation, recorded at the window."""
    clerk.goto(f"/case/{case_id}/consent")
    clerk.choose("subject", value="mediation")
    clerk.choose("channel", value="window")
    for select in clerk.page.locator("#consents select").all():
        select.select_option(value="given")
    clerk.submit("form[method=post] button[type=submit]")
    assert clerk.path == f"/case/show/{case_id}", clerk.path


def act(someone: Person, case_id: int, action: str, note: str = "") -> None:
    """Press the action's button on the case page and confirm it on its form."""
    open_case(someone, case_id)
    button = someone.page.locator(f"a[href$='/case/{case_id}/do/{action}']")
    assert button.count(), f"no “{action}” button on the case page for {someone.name}"
    someone.click(f"a[href$='/case/{case_id}/do/{action}']")
    if note:
        someone.fill("note", note)
    someone.submit("form[method=post] button[type=submit]")
    assert someone.path == f"/case/show/{case_id}", someone.path


def offer_to(clerk: Person, case_id: int, mediator_name: str) -> None:
    """Tick the mediator among those the case can be offered to, and offer it."""
    clerk.goto(f"/case/{case_id}/assign")
    row = clerk.page.locator("#eligible-mediators tbody tr", has_text=mediator_name)
    assert row.count(), f"{mediator_name} is not offered: {clerk.text('#eligible-mediators')}"
    row.first.locator("input[name='mediator_ids']").check()
    clerk.fill("note", "熟悉交通事故赔偿")
    clerk.submit("#assign-form button[type=submit]")


# -- the mediator ----------------------------------------------------------------------------------
def accept_offer_from_my_work(mediator: Person, case_id: int) -> None:
    """My work lists the offer; one click opens it, “accept” makes the case theirs."""
    mediator.goto("/mywork/")
    offer = mediator.page.locator(f"#mywork-offers [data-case='{case_id}'] a[href*='/case/offers/']")
    assert offer.count(), f"the offer of case {case_id} is not on My work: {mediator.text('body')[:600]}"
    mediator.click(f"#mywork-offers [data-case='{case_id}'] a[href*='/case/offers/']")
    mediator.submit("#accept-form button[type=submit]")
    assert mediator.path == f"/case/show/{case_id}", mediator.path


def book_appointment(mediator: Person, case_id: int, starts_at: dt.datetime, place: str) -> None:
    mediator.goto(f"/case/{case_id}/sessions")
    mediator.click("#new-appointment")
    mediator.page.locator("[name='starts_at']").fill(starts_at.strftime("%Y-%m-%dT%H:%M"))
    mediator.choose("mode", value="offline")
    mediator.fill("place", place)
    mediator.fill("note", "双方均确认到场")
    mediator.submit("#appointment-form button[type=submit]")


def appointment_rows(someone: Person, case_id: int) -> list[str]:
    someone.goto(f"/case/{case_id}/sessions")
    return [re.sub(r"\s+", " ", t) for t in someone.page.locator("#appointments tbody tr").all_inner_texts()]


def record_session_of(mediator: Person, case_id: int, place: str) -> None:
    """“Record the session” beside the appointment held at ``place``: minutes, caucus notes."""
    mediator.goto(f"/case/{case_id}/sessions")
    row = mediator.page.locator("#appointments tbody tr", has_text=place).first
    with mediator.page.expect_navigation():
        row.locator("a[href*='/session?appointment=']").click()
    assert mediator.page.locator("[name='caucus_notes']").count(), "the mediator is not offered caucus notes"
    mediator.fill("minutes", MINUTES)
    mediator.fill("caucus_notes", CAUCUS)
    mediator.submit("#session-form button[type=submit]")
    assert mediator.path == f"/case/{case_id}/sessions", mediator.problems_shown()
    assert MINUTES in mediator.text("#sessions"), "the session's minutes are not on the records page"


def wait_until(moment: dt.datetime) -> None:
    """Sleep until the China wall clock has passed ``moment``."""
    while dt.datetime.now(CHINA).replace(tzinfo=None) < moment + dt.timedelta(seconds=2):
        time.sleep(1)


def save_agreement(someone: Person, case_id: int, terms: list[tuple[str, str, dt.date]], committee: str,
                   mediator_name: str) -> None:
    """The agreement page: the compensation template, the terms typed over the suggestions."""
    someone.goto(f"/case/{case_id}/agreement/save")
    someone.choose("template_code", value="compensation")
    someone.fill("committee", committee)
    someone.fill("mediator", mediator_name)
    for field in someone.page.locator("#agreement-form [name^='terms-']").all():
        if field.evaluate("e => e.tagName") != "SELECT":
            field.fill("")
    for i, (text, manner, due) in enumerate(terms):
        someone.fill(f"terms-{i}-text", text)
        someone.fill(f"terms-{i}-manner", manner)
        someone.fill(f"terms-{i}-due", due.isoformat())
    someone.submit("#agreement-form button[type=submit]")


def sign_all(someone: Person, case_id: int, signed_on: dt.date) -> list[str]:
    """Record each signature line of the agreement page in turn; the names signed."""
    names = []
    for _ in range(10):
        someone.goto(f"/case/{case_id}/agreement/save")
        rows = someone.page.locator("#signatures tbody tr", has=someone.page.locator("form"))
        if not rows.count():
            return names
        row = rows.first
        names.append(row.locator("td").first.inner_text().strip())
        row.locator("[name='signed_on']").fill(signed_on.isoformat())
        method = row.locator("[name='method']")
        if method.evaluate("e => e.tagName") == "SELECT":
            method.select_option(value="signature")
        with someone.page.expect_navigation():
            row.locator("button[type=submit], input[type=submit]").first.click()
        someone.look()
    raise AssertionError(f"signature lines do not run out: {names}")


# -- the court clerk -------------------------------------------------------------------------------
def apply_for_confirmation(clerk: Person, case_id: int, applied_on: dt.date) -> None:
    act_link = f"a.btn-primary[href$='/case/{case_id}/confirmation']"  # the header's one primary action
    open_case(clerk, case_id)
    clerk.click(act_link)
    assert clerk.path == f"/case/{case_id}/confirmation", clerk.path
    clerk.fill("applied_on", applied_on.isoformat())
    clerk.submit("#confirmation-form button[type=submit]")


def record_court_decision(court: Person, case_id: int, day: dt.date) -> None:
    court.goto(f"/case/{case_id}/confirmation")
    court.fill("accepted_on", day.isoformat())
    court.choose("result", value="confirmed")
    court.fill("decided_on", day.isoformat())
    court.fill("enforcement_note", "裁定确认调解协议有效")
    court.submit("#confirmation-form button[type=submit]")


def record_first_visit(clerk: Person, case_id: int, day: dt.date) -> None:
    """The first planned return visit, from the case page: every term performed, satisfied."""
    open_case(clerk, case_id)
    link = clerk.page.locator("#return-visits tbody tr").first.locator("a").first
    with clerk.page.expect_navigation():
        link.click()
    clerk.fill("done_on", day.isoformat())
    clerk.choose("method", value="phone")
    clerk.choose("terms_performed", value="yes")
    clerk.fill("satisfaction", "5")
    for tick in clerk.page.locator("input[name='performed_terms']").all():
        tick.check()
    clerk.fill("notes", "双方确认款项已全部付清")
    clerk.submit("#visit-form button[type=submit]")


def cancel_remaining_visits(clerk: Person, case_id: int, reason: str) -> None:
    """A case closes once no return visit is planned: the later visits are cancelled, with why."""
    for _attempt in range(5):  # two visits are planned; a follow-up would add one
        open_case(clerk, case_id)
        links = clerk.page.locator("#return-visits tbody tr a[href*='/visits/']")
        if not links.count():
            return
        with clerk.page.expect_navigation():
            links.first.click()
        clerk.fill("reason", reason)
        clerk.submit("#visit-cancel-form button[type=submit]")
        assert clerk.path == f"/case/show/{case_id}", clerk.problems_shown()
    raise AssertionError("return visits are still planned after cancelling them")
