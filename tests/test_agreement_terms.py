"""Agreed terms have kinds, and a court confirms an agreement term by term (法释〔2011〕5号 art. 4):
a family agreement's support terms go to the court, its divorce does not. Judicial confirmation's
review period and fee are dated settings; oral agreements (People's Mediation Law art. 28) are
recorded without a document and are not confirmed. Through the API and the pages."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.plugins import DisputeType, hookimpl
from app.plugins.manager import PluginError
from tests import helpers
from tests.fixtures import csrf_token, make_app, make_migrated_app
from tests.test_outcome import api, case_version, new_case

D = dt.date
COMMITTEE = "香洲街道人民调解委员会"
SUPPORT = "被申请人黄丽娟自2026年12月起每月10日前支付婚生子女林小雨抚养费人民币1500元，至子女年满十八周岁时止"
DIVORCE = "申请人林晓明与被申请人黄丽娟自愿离婚"
PAY = "被申请人黄丽娟赔偿申请人林晓明医疗费人民币12500.50元"


@pytest.fixture(scope="module")
def tapp(database, tmp_path_factory):
    app = make_migrated_app(database, tmp_path_factory.mktemp("terms"))
    yield app
    with app.app_context():
        from app.extensions import db

        helpers.wipe_case_data()
        db.session.remove()


@pytest.fixture
def world(tapp):
    with tapp.app_context():
        places = helpers.create_places()
    yield places
    with tapp.app_context():
        from app.extensions import db
        from app.models import Setting

        helpers.wipe_case_data()
        db.session.execute(Setting.__table__.delete().where(Setting.source == "测试数值"))
        db.session.commit()


def agree(app, case_id, terms, drafted_on, template):
    """Store the agreement through the API; the answer's agreement."""
    r = api(app, f"/api/v1/case/{case_id}/agreement?_l_=en",
            {"template_code": template, "committee": COMMITTEE, "mediator_name": "陈调解",
             "drafted_on": drafted_on.isoformat(), "version": case_version(app, case_id), "terms": terms})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["agreement"]


def sign_all(app, case_id, agreement, on):
    for line in agreement["signatures"]:
        r = api(app, f"/api/v1/case/{case_id}/agreement/signatures/{line['id']}",
                {"signed_on": on.isoformat(), "method": "signature", "version": case_version(app, case_id)})
        assert r.status_code == 200, r.get_json()


def apply(app, case_id, on, lang="en"):
    return api(app, f"/api/v1/case/{case_id}/confirmation?_l_={lang}",
               {"applied_on": on.isoformat(), "version": case_version(app, case_id)})


def effective_family_case(app, places, terms, on=D(2026, 11, 2)) -> int:
    case_id = new_case(app, places, "family")
    sign_all(app, case_id, agree(app, case_id, terms, on, "family"), on)
    return case_id


# -- kinds and what a confirmation covers ----------------------------------------------------
def test_a_family_application_covers_the_support_term_and_leaves_out_the_divorce(tapp, world):
    """domain-rules.md rule 5 "Judicial confirmation (司法确认)" (法释〔2011〕5号) and the family row
    of the dispute types ("personal-status matters are excluded from judicial confirmation"):
    the support term goes to the court, the divorce is left out with the reason, in Chinese."""
    case_id = effective_family_case(tapp, world, [
        {"text": SUPPORT, "manner": "银行转账", "kind": "support"},
        {"text": DIVORCE, "kind": "personal_status"}])
    r = apply(tapp, case_id, D(2026, 11, 3))
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    assert answer["status"] == "judicial_confirmation" and answer["covered_terms"] == [1]
    (left_out,) = answer["left_out_terms"]
    assert left_out["position"] == 2 and left_out["kind"] == "personal_status"
    assert "Term 2 (Personal status" in left_out["reason"] and "法释〔2011〕5号）第4条" in left_out["reason"]
    c = tapp.test_client()
    helpers.login(c, "admin")
    page = c.get(f"/case/{case_id}/confirmation").get_data(as_text=True)  # Chinese by default
    assert SUPPORT in page.split('id="covered-terms"')[1].split("</ul>")[0]
    left = page.split('id="left-out-terms"')[1].split("</ul>")[0]
    assert "第2条" in left and "身份关系" in left and "法释〔2011〕5号" in left and DIVORCE not in page.split(
        'id="covered-terms"')[1].split("</ul>")[0]


