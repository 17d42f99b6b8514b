"""End-to-end journeys of a case, each walked twice: once as people do it in a browser
(GET the page, POST its form with the page's CSRF token, follow the redirect) and once as
an integrating system does it through the REST API (a JWT from /api/v1/security/login).

1. A traffic dispute mediated to the end: intake, consent, screening, an offer the mediator
   accepts, appointment, session, agreement (read back from the stored DOCX), signatures,
   judicial confirmation, performance, the first return visit, closing.
2. A debt dispute one party will not mediate: screening, refusal, the small-claims wage
   entered by the administrator, the advice it makes possible, transfer to small claims.

Nothing is put in place behind the application's back: the administrator makes the areas, the
centre and committee, the clerk's login and membership, the mediator's pool record and the
mediator's login on the admin pages (tests/journey_world.py; the API journey creates the
mediator's login through the API), and enters the small-claims wage on the Dated settings page.
What the API does not show — deadlines, screening advice, the procedure a case was transferred
to — is read from the services the case page uses. Where the channel being walked has no way to
do a step, the journey notes the missing piece, takes the nearest other road so the later steps
are still exercised, and fails at the end with the list — see :class:`MissingPieces`.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from urllib.parse import urljoin, urlparse

import docx
import lxml.html
import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.intake.payload import flatten
from tests import helpers, journey_world

PASSWORD = journey_world.PASSWORD  # of the clerk, whom the administrator gives a login
ADMIN = "admin"  # tests/helpers.py's administrator
MEDIATOR_NAME = journey_world.MEDIATOR_NAME
COMMITTEE = journey_world.COMMITTEE
APPLICANT, RESPONDENT = "林晓明", "黄丽娟"  # the parties of helpers.traffic_payload

MINUTES = "双方到场。申请人要求赔偿医疗费及财产损失；被申请人认可责任比例，同意分两期支付。"
CAUCUS = "被申请人私下表示可在月底前筹足第一期款项"
VISIT_CANCELLED = "款项已一次付清，双方同意不再回访"
SCREENING_NOTE = "被申请人明确拒绝调解，坚持由法院处理；借贷事实清楚，金额不大"
WAGE = "120000"  # a made-up test figure, not Guangdong's published wage
CLAIM = "45000.00"  # within 50 % of WAGE: small claims


def terms_due(today: dt.date) -> list[tuple[str, str, dt.date]]:
    """The agreed terms, each with the day it is to be performed by."""
    return [
        ("被申请人黄丽娟赔偿申请人林晓明医疗费人民币12500.50元", "银行转账",
         today + dt.timedelta(days=15)),
        ("被申请人黄丽娟赔偿申请人林晓明车辆维修费人民币6800.00元", "银行转账",
         today + dt.timedelta(days=45)),
    ]


# -- the people and places -------------------------------------------------------------------
@pytest.fixture
def world(app):
    """The street, its centre and committee, the clerk's login and membership, the mediator in
    the pool and the mediator's login — all made by the administrator on the admin pages, the
    login from the mediator's page in the pool (tests/journey_world.py)."""
    admin = Browser(app, ADMIN)
    suffix = journey_world.new_suffix()
    made = journey_world.build(admin, suffix)
    made["mediator_user"] = f"journey-mediator-{suffix}"
    made["mediator_password"] = journey_world.give_mediator_login_web(admin, made["mediator"], made["mediator_user"])
    return made


@pytest.fixture
def api_world(app):
    """The same world, the mediator's login created through the API by the administrator."""
    admin = Browser(app, ADMIN)
    suffix = journey_world.new_suffix()
    made = journey_world.build(admin, suffix)
    made["mediator_user"] = f"journey-mediator-{suffix}"
    made["mediator_password"] = journey_world.give_mediator_login_api(
        app.test_client(), helpers.api_token(app.test_client(), ADMIN), made["mediator"], made["mediator_user"])
    return made


def court_today(app) -> dt.date:
    """Today in the court's time zone, the day every date in the journey is checked against."""
    from app.services.settings import today

    with app.app_context():
        return today()


