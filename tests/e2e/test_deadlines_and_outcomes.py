"""Periods and outcomes of issue 12 in zh_CN, by the people who handle them, through the pages:
a medical case's mediation period suspended for an appraisal and resumed; a traffic case's
police mediation period waiting for the end of treatment until the clerk records it; a family
agreement whose divorce term a court cannot confirm, left out of the application with the
law; an oral agreement, which reaches "agreement reached" and which no court confirms; the
Linkage and Outbox pages an administrator reads."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest

from tests import helpers
from tests.e2e.browser import Guard, Person
from tests.e2e.case_steps import (
    APPLICANT, RESPONDENT, accept_offer_from_my_work, act, apply_for_confirmation, book_appointment, case_id_of,
    china_now, fill_traffic_intake, offer_to, open_case, record_consent, record_session_of, register_traffic_case,
    sign_all)
from tests.e2e.server import ROOT, start_server
from tests.e2e.staff import (ADMIN, CENTRE, CLERK, COMMITTEE, MEDIATOR_NAME, POLICE, add_membership, create_user,
                             set_plugin, sign_in)

pytestmark = pytest.mark.e2e

MEDICAL_PERIOD = "medical.mediation_period"
POLICE_PERIOD = "traffic.police_mediation_period"
APPRAISAL_NOTE = "医患双方共同委托市医学会进行医疗损害鉴定"
ROOM = "香洲街道综治中心调解室"
SUPPORT_TERM = f"被申请人{RESPONDENT}自下月起每月10日前向申请人{APPLICANT}支付婚生子女抚养费人民币1500元，至子女年满十八周岁时止"
DIVORCE_TERM = f"申请人{APPLICANT}与被申请人{RESPONDENT}自愿离婚"
ORAL_TERM = f"被申请人{RESPONDENT}当场向申请人{APPLICANT}支付车辆维修费人民币800元，双方再无其他争议"


# -- registering a case of any type ----------------------------------------------------------------
def register_case(clerk: Person, dispute_type: str, title: str, fill_intake) -> int:
    """The intake page of ``dispute_type``: the dispute, two parties, the type's own fields
    (``fill_intake(clerk)``); lands on the new case's page."""
    clerk.goto("/case/intake/")
    clerk.click(f"a[href$='/case/intake/{dispute_type}']")
    clerk.fill("title", title)
    clerk.fill("description", "双方协商未果，申请人请求调解。")
    clerk.fill("claim_amount", "38600.00")
    clerk.choose("area_id", label="香洲街道")
    clerk.choose("organization_id", label="香洲街道综治中心")
    for i, (role, name, id_number, mobile, address) in enumerate([
        ("applicant", APPLICANT, helpers.VALID_ID, "13802661234", "汕尾市城区香洲街道通港路18号"),
        ("respondent", RESPONDENT, helpers.VALID_ID_2, "13926605678", "汕尾市城区凤山街道红海大道56号"),
    ]):
        clerk.choose(f"parties-{i}-kind", value="person")
        clerk.choose(f"parties-{i}-role", value=role)
        clerk.fill(f"parties-{i}-name", name)
        clerk.fill(f"parties-{i}-id_number", id_number)
        clerk.fill(f"parties-{i}-mobile", mobile)
        clerk.fill(f"parties-{i}-address", address)
    fill_intake(clerk)
    clerk.submit("#intake-form button[type=submit]")
    if clerk.page.locator("#duplicates").count():  # the same people are in other cases of the run
        clerk.page.locator("input[name='confirm_duplicates']").check()
        clerk.submit("#intake-form button[type=submit]")
    assert re.fullmatch(r"/case/show/\d+", clerk.path), f"not registered: {clerk.problems_shown()}"
    return case_id_of(clerk)


def medical_intake(clerk: Person) -> None:
    today = china_now().date()
    clerk.fill("intake-hospital", "汕尾市城区某医院")
    clerk.fill("intake-treatment_start", (today - dt.timedelta(days=60)).isoformat())
    clerk.fill("intake-alleged_harm", "患方认为术后感染未及时处理，导致二次手术，要求医院赔偿各项损失。")