def test_an_agreement_with_no_confirmable_term_is_refused_with_the_reason(tapp, world):
    """domain-rules.md rule 5 "Judicial confirmation (司法确认)" and the family row: an agreement
    on personal status alone has nothing a court confirms, and the application is refused."""
    case_id = effective_family_case(tapp, world, [{"text": DIVORCE, "kind": "personal_status"}])
    r = apply(tapp, case_id, D(2026, 11, 3))
    assert r.status_code == 422
    (reason,) = r.get_json()["message"]["confirmation"]
    assert "No term of this agreement can be confirmed" in reason and "法释〔2011〕5号" in reason


def test_a_whole_type_exclusion_still_refuses_before_any_term_is_read(tapp, world):
    """domain-rules.md rule 3 "Small-claims exclusions" (personal status, property title) and
    the family row (personal status excluded from judicial confirmation and small claims)."""
    from app.agreements.kinds import confirmation_excluded_kinds, small_claims_excluded_kinds

    with tapp.app_context():
        assert confirmation_excluded_kinds("family") == {"personal_status", "title"}
        assert small_claims_excluded_kinds("family") == {"personal_status", "title", "custody"}
        assert "support" not in small_claims_excluded_kinds("family")


def test_the_mediator_picks_each_terms_kind_on_the_form_in_chinese(tapp, world):
    from app.extensions import db
    from app.models import AgreedTerm

    case_id = new_case(tapp, world, "family")
    c = tapp.test_client()
    helpers.login(c, "admin")
    page = c.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    # The plugin's suggested terms come with their kinds; the labels are Chinese.
    assert '<option selected value="custody">' in page or 'value="custody" selected' in page
    assert "身份关系" in page and "Personal status" not in page
    version = page.split('name="version"')[1].split('value="')[1].split('"')[0]
    r = c.post(f"/case/{case_id}/agreement/save", data={
        "csrf_token": csrf_token(page), "version": version, "template_code": "family", "committee": COMMITTEE,
        "mediator": "陈调解", "signed_on": D(2026, 11, 2).isoformat(),
        "terms-0-text": SUPPORT, "terms-0-kind": "support", "terms-0-manner": "银行转账", "terms-0-due": "",
        "terms-1-text": DIVORCE, "terms-1-kind": "personal_status", "terms-1-manner": "", "terms-1-due": ""})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with tapp.app_context():
        kinds = db.session.execute(select(AgreedTerm.position, AgreedTerm.kind).order_by(AgreedTerm.position)).all()
    assert [tuple(k) for k in kinds] == [(1, "support"), (2, "personal_status")]


def test_a_kind_outside_the_vocabulary_is_refused(tapp, world):
    case_id = new_case(tapp, world)
    r = api(tapp, f"/api/v1/case/{case_id}/agreement?_l_=en",
            {"template_code": "compensation", "committee": COMMITTEE, "mediator_name": "陈调解",
             "version": case_version(tapp, case_id), "terms": [{"text": PAY, "kind": "alimony"}]})
    assert r.status_code == 422 and "Term 1: choose what kind of term it is." in r.get_json()["message"]["agreement"]


class Misspelt:
    """A third-party type whose exclusion names a kind that does not exist."""

    @hookimpl
    def register_dispute_types(self):
        return [DisputeType("kinship", "Kinship", confirmation_excluded_kinds=("personal_stauts",))]