def court_now(app) -> dt.datetime:
    """Now on the court's clock, without a zone: what a datetime-local field holds."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    return dt.datetime.now(zone).replace(tzinfo=None, second=0, microsecond=0)


class MissingPieces:
    """Steps the channel under test cannot do. Each is noted with where the piece is missing,
    the journey goes on by the nearest other road, and the test fails at the end with all of
    them: a fix of the first one does not hide the next."""

    def __init__(self, journey: str):
        self.journey = journey
        self.found: list[str] = []

    def note(self, what: str) -> None:
        if what not in self.found:
            self.found.append(what)

    def none_left(self) -> None:
        if self.found:
            pytest.fail(f"The {self.journey} journey could not be walked entirely through its channel "
                        f"({len(self.found)} missing):\n- " + "\n- ".join(self.found))


# -- a browser ---------------------------------------------------------------------------------
class Browser:
    """A signed-in person: reads pages and submits their forms as a browser would."""

    def __init__(self, app, username: str, password: str = ""):
        self.app, self.username = app, username
        self.client = app.test_client()
        self.location = ""  # where the last form sent the browser
        self.submit("/login/", self.page("/login/"), "//form[.//input[@name='password']]",
                    username=username, password=password or helpers.PASSWORDS.get(username, PASSWORD))
        assert "/login" not in self.location, f"{username} could not sign in"
        self.client.get("/lang/en")  # English labels; the choice stays in the session

    def page(self, url: str, status: int = 200) -> str:
        r = self.client.get(url)
        assert r.status_code == status, f"GET {url} as {self.username}: {r.status_code}\n{flashes(r)}"
        return r.get_data(as_text=True)

    def submit(self, url: str, page: str, form: str, **changes) -> str:
        """POST the form found by ``form`` (an id or an XPath) on ``page`` with what it holds,
        ``changes`` typed over it (a list ticks several boxes; ``None`` leaves a field out).
        A form that is accepted redirects: the redirect is followed, its page returned."""
        doc = lxml.html.fromstring(page)
        found = doc.xpath(form) if form.startswith("/") else doc.xpath(f"//form[@id='{form}']")
        assert found, f"no form {form!r} on {url}"
        element = found[0]
        data = MultiDict(element.form_values())
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
        target = urlparse(urljoin(f"http://localhost{url}", element.get("action") or url))
        path = target.path + (f"?{target.query}" if target.query else "")
        r = self.client.post(path, data=data)
        assert r.status_code == 302, f"POST {path} as {self.username}: {r.status_code}\n{flashes(r)}"
        self.location = urlparse(r.headers["Location"]).path
        if self.location == "/":  # the landing page sends a signed-in user on to My work
            self.location = urlparse(self.client.get("/").headers["Location"]).path
        return self.page(self.location)


def flashes(r) -> str:
    """The messages a page shows (why a form was refused), for assertion messages."""
    html = r.get_data(as_text=True)
    found = re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', html, re.DOTALL)
    return "\n".join(re.sub(r"<[^>]+>|\s+", " ", m).strip() for m in found) or html[:500]


def text_of(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def case_page(browser: Browser, case_id: int) -> str:
    return browser.page(f"/case/show/{case_id}")


def status_line(page: str) -> str:
    """'Status: Closed · Mediator: 陈海燕 · Track: …' from the workflow box of the case page."""
    return text_of(lxml.html.fromstring(page).xpath("//div[@id='workflow']/strong")[0].getparent())


def page_deadlines(page: str) -> dict[str, str]:
    """``{rule code: status}`` of the deadline table on a case page."""
    rows = re.findall(r'<tr class="deadline deadline-(\w+)" data-code="([^"]+)"', page)
    return {code: status for status, code in rows}


def page_timeline(page: str) -> list[tuple[str, str]]:
    """``(what, note)`` of each timeline row, the move in brackets left out."""
    rows = lxml.html.fromstring(page).xpath("//table[@id='timeline']/tbody/tr")
    out = []
    for row in rows:
        cells = [text_of(td) for td in row.xpath("td")]
        out.append((re.sub(r"（.*）$", "", cells[2]), cells[3]))
    return out


def page_advice(page: str) -> str:
    found = lxml.html.fromstring(page).xpath("//div[@id='advice']")
    return text_of(found[0]) if found else ""


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


class DeadlineWatch:
    """Where each deadline stood at each look, to tell that it ran and then was met."""

    def __init__(self):
        self.seen: dict[str, list[str]] = {}

    def look(self, found: dict[str, str]) -> dict[str, str]:
        for code, status in found.items():
            history = self.seen.setdefault(code, [])
            if not history or history[-1] != status:
                history.append(status)
        return found

    def ran_then_met(self, code: str, counting=("running",)) -> None:
        """The deadline was seen counting, and is met now (and was not met before it counted)."""
        history = self.seen.get(code, [])
        ran = [i for i, status in enumerate(history) if status in counting]
        assert ran and history[-1] == "met" and "met" not in history[:ran[0]], f"{code}: {history}"


# -- web steps ---------------------------------------------------------------------------------
def register_web(clerk: Browser, dispute_type: str, payload: dict) -> int:
    """Fill in the type's intake form as the clerk types it; the case page follows."""
    url = f"/case/intake/{dispute_type}"
    typed = flatten({k: v for k, v in payload.items() if k != "dispute_type"})
    clerk.submit(url, clerk.page(url), "intake-form", **{k: typed.getlist(k) for k in typed})
    match = re.fullmatch(r"/case/show/(\d+)", clerk.location)
    assert match, clerk.location
    return int(match.group(1))


def record_consent_web(clerk: Browser, case_id: int, answers: dict[str, str]) -> None:
    """Each party's answer on mediation, chosen beside their name."""
    url = f"/case/{case_id}/consent"
    page = clerk.page(url)
    rows = lxml.html.fromstring(page).xpath("//table[@id='consents']/tbody/tr")
    field = {text_of(r.xpath("td")[1]): r.xpath(".//select/@name")[0] for r in rows}
    chosen = {field[name]: answer for name, answer in answers.items()}
    clerk.submit(url, page, "//form[@method='post']", subject="mediation", channel="window", **chosen)


def act_web(browser: Browser, case_id: int, action: str, note: str = "", track: str = "") -> str:
    """Press the action's button on the case page, fill in its form; the case page after."""
    page = case_page(browser, case_id)
    assert f"/case/{case_id}/do/{action}" in page, f"no “{action}” button on the case page"
    url = f"/case/{case_id}/do/{action}"
    changes = {"note": note}
    if track:
        changes["track"] = track
    return browser.submit(url, browser.page(url), "//form[@method='post']", **changes)