def family_intake(clerk: Person) -> None:
    clerk.choose("intake-relationship", value="married")
    clerk.fill("intake-marriage_date", "2015-05-20")


def accepted_for_mediation(clerk: Person, case_id: int) -> None:
    """Consent at the window, screening, and the parties' agreement to mediate."""
    record_consent(clerk, case_id)
    act(clerk, case_id, "start_screening")
    act(clerk, case_id, "accept_mediation")


def in_mediation(clerk: Person, mediator: Person, case_id: int) -> None:
    """Offered to the pool mediator, accepted from My work, an appointment earlier today (the
    parties are in the room) and its session recorded: the case is in mediation."""
    offer_to(clerk, case_id, MEDIATOR_NAME)
    accept_offer_from_my_work(mediator, case_id)
    now = china_now()
    earlier = max(now - dt.timedelta(minutes=10), now.replace(hour=0, minute=0))
    book_appointment(mediator, case_id, earlier, ROOM)
    record_session_of(mediator, case_id, ROOM)


# -- the periods -------------------------------------------------------------------------------------
def deadline_row(someone: Person, case_id: int, code: str):
    open_case(someone, case_id)
    row = someone.page.locator(f"#deadlines tr[data-code='{code}']")
    assert row.count() == 1, f"no period {code} on the case page: {someone.text('#deadlines')}"
    return row


def open_period_page(someone: Person, case_id: int, code: str) -> None:
    """The period's link in the case page's deadline table."""
    row = deadline_row(someone, case_id, code)
    with someone.page.expect_navigation():
        row.locator("a.deadline-steps").click()
    someone.look()
    assert someone.path == f"/case/{case_id}/deadline/{code}", someone.path


def refused_in_the_layout(someone: Person, expected: str) -> None:
    """The form came back inside the application's layout, saying in Chinese what is wrong."""
    assert someone.page.locator(".jf-top").count(), "the refusal is not inside the application's layout"
    said = " ".join(someone.problems_shown())
    assert expected in said, said


def expect_refusal_at(someone: Person, path: str) -> None:
    """A refused form answers 422: Chromium's console line for it is expected."""
    someone.guard.expected_errors.add(someone.server.base + path)


def test_medical_period_suspended_for_an_appraisal_and_resumed(person, staff):
    clerk = person("clerk")
    sign_in(clerk, staff["clerk"])
    case_id = register_case(clerk, "medical", f"{APPLICANT}与汕尾市城区某医院医疗纠纷", medical_intake)
    accepted_for_mediation(clerk, case_id)
    today = china_now().date().isoformat()
    row = deadline_row(clerk, case_id, MEDICAL_PERIOD)
    assert "进行中" in row.inner_text(), row.inner_text()
    # the confirmation periods start from days the case records later: nothing to record on them yet
    for waiting in clerk.page.locator("#deadlines tr.deadline-waiting").all():
        assert not waiting.locator("a.deadline-steps").count(), waiting.inner_text()

    open_period_page(clerk, case_id, MEDICAL_PERIOD)
    assert "中止期限" in clerk.text("#deadline-suspend-form")
    # no reason chosen: refused in Chinese, the note as typed
    expect_refusal_at(clerk, f"/case/{case_id}/deadline/{MEDICAL_PERIOD}/suspend")
    clerk.fill("note", APPRAISAL_NOTE, within="#deadline-suspend-form")
    clerk.submit("#deadline-suspend-form button[type=submit]")
    assert clerk.path == f"/case/{case_id}/deadline/{MEDICAL_PERIOD}/suspend", clerk.path
    refused_in_the_layout(clerk, "请选择中止期限的原因")
    assert clerk.page.locator("#deadline-suspend-note").input_value() == APPRAISAL_NOTE

    clerk.choose("reason", value="appraisal", within="#deadline-suspend-form")
    clerk.submit("#deadline-suspend-form button[type=submit]")
    assert clerk.path == f"/case/show/{case_id}", clerk.problems_shown()
    assert "期限已中止" in " ".join(clerk.problems_shown())
    row = deadline_row(clerk, case_id, MEDICAL_PERIOD)
    shown = re.sub(r"\s+", " ", row.inner_text())
    assert "已中止" in shown, shown
    assert f"自{today}起中止：鉴定、评估" in shown and APPRAISAL_NOTE in shown, shown

    # suspended, the page offers resuming only; resumed, the suspension is listed as not counted
    open_period_page(clerk, case_id, MEDICAL_PERIOD)
    assert not clerk.page.locator("#deadline-suspend-form").count(), "a suspended period offers suspending again"
    clerk.fill("note", "鉴定意见书已送达双方", within="#deadline-resume-form")
    clerk.submit("#deadline-resume-form button[type=submit]")
    assert clerk.path == f"/case/show/{case_id}", clerk.problems_shown()
    assert "期限已恢复计算" in " ".join(clerk.problems_shown())
    row = deadline_row(clerk, case_id, MEDICAL_PERIOD)
    shown = re.sub(r"\s+", " ", row.inner_text())
    assert f"{today} 至 {today} 中止：鉴定、评估（不计入期限）" in shown and "期间不计入" not in shown, shown
    assert "进行中" in shown and "已中止" not in shown, shown