def test_a_misspelt_excluded_kind_stops_start_up_naming_the_plugin_and_the_field(database, tmp_path):
    with pytest.raises(PluginError) as refused:
        make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-kinship", Misspelt())])
    message = str(refused.value)
    assert "plugin 'zz-kinship'" in message and "confirmation_excluded_kinds" in message
    assert "'personal_stauts'" in message and "personal_status" in message


def test_small_claims_advice_for_a_family_case_names_the_matters_it_does_not_take(tapp, world):
    """domain-rules.md rule 3 "Small-claims exclusions": personal-status cases (divorce,
    custody) are not small claims; the advice names custody."""
    from types import SimpleNamespace
    from decimal import Decimal

    from app.extensions import db
    from app.lifecycle import core_rules
    from app.models import Setting

    with tapp.test_request_context("/?_l_=en"):
        db.session.add(Setting(key="core.small_claims_wage", value="100000", valid_from=D(2026, 1, 1), source="测试数值"))
        db.session.commit()
        advice = core_rules.diversion_advice(SimpleNamespace(dispute_type="family", claim_amount=Decimal(18000)))
    (small,) = [a for a in advice if a.code == "core.small_claims"]
    assert "Custody of and visits to a child" in str(small.message)


# -- the court's review and the fee: dated settings --------------------------------------------
def accepted_case(app, places, accepted_on: dt.date, decided_on=None) -> int:
    """A traffic case whose agreement took effect on 2 November 2026, applied on the 3rd and
    accepted by the court on ``accepted_on`` — through the API."""
    case_id = new_case(app, places)
    on = D(2026, 11, 2)
    sign_all(app, case_id, agree(app, case_id, [{"text": PAY, "kind": "money"}], on, "compensation"), on)
    assert apply(app, case_id, D(2026, 11, 3)).status_code == 200
    body = {"result": "confirmed" if decided_on else "pending", "accepted_on": accepted_on.isoformat(),
            "version": case_version(app, case_id)}
    if decided_on:
        body["decided_on"] = decided_on.isoformat()
    r = api(app, f"/api/v1/case/{case_id}/confirmation", body)
    assert r.status_code == 200, r.get_json()
    return case_id


def review(app, case_id, on: dt.date):
    from app.extensions import db
    from app.lifecycle.deadlines import case_deadlines
    from app.models import Case

    with app.test_request_context("/?_l_=en"):
        found = {d.code: d for d in case_deadlines(db.session.get(Case, case_id), on=on)}
        return found["core.confirmation_review"]


def test_the_court_decides_within_15_days_of_accepting(tapp, world):
    """domain-rules.md rule 5 "Judicial confirmation (司法确认)": review normally within
    **15 days** of the court's acceptance (法释〔2011〕5号)."""
    case_id = accepted_case(tapp, world, D(2026, 11, 5))
    deadline = review(tapp, case_id, D(2026, 11, 6))
    assert (deadline.starts_on, deadline.due, deadline.length, deadline.status) == (
        D(2026, 11, 5), D(2026, 11, 20), 15, "running")
    assert "法释〔2011〕5号" in deadline.source
    assert review(tapp, case_id, D(2026, 11, 21)).status == "overdue"


def test_a_review_ending_on_a_saturday_ends_on_monday_and_a_decision_ends_it(tapp, world):
    """domain-rules.md rule 5 (review within 15 days) and "Counting periods": a last day off
    moves to the next working day (Civil Code art. 203)."""
    case_id = accepted_case(tapp, world, D(2026, 11, 13), decided_on=D(2026, 11, 27))
    deadline = review(tapp, case_id, D(2026, 12, 1))
    assert (deadline.due, deadline.status) == (D(2026, 11, 30), "met")  # 28 Nov is a Saturday