def offer_to_web(clerk: Browser, case_id: int, mediator_name: str) -> None:
    """Tick the mediator among those recommended and make the offer."""
    url = f"/case/{case_id}/assign"
    page = clerk.page(url)
    rows = lxml.html.fromstring(page).xpath("//table[@id='eligible-mediators']/tbody/tr")
    ticks = [r.xpath(".//input[@name='mediator_ids']/@value")[0] for r in rows if mediator_name in text_of(r)]
    assert ticks, f"{mediator_name} is not among the mediators the case can be offered to"
    clerk.submit(url, page, "assign-form", mediator_ids=ticks, note="熟悉交通事故赔偿")


def accept_offer_web(app, mediator: Browser, case_id: int, missing: MissingPieces) -> None:
    """The mediator finds the offer on My work and accepts it."""
    work = mediator.page("/mywork/")
    offered = lxml.html.fromstring(work).xpath(f"//div[@id='mywork-offers']//tr[@data-case='{case_id}']")
    assert offered, "the offer is not on the mediator's My work page"
    # A link counts only if there is something to click: an <a> holding another <a> is
    # closed by the browser before the inner one, and is left empty.
    links = clickable_links(offered[0], "/case/offers/")
    if not links:
        links = clickable_links(lxml.html.fromstring(case_page(mediator, case_id)), "/case/offers/")
    if links:
        url = urlparse(links[0]).path
    else:
        empty = [a for a in offered[0].xpath(".//a[@href]") if "/case/offers/" in a.get("href")]
        why = ("its link to /case/offers/<id> is empty: the <a> wraps case_heading(), which holds an <a> of its "
               "own, and a browser closes the outer one before the inner one starts") if empty else \
            "it links only to the case page"
        missing.note(
            "A mediator cannot reach the offer on the web: on My work (app/templates/jiefen/mywork.html, "
            f"“Cases offered to me”) {why}; the case page (case_show.html) has no link to the offer either, and "
            "/case/offers/<id> is the only page with Accept/Decline.")
        url = f"/case/offers/{pending_offer_id(app, case_id)}"
    landed = mediator.submit(url, mediator.page(url), "accept-form")
    assert mediator.location == f"/case/show/{case_id}", mediator.location  # now their case
    assert "You have accepted case" in landed


def clickable_links(element, part: str) -> list[str]:
    """The hrefs containing ``part`` of links that show some text."""
    return [a.get("href") for a in element.xpath(".//a[@href]") if part in a.get("href") and text_of(a)]


def pending_offer_id(app, case_id: int) -> int:
    from app.extensions import db
    from app.models import Assignment

    with app.app_context():
        return db.session.scalars(select(Assignment.id).where(
            Assignment.case_id == case_id, Assignment.response == "pending")).one()


def make_appointment_web(browser: Browser, case_id: int, starts_at: dt.datetime) -> None:
    """From the case's appointments page: the appointment in person at the centre."""
    records = browser.page(f"/case/{case_id}/sessions")
    assert f"/case/{case_id}/appointment" in records
    url = f"/case/{case_id}/appointment"
    browser.submit(url, browser.page(url), "appointment-form", starts_at=starts_at.strftime("%Y-%m-%dT%H:%M"),
                   mode="offline", place="香洲街道综治中心调解室", note="双方均确认到场")


def record_session_web(mediator: Browser, case_id: int) -> None:
    """“Record the session” beside the planned appointment: minutes and caucus notes."""
    records = mediator.page(f"/case/{case_id}/sessions")
    link = [h for h in lxml.html.fromstring(records).xpath("//table[@id='appointments']//a/@href")
            if "/session?appointment=" in h]
    assert link, "no “Record the session” link beside the appointment"
    page = mediator.page(link[0])
    assert "caucus_notes" in page, "the case's own mediator is not offered the caucus notes"
    mediator.submit(urlparse(link[0]).path, page, "session-form", minutes=MINUTES, caucus_notes=CAUCUS)


def save_agreement_web(clerk: Browser, case_id: int, terms, mediator_name: str) -> None:
    """Write the terms over the template's suggestions, leave the spare rows empty, save."""
    url = f"/case/{case_id}/agreement/save"
    page = clerk.page(url)
    rows = {k for k, _v in lxml.html.fromstring(page).xpath("//form[@id='agreement-form']")[0].form_values()
            if k.startswith("terms-")}
    changes = {k: "" for k in rows}
    for i, (text, manner, due) in enumerate(terms):
        changes.update({f"terms-{i}-text": text, f"terms-{i}-manner": manner, f"terms-{i}-due": due.isoformat()})
    clerk.submit(url, page, "agreement-form", template_code="compensation", committee=COMMITTEE,
                 mediator=mediator_name, **changes)


def sign_all_web(clerk: Browser, case_id: int, signed_on: dt.date) -> list[str]:
    """Record each signature line of the agreement page in turn; the names signed."""
    url = f"/case/{case_id}/agreement/save"
    names = []
    while True:
        page = clerk.page(url)
        rows = [r for r in lxml.html.fromstring(page).xpath("//table[@id='signatures']/tbody/tr") if r.xpath(".//form")]
        if not rows:
            return names
        names.append(text_of(rows[0].xpath("td")[0]))
        action = rows[0].xpath(".//form/@action")[0]
        clerk.submit(url, page, f"//form[@action='{action}']", signed_on=signed_on.isoformat(), method="signature")