def test_police_mediation_period_waits_for_the_end_of_treatment(person, staff):
    clerk = person("clerk")
    sign_in(clerk, staff["clerk"])
    today = china_now().date()

    def went_to_police(someone: Person) -> None:
        """The traffic intake (accident 20 days ago, one person injured, the determination 12
        days ago), and the day the police took up the parties' joint application."""
        fill_traffic_intake(someone, helpers.VALID_ID)
        someone.fill("intake-police_mediation_on", (today - dt.timedelta(days=10)).isoformat())

    case_id = register_case(clerk, "traffic", f"{APPLICANT}与{RESPONDENT}交通事故赔偿纠纷（交警调解）", went_to_police)
    row = deadline_row(clerk, case_id, POLICE_PERIOD)
    shown = re.sub(r"\s+", " ", row.inner_text())
    assert "待开始" in shown and "等待：治疗终结" in shown, shown
    # the joint application was made within its 10 days: that window is met, not overdue
    shown = re.sub(r"\s+", " ", deadline_row(clerk, case_id, "traffic.police_mediation_application").inner_text())
    assert "已完成" in shown and "逾期" not in shown, shown

    open_period_page(clerk, case_id, POLICE_PERIOD)
    assert clerk.text("#deadline-waits-for") == "治疗终结"
    assert clerk.text("#deadline-start-form label[for='deadline-at']") == "治疗终结日期"
    ended = today - dt.timedelta(days=2)
    clerk.page.locator("#deadline-at").fill(ended.isoformat())
    clerk.submit("#deadline-start-form button[type=submit]")
    assert clerk.path == f"/case/show/{case_id}", clerk.problems_shown()
    assert "已登记期限起算事件" in " ".join(clerk.problems_shown())
    row = deadline_row(clerk, case_id, POLICE_PERIOD)
    shown = re.sub(r"\s+", " ", row.inner_text())
    assert "进行中" in shown or "即将到期" in shown, shown
    assert "等待" not in shown and ended.isoformat() in shown, shown


# -- the outcomes ------------------------------------------------------------------------------------
def write_agreement(mediator: Person, case_id: int, template: str, terms: list[tuple[str, str, str]]) -> None:
    """The agreement page: ``terms`` as (text, kind, how it is performed), each kind chosen."""
    mediator.goto(f"/case/{case_id}/agreement/save")
    mediator.choose("template_code", value=template)
    mediator.fill("committee", COMMITTEE, within="#agreement-form")
    mediator.fill("mediator", MEDIATOR_NAME, within="#agreement-form")
    for field in mediator.page.locator("#agreement-form [name^='terms-']").all():
        if field.evaluate("e => e.tagName") != "SELECT":
            field.fill("")
    for i, (text, kind, manner) in enumerate(terms):
        mediator.fill(f"terms-{i}-text", text, within="#agreement-form")
        mediator.choose(f"terms-{i}-kind", value=kind, within="#agreement-form")
        mediator.fill(f"terms-{i}-manner", manner, within="#agreement-form")
    mediator.submit("#agreement-form button[type=submit]")
    assert mediator.path == f"/case/{case_id}/agreement/save", mediator.path
    assert not mediator.page.locator(".alert-danger").count(), mediator.problems_shown()