def test_the_review_period_in_force_on_the_day_of_acceptance_counts(tapp, world):
    """domain-rules.md rule 5 (review within 15 days, "check"): the length is a dated setting,
    and a period keeps the length in force on the day it started."""
    from app.extensions import db
    from app.models import Setting

    with tapp.app_context():  # a made-up change of the rule, from 10 November 2026
        db.session.add(Setting(key="core.judicial_confirmation_review_days", value="10", valid_from=D(2026, 11, 10),
                               source="测试数值"))
        db.session.commit()
    before = accepted_case(tapp, world, D(2026, 11, 5))
    after = accepted_case(tapp, world, D(2026, 11, 11))
    assert review(tapp, before, D(2026, 11, 12)).due == D(2026, 11, 20)
    assert (review(tapp, after, D(2026, 11, 12)).due, review(tapp, after, D(2026, 11, 12)).length) == (
        D(2026, 11, 23), 10)  # 21 Nov is a Saturday


def test_the_fee_in_force_on_the_day_of_application_is_shown_and_answered(tapp, world):
    """domain-rules.md rule 6 "Fees": judicial confirmation of a pre-suit mediated agreement is
    free (诉讼费用交纳办法); the fee is a dated setting, read on the day of the application."""
    from app.extensions import db
    from app.models import Setting

    free = accepted_case(tapp, world, D(2026, 11, 5))
    c = tapp.test_client()
    helpers.login(c, "admin")
    case_id = new_case(tapp, world)
    on = D(2026, 11, 2)
    sign_all(tapp, case_id, agree(tapp, case_id, [{"text": PAY, "kind": "money"}], on, "compensation"), on)
    page = c.get(f"/case/{case_id}/confirmation").get_data(as_text=True)
    fee = page.split('id="confirmation-fee"')[1].split("</p>")[0]
    assert "免费" in fee and "法释〔2011〕5号" in fee
    with tapp.app_context():  # a made-up fee, for the test only
        db.session.add(Setting(key="core.judicial_confirmation_fee", value="50", valid_from=D(2026, 11, 10),
                               source="测试数值"))
        db.session.commit()
    r = apply(tapp, case_id, D(2026, 11, 12))
    assert r.status_code == 200 and (r.get_json()["fee"], r.get_json()["fee_source"]) == ("50", "测试数值")
    assert "¥50.00" in c.get(f"/case/{case_id}/confirmation").get_data(as_text=True)
    assert "免费" in c.get(f"/case/{free}/confirmation").get_data(as_text=True)  # applied on 3 November


# -- oral agreements ---------------------------------------------------------------------------
def parties(app, case_id) -> dict:
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        return {p.name: p.id for p in db.session.get(Case, case_id).parties if p.role in ("applicant", "respondent")}


def test_an_oral_agreement_through_the_api_reaches_agreement_with_visits_and_no_confirmation(tapp, world):
    """domain-rules.md rule 5 "Judicial confirmation (司法确认)" (People's Mediation Law art. 33:
    a court confirms a mediation *agreement*); an oral agreement (art. 28; domain-rules.md has
    no row of its own) takes effect on the day agreed and is not sent for confirmation."""
    case_id = new_case(tapp, world)
    ids = parties(tapp, case_id)
    body = {"committee": COMMITTEE, "mediator_name": "陈调解", "agreed_on": D(2026, 11, 2).isoformat(),
            "terms": [{"text": PAY, "manner": "当场支付现金", "due": D(2026, 11, 9).isoformat(), "kind": "money"}],
            "assent": [ids["林晓明"]], "version": case_version(tapp, case_id)}
    missing = api(tapp, f"/api/v1/case/{case_id}/agreement/oral?_l_=en", body)
    assert missing.status_code == 422 and "黄丽娟" in missing.get_json()["message"]["agreement"][0]
    r = api(tapp, f"/api/v1/case/{case_id}/agreement/oral", {**body, "assent": list(ids.values())})
    assert r.status_code == 200, r.get_json()
    agreement = r.get_json()["agreement"]
    assert r.get_json()["status"] == "agreement_reached"
    assert (agreement["form"], agreement["template_code"], agreement["effective_on"]) == ("oral", None, "2026-11-02")
    assert {s["method"] for s in agreement["signatures"]} == {"oral", "recorded"}
    token = helpers.api_token(tapp.test_client(), "admin")
    auth = {"Authorization": f"Bearer {token}"}
    visits = tapp.test_client().get(f"/api/v1/case/{case_id}/visits", headers=auth).get_json()["result"]
    assert [v["scheduled_for"] for v in visits] == ["2026-11-09", "2026-12-09"]
    assert tapp.test_client().get(f"/api/v1/case/{case_id}/agreement.docx", headers=auth).status_code == 404
    refused = apply(tapp, case_id, D(2026, 11, 3))
    assert refused.status_code == 422
    assert "An oral agreement cannot be confirmed" in refused.get_json()["message"]["confirmation"][0]