def apply_confirmation_web(clerk: Browser, case_id: int, applied_on: dt.date, last_day: dt.date) -> None:
    """“Apply for judicial confirmation” leads to the confirmation page (step "apply")."""
    page = case_page(clerk, case_id)
    # the header's primary action goes straight to the confirmation page
    url = f"/case/{case_id}/confirmation"
    assert url in lxml.html.fromstring(page).xpath("//a[contains(@class, 'btn-primary')]/@href"), \
        "no “Apply for judicial confirmation” button"
    r = clerk.client.get(f"/case/{case_id}/do/apply_confirmation")  # an old bookmark still lands there
    assert r.status_code == 302 and urlparse(r.headers["Location"]).path == url
    form_page = clerk.page(url)
    # the 30 days after the agreement took effect are shown before applying
    assert f"the last day is {last_day.isoformat()}" in text_of(lxml.html.fromstring(form_page)), last_day
    clerk.submit(url, form_page, "confirmation-form", applied_on=applied_on.isoformat())


def record_court_decision_web(clerk: Browser, case_id: int, accepted_on: dt.date, decided_on: dt.date) -> None:
    url = f"/case/{case_id}/confirmation"
    clerk.submit(url, clerk.page(url), "confirmation-form", accepted_on=accepted_on.isoformat(), result="confirmed",
                 decided_on=decided_on.isoformat(), enforcement_note="裁定确认调解协议有效")


def record_first_visit_web(clerk: Browser, case_id: int, done_on: dt.date) -> None:
    """The first planned visit from the case page: every term performed, satisfaction 5."""
    rows = lxml.html.fromstring(case_page(clerk, case_id)).xpath("//table[@id='return-visits']/tbody/tr")
    assert rows, "no return visits planned on the case page"
    link = rows[0].xpath(".//a/@href")[0]
    page = clerk.page(link)
    ticks = lxml.html.fromstring(page).xpath("//input[@name='performed_terms']/@value")
    clerk.submit(link, page, "visit-form", done_on=done_on.isoformat(), method="phone", terms_performed="yes",
                 satisfaction="5", performed_terms=ticks, notes="双方确认款项已全部付清")


def cancel_remaining_visits_web(clerk: Browser, case_id: int) -> None:
    """A case closes once no return visit is planned: the later visit is no longer needed."""
    rows = lxml.html.fromstring(case_page(clerk, case_id)).xpath("//table[@id='return-visits']/tbody/tr")
    for link in [h for row in rows for h in row.xpath(".//a/@href")]:
        page = clerk.page(link)
        clerk.submit(urlparse(link).path, page, "visit-cancel-form", reason=VISIT_CANCELLED)


def enter_wage_web(admin: Browser, valid_from: dt.date) -> None:
    """The administrator adds the year's figure on the Dated settings page."""
    url = "/admin/settings/add"
    # FAB then goes back where the browser came from (here: the home page)
    admin.submit(url, admin.page(url), "model_form", key="core.small_claims_wage", value=WAGE,
                 valid_from=valid_from.isoformat(), source="测试数值（非真实工资数据）", note="")
    listing = admin.page("/admin/settings/list/")
    # the list names the setting as people read it, not by its key
    rows = [text_of(tr) for tr in lxml.html.fromstring(listing).xpath("//table//tr")
            if WAGE in text_of(tr) and "average annual wage" in text_of(tr).lower()]
    assert rows and valid_from.isoformat() in rows[0], rows


# -- API steps ---------------------------------------------------------------------------------
class Api:
    """An integrating system signed in as one user."""

    def __init__(self, app, username: str, password: str = ""):
        self.client = app.test_client()
        r = self.client.post("/api/v1/security/login", json={
            "username": username, "password": password or helpers.PASSWORDS.get(username, PASSWORD),
            "provider": "db"})
        assert r.status_code == 200, r.get_json()
        self.headers = {"Authorization": f"Bearer {r.get_json()['access_token']}"}
        self.username = username

    def get(self, url: str) -> dict:
        r = self.client.get(url, headers=self.headers)
        assert r.status_code == 200, f"GET {url} as {self.username}: {r.status_code} {r.get_data(as_text=True)[:500]}"
        return r.get_json()

    def post(self, url: str, body: dict, expect: int = 200) -> dict:
        r = self.client.post(f"{url}?_l_=en", json=body, headers=self.headers)
        assert r.status_code == expect, f"POST {url} as {self.username}: {r.status_code} {r.get_json()}"
        return r.get_json()

    def case(self, case_id: int) -> dict:
        return self.get(f"/api/v1/case/{case_id}")["result"]

    def read(self, url: str):
        """The response to a GET, or ``None`` when there is no such endpoint (404/405)."""
        r = self.client.get(url, headers=self.headers)
        if r.status_code in (404, 405):
            return None
        assert r.status_code == 200, f"GET {url} as {self.username}: {r.status_code} {r.get_data(as_text=True)[:500]}"
        return r


def register_api(clerk: Api, payload: dict) -> int:
    return clerk.post("/api/v1/case/", payload, expect=201)["id"]


def record_consent_api(clerk: Api, case_id: int, answers: dict[str, str]) -> None:
    parties = {p["name"]: p["id"] for p in clerk.case(case_id)["parties_masked"]}
    clerk.post(f"/api/v1/case/{case_id}/consent", {
        "subject": "mediation", "channel": "window",
        "decisions": {str(parties[name]): answer for name, answer in answers.items()}}, expect=201)


def act_api(clerk: Api, case_id: int, action: str, **body) -> dict:
    """Perform an action on the version just read, as a client that checks for others' edits."""
    version = clerk.case(case_id)["version"]
    return clerk.post(f"/api/v1/case/{case_id}/transition", {"action": action, "version": version, **body})