def test_family_agreement_applies_for_the_support_term_and_leaves_out_the_divorce(person, staff):
    clerk = person("clerk")
    sign_in(clerk, staff["clerk"])
    case_id = register_case(clerk, "family", f"{APPLICANT}与{RESPONDENT}婚姻家庭纠纷", family_intake)
    accepted_for_mediation(clerk, case_id)
    mediator = person("mediator")
    sign_in(mediator, staff["mediator"])
    in_mediation(clerk, mediator, case_id)

    write_agreement(mediator, case_id, "family", [(SUPPORT_TERM, "support", "银行转账"),
                                                  (DIVORCE_TERM, "personal_status", "到婚姻登记机关办理")])
    mediator.goto(f"/case/{case_id}/agreement/save")
    kinds = [mediator.page.locator(f"#agreement-form select[name='terms-{i}-kind']").input_value() for i in (0, 1)]
    assert kinds == ["support", "personal_status"], kinds
    today = china_now().date()
    assert sign_all(mediator, case_id, today) == [APPLICANT, RESPONDENT, MEDIATOR_NAME]
    mediator.goto(f"/case/{case_id}/agreement/save")
    assert f"自{today.isoformat()}起生效" in mediator.text("#agreement-status"), mediator.text("#agreement-status")
    terms = mediator.text("#terms")
    assert "抚养费、赡养费、扶养费" in terms and "身份关系（婚姻、离婚、亲子、收养）" in terms, terms

    apply_for_confirmation(clerk, case_id, today)
    assert not clerk.page.locator(".alert-danger").count(), clerk.problems_shown()
    clerk.goto(f"/case/{case_id}/confirmation")
    covered = clerk.text("#covered-terms")
    assert covered == f"第1条（抚养费、赡养费、扶养费）：{SUPPORT_TERM}", covered
    left_out = clerk.text("#left-out-terms")
    assert left_out.startswith("第2条（身份关系（婚姻、离婚、亲子、收养））未列入申请"), left_out
    assert "法释〔2011〕5号" in left_out, left_out
    open_case(clerk, case_id)
    assert "申请司法确认" in clerk.text("body") or "司法确认" in clerk.text("body")


def test_oral_agreement_reaches_agreement_and_is_not_confirmable(person, staff):
    clerk = person("clerk")
    sign_in(clerk, staff["clerk"])
    case_id = register_traffic_case(clerk)
    accepted_for_mediation(clerk, case_id)
    mediator = person("mediator")
    sign_in(mediator, staff["mediator"])
    in_mediation(clerk, mediator, case_id)

    mediator.goto(f"/case/{case_id}/agreement/save")
    oral = "#oral-agreement-form"
    assert mediator.page.locator(oral).count(), "the agreement page offers no oral agreement"
    mediator.fill("oral-committee", COMMITTEE, within=oral)
    mediator.fill("oral-mediator", MEDIATOR_NAME, within=oral)
    mediator.fill("oral-terms-0-text", ORAL_TERM, within=oral)
    mediator.choose("oral-terms-0-kind", value="money", within=oral)
    mediator.fill("oral-terms-0-manner", "现金当场支付", within=oral)
    assent = mediator.page.locator(f"{oral} input[name='assent']")
    assert assent.count() == 2, mediator.text("#oral-assent")
    for box in assent.all():
        box.check()
    mediator.submit(f"{oral} button[type=submit]:not(#oral-add-term)")  # not the "add a term" button
    assert mediator.path == f"/case/{case_id}/agreement/save", mediator.path
    assert not mediator.page.locator(".alert-danger").count(), mediator.problems_shown()
    open_case(mediator, case_id)
    assert "已达成调解协议" in mediator.text("body")

    mediator.goto(f"/case/{case_id}/agreement/save")
    assert "口头协议" in mediator.text("#agreement-status")
    assert ORAL_TERM in mediator.text("#terms")
    clerk.goto(f"/case/{case_id}/confirmation")
    refusal = clerk.text("#confirmation-refusal")
    assert "口头" in refusal and "人民调解法" in refusal, refusal
    assert not clerk.page.locator("#confirmation-form button[type=submit]").count(), "an application is offered"