def test_an_oral_agreement_recorded_on_the_page_says_why_it_is_not_confirmed(tapp, world):
    """domain-rules.md rule 5 "Judicial confirmation (司法确认)" and "Counting periods": an oral
    agreement (People's Mediation Law art. 28) starts none of the confirmation periods, and the
    page says why it is not confirmed."""
    from app.extensions import db
    from app.lifecycle.deadlines import case_deadlines
    from app.models import Case

    case_id = new_case(tapp, world)
    ids = parties(tapp, case_id)
    c = tapp.test_client()
    helpers.login(c, "admin")
    page = c.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    assert 'id="oral-agreement-form"' in page
    version = page.split('id="oral-agreement-form"')[1].split('name="version" value="')[1].split('"')[0]
    form = {"oral-csrf_token": page.split('name="oral-csrf_token"')[1].split('value="')[1].split('"')[0],
            "version": version, "oral-committee": COMMITTEE, "oral-mediator": "陈调解",
            "oral-signed_on": D(2026, 11, 2).isoformat(), "oral-terms-0-text": PAY, "oral-terms-0-kind": "money",
            "oral-terms-0-manner": "", "oral-terms-0-due": "", "assent": [str(i) for i in ids.values()]}
    r = c.post(f"/case/{case_id}/agreement/oral", data=form)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/case/{case_id}/agreement/save"), (
        r.headers.get("Location"))
    page = c.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    assert "口头协议" in page and 'id="stored-docx"' not in page
    note = page.split('id="oral-not-confirmable"')[1].split("</div>")[0]
    assert "人民调解法 第28条、第33条" in note and "书面" in note
    with tapp.test_request_context("/?_l_=en"):
        case = db.session.get(Case, case_id)
        assert case.status == "agreement_reached"
        # No period of judicial confirmation applies to an oral agreement: none is listed.
        assert not {d.code for d in case_deadlines(case)} & {
            "core.confirmation_application", "core.confirmation_acceptance", "core.confirmation_review"}
    panel = c.get(f"/case/show/{case_id}").get_data(as_text=True)
    assert "人民调解法 第28条" in panel and 'id="confirmation-link"' not in panel