def find_mediator_api(app, clerk: Api, case_id: int, missing: MissingPieces) -> int:
    """The id of the mediator to offer the case to, among those recommended for it."""
    r = clerk.read(f"/api/v1/case/{case_id}/recommendations")
    if r is not None:
        found = [m["mediator_id"] for m in r.get_json()["result"] if m["name"] == MEDIATOR_NAME]
        assert found, f"{MEDIATOR_NAME} is not recommended: {r.get_json()}"
        return found[0]
    missing.note("An API client cannot find whom to offer a case to: GET /api/v1/case/<id>/recommendations answers "
                 "404 and no endpoint lists the mediator pool (the ranking of app/services/recommend.py is on "
                 "pages only), yet POST /api/v1/case/<id>/assign needs “mediator_ids”.")
    from app.extensions import db
    from app.models import Mediator

    with app.app_context():
        return db.session.scalars(select(Mediator.id).where(Mediator.name == MEDIATOR_NAME)).one()


def offer_to_api(clerk: Api, case_id: int, mediator_id: int) -> int:
    """Offer the case; the id of the offer made."""
    version = clerk.case(case_id)["version"]
    made = clerk.post(f"/api/v1/case/{case_id}/assign",
                      {"mediator_ids": [mediator_id], "version": version, "note": "熟悉交通事故赔偿"})
    assert made["status"] == "assigned" and [o["mediator_id"] for o in made["offers"]] == [mediator_id]
    return made["offers"][0]["id"]


def accept_offer_api(mediator: Api, case_id: int, offer_made: int, missing: MissingPieces) -> dict:
    """The mediator's client lists the offers waiting for them and accepts this case's."""
    r = mediator.read("/api/v1/case/offers")
    if r is not None:
        waiting = [o["id"] for o in r.get_json()["result"] if o["case_id"] == case_id]
        assert waiting == [offer_made], r.get_json()
    else:
        # Only the clerk's assign response names the offer.
        missing.note("A mediator's API client cannot list the offers waiting for them: GET /api/v1/case/offers "
                     "answers 404 (app/views/assignment.py AssignmentResponseApi); the offer id is returned only "
                     "to the clerk who made the offer.")
    return mediator.post(f"/api/v1/case/offers/{offer_made}/accept", {})


def make_appointment_api(mediator: Api, case_id: int, starts_at: dt.datetime) -> int:
    version = mediator.case(case_id)["version"]
    made = mediator.post(f"/api/v1/case/{case_id}/appointments", {
        "starts_at": starts_at.isoformat(), "mode": "offline", "place": "香洲街道综治中心调解室",
        "participants": [APPLICANT, RESPONDENT, MEDIATOR_NAME], "note": "双方均确认到场", "version": version},
        expect=201)
    assert made["status"] == "scheduled"
    return made["id"]


def record_session_api(mediator: Api, case_id: int, appointment_id: int, held_at: dt.datetime) -> None:
    made = mediator.post(f"/api/v1/case/{case_id}/sessions", {
        "held_at": held_at.isoformat(), "mode": "offline", "minutes": MINUTES, "caucus_notes": CAUCUS,
        "appointment_id": appointment_id}, expect=201)
    assert made["status"] == "in_mediation" and "caucus_notes" not in made


def save_agreement_api(clerk: Api, case_id: int, terms, drafted_on: dt.date) -> dict:
    version = clerk.case(case_id)["version"]
    saved = clerk.post(f"/api/v1/case/{case_id}/agreement", {
        "template_code": "compensation", "committee": COMMITTEE, "mediator_name": MEDIATOR_NAME,
        "drafted_on": drafted_on.isoformat(), "version": version,
        "terms": [{"text": t, "manner": m, "due": d.isoformat()} for t, m, d in terms]})
    assert saved["status"] == "agreement_reached"
    return saved["agreement"]


def download_agreement_api(app, clerk: Api, case_id: int, missing: MissingPieces) -> bytes:
    """The stored agreement as a Word document."""
    r = clerk.read(f"/api/v1/case/{case_id}/agreement.docx")
    if r is not None:
        assert r.mimetype.endswith("wordprocessingml.document"), r.mimetype
        return r.data
    missing.note("An API client cannot download the stored agreement: GET /api/v1/case/<id>/agreement.docx answers "
                 "404; only the web page /case/<id>/agreement/stored.docx (app/views/outcome.py "
                 "OutcomeView.stored_docx) serves it, to a signed-in browser.")
    return Browser(app, clerk.username).client.get(f"/case/{case_id}/agreement/stored.docx").data


def sign_all_api(clerk: Api, case_id: int, agreement: dict, signed_on: dt.date) -> dict:
    for line in agreement["signatures"]:
        version = clerk.case(case_id)["version"]
        agreement = clerk.post(f"/api/v1/case/{case_id}/agreement/signatures/{line['id']}",
                               {"signed_on": signed_on.isoformat(), "method": "signature", "version": version}
                               )["agreement"]
    return agreement


def return_visits_api(app, clerk: Api, case_id: int, missing: MissingPieces) -> list[dict]:
    """The case's return visits, earliest first: id, done_on, terms_performed, satisfaction."""
    r = clerk.read(f"/api/v1/case/{case_id}/visits")
    if r is not None:
        return r.get_json()["result"]
    missing.note("An API client cannot find the return visits to record: POST /api/v1/case/<id>/visits/<vid> needs "
                 "the visit's id, but GET /api/v1/case/<id>/visits answers 404 and no other response carries it "
                 "(app/views/outcome_api.py).")
    from app.extensions import db
    from app.models import ReturnVisit

    with app.app_context():
        rows = db.session.scalars(select(ReturnVisit).where(ReturnVisit.case_id == case_id)
                                  .order_by(ReturnVisit.scheduled_for, ReturnVisit.id))
        return [{"id": v.id, "done_on": v.done_on.isoformat() if v.done_on else None,
                 "terms_performed": v.terms_performed, "satisfaction": v.satisfaction} for v in rows]