# -- the administrator -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sms_server(tmp_path_factory):
    """A second server, set up like the first, with the sms_gateway example installed beside
    it (its package and an entry point on the server's path only): the built-in plugins
    provide no linkage mechanism, and the core's cannot be switched off."""
    site = tmp_path_factory.mktemp("e2e-sms-site")
    shutil.copytree(ROOT / "examples" / "sms_gateway" / "jiefen_sms", site / "jiefen_sms")
    info = site / "jiefen_sms_gateway-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: jiefen-sms-gateway\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[jiefen.plugins]\nsms_gateway = jiefen_sms.plugin\n")
    patch = pytest.MonkeyPatch()
    patch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p))
    try:
        running = start_server(tmp_path_factory.mktemp("e2e-sms-instance"))
    finally:
        patch.undo()
    yield running
    running.stop()


def refer(clerk: Person, case_id: int, partner: str) -> None:
    """From the case: a referral to ``partner``, due in five days."""
    clerk.goto(f"/case/{case_id}/refer")
    clerk.choose("partner", label=partner)
    clerk.fill("purpose", "请协助调取事故认定书及现场勘查材料")
    clerk.fill("legal_basis", "《道路交通安全法》第七十四条")
    clerk.fill("due_on", (china_now().date() + dt.timedelta(days=5)).isoformat())
    clerk.page.locator("input[name='fields']").first.check()
    clerk.submit("#referral-form button[type=submit]")
    assert "/refer" not in clerk.path, clerk.problems_shown()


def test_a_disabled_plugins_messages_read_as_paused(chromium, sms_server):
    """The police brigade is reached by SMS; a referral to it waits in the outbox; the
    administrator stops the SMS plugin: the Linkage page and the Outbox say, in Chinese, that
    its messages are paused until the plugin is enabled again."""
    guard = Guard(sms_server.base)
    admin = Person(chromium, guard, sms_server, "administrator")
    clerk = Person(chromium, guard, sms_server, "clerk")
    try:
        sign_in(admin, ADMIN)
        admin.chinese = False  # FAB's user pages, as the staff fixture uses them
        create_user(admin, CLERK, "Clerk")
        add_membership(admin, CLERK, CENTRE, "窗口受理员")
        admin.chinese = True

        admin.goto("/admin/linkage/")
        police = admin.page.locator("#linkage-channels tbody tr", has_text=POLICE)
        with admin.page.expect_navigation():
            police.locator("a[href*='/admin/linkage/']").click()
        admin.look()
        admin.page.locator("#linkage-form input[name='mechanism'][value='sms_gateway']").check()
        admin.fill("sms_gateway.gateway_url", "https://sms-gateway.jiefen.invalid/send")  # never resolves
        admin.fill("sms_gateway.mobile", "13800138000")
        admin.submit("#linkage-form button[type=submit]")
        assert admin.path == "/admin/linkage/", admin.problems_shown()

        sign_in(clerk, CLERK)
        case_id = register_traffic_case(clerk)
        refer(clerk, case_id, POLICE)

        set_plugin(admin, "sms_gateway", enabled=False)
        admin.goto("/admin/linkage/")
        police = admin.page.locator("#linkage-channels tbody tr", has_text=POLICE)
        shown = re.sub(r"\s+", " ", police.inner_text())
        assert "插件「sms_gateway」已停用，消息暂停发送，插件重新启用后自动发送。" in shown, shown
        assert "1 条暂停发送" in shown, shown
        assert admin.page.locator(".linkage-paused").count() == 1, admin.text("#linkage-channels")
        admin.goto("/admin/outbox/list/")
        paused = admin.page.locator("td.outbox-paused")
        assert paused.count() == 1, admin.text("body")[:800]
        assert paused.inner_text().strip() == "暂停发送：插件「sms_gateway」已停用", paused.inner_text()

        set_plugin(admin, "sms_gateway", enabled=True)
        admin.goto("/admin/outbox/list/")
        assert not admin.page.locator("td.outbox-paused").count(), "still paused after the plugin is enabled"
    finally:
        admin.close()
        clerk.close()
    assert not guard.problems, guard.report()