def test_after_an_oral_agreement_the_case_page_leads_on_to_performance_in_chinese(tapp, world):
    """A court does not confirm an oral agreement: the header's one primary action is the
    performance that follows (转入履行), "apply for judicial confirmation" is offered nowhere,
    and the step is performed through its page."""
    import lxml.html

    from tests.untranslated import untranslated_in

    case_id = new_case(tapp, world)
    ids = parties(tapp, case_id)
    r = api(tapp, f"/api/v1/case/{case_id}/agreement/oral",
            {"committee": COMMITTEE, "mediator_name": "陈调解", "agreed_on": D(2026, 11, 2).isoformat(),
             "terms": [{"text": PAY, "kind": "money"}], "assent": list(ids.values()),
             "version": case_version(tapp, case_id)})
    assert r.status_code == 200 and r.get_json()["status"] == "agreement_reached", r.get_json()
    c = tapp.test_client()
    helpers.login(c, "admin")
    html = c.get(f"/case/show/{case_id}").get_data(as_text=True)
    doc = lxml.html.fromstring(html)
    primary = doc.xpath("//a[@id='primary-action']")
    assert [a.get("data-action") for a in primary] == ["start_performance"]
    assert primary[0].text_content().strip() == "转入履行"
    assert "apply_confirmation" not in {a.get("data-action") for a in doc.xpath("//a[@data-action]")}
    assert not [a for a in doc.xpath("//a | //button") if a.text_content().strip() == "申请司法确认"]
    assert untranslated_in(html) == []
    page = c.get(primary[0].get("href")).get_data(as_text=True)
    form = lxml.html.fromstring(page).xpath("//form[.//input[@name='version']]")[0]
    r = c.post(primary[0].get("href"), data={**dict(form.form_values()), "note": "双方开始履行"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with tapp.app_context():
        from app.extensions import db
        from app.models import Case

        assert db.session.get(Case, case_id).status == "performing"


def _oral_form_values(page: str) -> dict:
    """The oral agreement form's fields as the page renders them (a browser would post these)."""
    import lxml.html

    form = lxml.html.fromstring(page).xpath("//form[@id='oral-agreement-form']")[0]
    return dict(form.form_values())


def test_the_mediator_adds_term_rows_to_an_oral_agreement_and_all_are_stored(tapp, world):
    """The oral form starts with two rows; "Add a term" gives a third (in the page through
    jiefen.js, or by posting the form without the script), up to the written form's maximum;
    the three terms are stored in order."""
    from app.agreements.forms import AgreementDraftForm

    case_id = new_case(tapp, world)
    ids = parties(tapp, case_id)
    c = tapp.test_client()
    helpers.login(c, "admin")
    page = c.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    maximum = AgreementDraftForm.terms.kwargs["max_entries"]
    adder = page.split('id="oral-add-term"')[1].split(">")[0]
    assert 'data-jf-add-row="oral-terms"' in adder and 'name="oral-add_row"' in adder
    assert f'data-jf-max="{maximum}"' in page.split('id="oral-terms"')[1].split(">")[0]
    assert "data-jf-add-row" in c.get("/static/jiefen.js").get_data(as_text=True)
    assert "onclick" not in page
    terms = [PAY, "被申请人黄丽娟向申请人林晓明赔礼道歉", "申请人林晓明放弃其他请求"]
    values = {**_oral_form_values(page), "oral-committee": COMMITTEE, "oral-mediator": "陈调解",
              "oral-signed_on": D(2026, 11, 2).isoformat(), "oral-terms-0-text": terms[0],
              "oral-terms-1-text": terms[1], "oral-terms-1-kind": "property"}
    r = c.post(f"/case/{case_id}/agreement/oral", data={**values, "oral-add_row": "1"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert 'name="oral-terms-2-text"' in page and terms[1] in page  # what was typed stays
    values = {**_oral_form_values(page), "oral-terms-2-text": terms[2], "assent": [str(i) for i in ids.values()]}
    r = c.post(f"/case/{case_id}/agreement/oral", data=values)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    with tapp.app_context():
        from app.extensions import db
        from app.lifecycle.outcome import agreement_of
        from app.models import Case

        agreement = agreement_of(db.session.get(Case, case_id))
        assert agreement.form == "oral"
        assert [(t.position, t.text, t.kind) for t in agreement.terms] == [
            (1, terms[0], "other"), (2, terms[1], "property"), (3, terms[2], "other")]


def test_rows_stop_at_the_written_forms_maximum(tapp, world):
    from app.agreements.forms import AgreementDraftForm

    maximum = AgreementDraftForm.terms.kwargs["max_entries"]
    case_id = new_case(tapp, world)
    c = tapp.test_client()
    helpers.login(c, "admin")
    page = c.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    rows = {f"oral-terms-{i}-text": f"第{i + 1}条" for i in range(maximum)}
    r = c.post(f"/case/{case_id}/agreement/oral", data={**_oral_form_values(page), **rows, "oral-add_row": "1"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and f'name="oral-terms-{maximum - 1}-text"' in page
    assert f'name="oral-terms-{maximum}-text"' not in page and 'id="oral-add-term"' not in page