def service_deadlines(app, case_id: int) -> dict[str, str]:
    """What the case page's deadline table shows (the API has no deadlines)."""
    from app.extensions import db
    from app.lifecycle.deadlines import case_deadlines
    from app.models import Case

    with app.app_context():
        return {d.code: d.status for d in case_deadlines(db.session.get(Case, case_id))}


def service_advice(app, case_id: int) -> dict[str, str]:
    """The screening advice as the case page gives it (the API has none), in English."""
    from flask_babel import force_locale

    from app.extensions import db
    from app.models import Case
    from app.templating import case_advice

    with app.test_request_context(), force_locale("en"):
        return {a.code: str(a.message) for a in case_advice(db.session.get(Case, case_id))}


def stored_case(app, case_id: int) -> dict:
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        case = db.session.get(Case, case_id)
        return {"status": case.status, "track": case.track, "litigation_track": case.litigation_track,
                "screening_note": case.screening_note, "mediator": case.mediator.name if case.mediator else None,
                "closed": case.closed_at is not None}


def debt_payload(places: dict) -> dict:
    """A private loan the respondent will not mediate, claimed at CLAIM."""
    payload = helpers.traffic_payload(places)
    payload.update({
        "dispute_type": "debt", "title": "林晓明与黄丽娟民间借贷纠纷", "claim_amount": CLAIM,
        "description": "被申请人借款到期未还，申请人请求偿还本金及利息。",
        "intake": {"lender_kind": "private", "principal": "40000.00", "interest_rate": "12.00",
                   "contract_date": "2025-06-10", "due_date": "2025-12-10", "security": "none",
                   "evidence": "iou", "knew_of_harm_on": "2025-12-11"},
    })
    return payload


# What the timeline of journey 1 says, in order (English labels on the page, codes in the API).
MEDIATED_TIMELINE = [
    ("Registered", "register"),
    ("Consent: Mediation", "mediation"),
    ("Start screening", "start_screening"),
    ("Parties agree to mediation", "accept_mediation"),
    ("Offer to mediators", "assign"),
    ("Offered to mediators", "offer"),
    ("Offer accepted", "accept_offer"),
    ("Appointment made", "schedule"),
    ("Appointment added", "appointment"),
    ("Start mediation", "start_mediation"),
    ("Session recorded", "session"),
    ("Agreement reached", "reach_agreement"),
    ("Agreement saved", "agreement_saved"),
    ("Agreement signed", "agreement_signed"),
    ("Agreement signed", "agreement_signed"),
    ("Agreement signed", "agreement_signed"),
    ("Agreement in effect", "agreement_effective"),
    ("Return visits planned", "visits_scheduled"),
    ("Apply for judicial confirmation", "apply_confirmation"),
    ("Judicial confirmation applied for", "confirmation_applied"),
    ("Court's decision on judicial confirmation", "confirmation_recorded"),
    ("Terms being performed", "start_performance"),
    ("Return visit", "visit_recorded"),
    ("Return visit cancelled", "visit_cancelled"),
    ("Close the case", "close"),
]
TRANSFERRED_TIMELINE = [
    ("Registered", "register"),
    ("Consent: Mediation", "mediation"),
    ("Start screening", "start_screening"),
    ("Mediation refused: screen for litigation", "refuse_mediation"),
    ("Transfer to litigation or arbitration", "transfer"),
]
# The deadlines of a pre-filing traffic case, and the states they count in before being met.
MEDIATION_DEADLINES = {
    "core.pre_filing_mediation": ("running",),
    "core.confirmation_application": ("running",),
    # three days: shown as due soon from the first day (core.due_soon_days is 3)
    "core.confirmation_acceptance": ("running", "due_soon"),
}


# -- journey 1: mediated to the end ------------------------------------------------------------
def test_traffic_case_mediated_to_the_end_on_the_web(app, world):
    missing = MissingPieces("web")
    clerk, mediator = Browser(app, world["clerk"]), Browser(app, world["mediator_user"], world["mediator_password"])
    today, now = court_today(app), court_now(app)
    watch = DeadlineWatch()

    case_id = register_web(clerk, "traffic", helpers.traffic_payload(world))
    record_consent_web(clerk, case_id, {APPLICANT: "given", RESPONDENT: "given"})
    act_web(clerk, case_id, "start_screening")
    page = act_web(clerk, case_id, "accept_mediation")
    assert watch.look(page_deadlines(page))["core.pre_filing_mediation"] == "running"

    offer_to_web(clerk, case_id, MEDIATOR_NAME)
    accept_offer_web(app, mediator, case_id, missing)
    assert f"Mediator: {MEDIATOR_NAME}" in status_line(case_page(clerk, case_id))
    # a session is recorded once its appointment has begun: the parties are here now
    make_appointment_web(mediator, case_id, now)
    record_session_web(mediator, case_id)
    records = mediator.page(f"/case/{case_id}/sessions")
    assert MINUTES in records and CAUCUS in records  # the mediator reads their caucus notes
    records = clerk.page(f"/case/{case_id}/sessions")
    assert MINUTES in records and CAUCUS not in records  # nobody else does
    watch.look(page_deadlines(case_page(clerk, case_id)))

    terms = terms_due(today)
    save_agreement_web(clerk, case_id, terms, MEDIATOR_NAME)
    r = clerk.client.get(f"/case/{case_id}/agreement/stored.docx")
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    text = docx_text(r.data)
    for expected in [APPLICANT, RESPONDENT, MEDIATOR_NAME, COMMITTEE] + [t for t, _m, _d in terms] + \
            [f"{d.year}年{d.month}月{d.day}日" for _t, _m, d in terms]:
        assert expected in text, f"{expected} is not in the stored agreement"

    assert sign_all_web(clerk, case_id, today) == [APPLICANT, RESPONDENT, MEDIATOR_NAME]
    page = case_page(clerk, case_id)
    assert f"In effect from {today.isoformat()}" in page
    watch.look(page_deadlines(page))

    apply_confirmation_web(clerk, case_id, today, last_day=today + dt.timedelta(days=30))
    watch.look(page_deadlines(case_page(clerk, case_id)))
    record_court_decision_web(clerk, case_id, today, today)
    assert "Judicial confirmation: Confirmed" in text_of(lxml.html.fromstring(case_page(clerk, case_id))
                                                         .xpath("//div[@id='outcome']")[0])
    act_web(clerk, case_id, "start_performance")
    record_first_visit_web(clerk, case_id, today)
    cancel_remaining_visits_web(clerk, case_id)
    page = act_web(clerk, case_id, "close", note="协议已履行完毕，回访满意，结案")

    assert status_line(page).startswith("Status: Closed")
    visits = lxml.html.fromstring(page).xpath("//table[@id='return-visits']/tbody/tr")
    assert [text_of(td) for td in visits[0].xpath("td")][1:5] == [today.isoformat(), "Telephone", "Yes", "5"]
    assert [what for what, _note in page_timeline(page)] == [label for label, _code in MEDIATED_TIMELINE]
    final = watch.look(page_deadlines(page))
    # the police-mediation window had closed before the case came here (determined in September)
    assert final.pop("traffic.police_mediation_application") == "late", final
    assert final and set(final.values()) == {"met"}, final
    for code, counting in MEDIATION_DEADLINES.items():
        watch.ran_then_met(code, counting)
    stored = stored_case(app, case_id)
    assert (stored["status"], stored["mediator"], stored["closed"]) == ("closed", MEDIATOR_NAME, True)
    missing.none_left()


def test_traffic_case_mediated_to_the_end_through_the_api(app, api_world):
    world = api_world
    missing = MissingPieces("API")
    clerk, mediator = Api(app, world["clerk"]), Api(app, world["mediator_user"], world["mediator_password"])
    today, now = court_today(app), court_now(app)
    watch = DeadlineWatch()

    case_id = register_api(clerk, helpers.traffic_payload(world))
    record_consent_api(clerk, case_id, {APPLICANT: "given", RESPONDENT: "given"})
    assert act_api(clerk, case_id, "start_screening")["status"] == "screening"
    assert act_api(clerk, case_id, "accept_mediation")["status"] == "mediation_accepted"
    assert watch.look(service_deadlines(app, case_id))["core.pre_filing_mediation"] == "running"

    offer_id = offer_to_api(clerk, case_id, find_mediator_api(app, clerk, case_id, missing))
    accepted = accept_offer_api(mediator, case_id, offer_id, missing)
    assert accepted["response"] == "accepted" and accepted["case_id"] == case_id
    # a session is recorded once its appointment has begun: the parties are here now
    appointment_id = make_appointment_api(mediator, case_id, now)
    record_session_api(mediator, case_id, appointment_id, now)
    watch.look(service_deadlines(app, case_id))

    terms = terms_due(today)
    agreement = save_agreement_api(clerk, case_id, terms, today)
    assert [(t["text"], t["due_on"]) for t in agreement["terms"]] == [(t, d.isoformat()) for t, _m, d in terms]
    text = docx_text(download_agreement_api(app, clerk, case_id, missing))
    for expected in [APPLICANT, RESPONDENT, MEDIATOR_NAME, COMMITTEE] + [t for t, _m, _d in terms]:
        assert expected in text, f"{expected} is not in the stored agreement"

    assert [s["name"] for s in agreement["signatures"]] == [APPLICANT, RESPONDENT, MEDIATOR_NAME]
    agreement = sign_all_api(clerk, case_id, agreement, today)
    assert agreement["effective_on"] == today.isoformat()
    watch.look(service_deadlines(app, case_id))

    version = clerk.case(case_id)["version"]
    applied = clerk.post(f"/api/v1/case/{case_id}/confirmation", {"applied_on": today.isoformat(), "version": version})
    assert applied["status"] == "judicial_confirmation"
    watch.look(service_deadlines(app, case_id))
    decided = clerk.post(f"/api/v1/case/{case_id}/confirmation", {
        "result": "confirmed", "accepted_on": today.isoformat(), "decided_on": today.isoformat(),
        "enforcement_note": "裁定确认调解协议有效", "version": clerk.case(case_id)["version"]})
    assert decided["result"] == "confirmed" and decided["warning"] is None
    assert act_api(clerk, case_id, "start_performance")["status"] == "performing"

    planned = return_visits_api(app, clerk, case_id, missing)
    assert len(planned) == 2 and not any(v["done_on"] for v in planned), planned
    first = planned[0]["id"]
    visit = clerk.post(f"/api/v1/case/{case_id}/visits/{first}", {
        "done_on": today.isoformat(), "method": "phone", "terms_performed": True, "satisfaction": 5,
        "notes": "双方确认款项已全部付清", "performed_term_ids": [t["id"] for t in agreement["terms"]]})
    assert visit["follow_up"] is False
    done = return_visits_api(app, clerk, case_id, missing)[0]
    assert (done["done_on"], done["terms_performed"], done["satisfaction"]) == (today.isoformat(), True, 5)
    for later in return_visits_api(app, clerk, case_id, missing)[1:]:
        clerk.post(f"/api/v1/case/{case_id}/visits/{later['id']}/cancel", {"reason": VISIT_CANCELLED})
    assert act_api(clerk, case_id, "close", note="协议已履行完毕，回访满意，结案")["status"] == "closed"

    shown = clerk.case(case_id)
    assert shown["status"] == "closed"
    assert [e["action"] for e in shown["timeline_entries"]] == [code for _label, code in MEDIATED_TIMELINE]
    actors = {e["action"]: e["actor"] for e in shown["timeline_entries"]}
    assert (actors["accept_offer"], actors["session"], actors["close"]) == (world["mediator_user"], world["mediator_user"], world["clerk"])
    final = watch.look(service_deadlines(app, case_id))
    # the police-mediation window had closed before the case came here (determined in September)
    assert final.pop("traffic.police_mediation_application") == "late", final
    assert final and set(final.values()) == {"met"}, final
    for code, counting in MEDIATION_DEADLINES.items():
        watch.ran_then_met(code, counting)
    missing.none_left()


# -- journey 2: refused, screened, sent to small claims ----------------------------------------
def test_debt_case_refused_and_transferred_to_small_claims_on_the_web(app, world):
    clerk, admin = Browser(app, world["clerk"]), Browser(app, ADMIN)
    today = court_today(app)

    case_id = register_web(clerk, "debt", debt_payload(world))
    record_consent_web(clerk, case_id, {APPLICANT: "given", RESPONDENT: "refused"})
    act_web(clerk, case_id, "start_screening")
    page = act_web(clerk, case_id, "refuse_mediation", note=SCREENING_NOTE)
    assert status_line(page).startswith("Status: Litigation screening")
    # Until the wage is entered the advice asks for it rather than guessing a limit.
    assert "Small-claims limits cannot be worked out" in page_advice(page)

    enter_wage_web(admin, today)
    advice = page_advice(case_page(clerk, case_id))
    assert "Small-claims limits cannot be worked out" not in advice
    assert "The claim (¥45,000.00) is within 50 % of the average annual wage (¥60,000.00)" in advice, advice

    page = act_web(clerk, case_id, "transfer", note="转小额诉讼程序审理", track="small_claims")
    assert status_line(page).startswith("Status: Transferred")
    assert "Track: Small-claims procedure" in status_line(page)
    timeline = page_timeline(page)
    assert [what for what, _note in timeline] == [label for label, _code in TRANSFERRED_TIMELINE]
    assert timeline[1][1] == f"{APPLICANT}：同意；{RESPONDENT}：不同意" and timeline[3][1] == SCREENING_NOTE
    buttons = lxml.html.fromstring(page).xpath("//div[@id='workflow']//a/@href")
    assert not [b for b in buttons if "/do/" in b], buttons  # a transferred case has nothing left to do
    assert stored_case(app, case_id) == {
        "status": "transferred", "track": "litigation", "litigation_track": "small_claims",
        "screening_note": SCREENING_NOTE, "mediator": None, "closed": True}


def test_debt_case_refused_and_transferred_to_small_claims_through_the_api(app, world):
    clerk, admin = Api(app, world["clerk"]), Browser(app, ADMIN)
    today = court_today(app)

    case_id = register_api(clerk, debt_payload(world))
    assert Decimal(str(clerk.case(case_id)["claim_amount"])) == Decimal(CLAIM)
    record_consent_api(clerk, case_id, {APPLICANT: "given", RESPONDENT: "refused"})
    assert act_api(clerk, case_id, "start_screening")["status"] == "screening"
    refused = act_api(clerk, case_id, "refuse_mediation", note=SCREENING_NOTE)
    assert refused["status"] == "litigation_screening"
    assert set(service_advice(app, case_id)) >= {"core.small_claims_wage_missing"}

    enter_wage_web(admin, today)  # there is no settings endpoint: the administrator uses the page
    advice = service_advice(app, case_id)
    assert "core.small_claims_wage_missing" not in advice and "core.fast_track" not in advice
    assert "(¥45,000.00) is within 50 % of the average annual wage (¥60,000.00)" in advice["core.small_claims"]

    done = act_api(clerk, case_id, "transfer", track="small_claims", note="转小额诉讼程序审理")
    assert done["status"] == "transferred"
    shown = clerk.case(case_id)
    assert shown["status"] == "transferred"
    assert [e["action"] for e in shown["timeline_entries"]] == [code for _label, code in TRANSFERRED_TIMELINE]
    assert shown["timeline_entries"][1]["note"] == f"{APPLICANT}：同意；{RESPONDENT}：不同意"
    assert shown["timeline_entries"][3]["note"] == SCREENING_NOTE
    # The procedure it went to and the screening note, as the API shows them when it does;
    # the row is read as well (the API's own "track" is the case's track, "litigation").
    for key, expected in (("litigation_track", "small_claims"), ("screening_note", SCREENING_NOTE)):
        if key in shown:
            assert shown[key] == expected, (key, shown[key])
    assert stored_case(app, case_id) == {
        "status": "transferred", "track": "litigation", "litigation_track": "small_claims",
        "screening_note": SCREENING_NOTE, "mediator": None, "closed": True}
