"""Numbers and digits a clerk or an API client may type into an intake (issue 11, findings 2 and 11).

A claim of ``1e309`` once went into the database and then broke the case list for everyone who
could see it; full-width digits in a mobile slipped past the duplicate check. The form bounds
every number and reads every digit the same way on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.intake.fields import MAX_COUNT, build_form_class
from app.plugins.types import IntakeField
from tests import helpers
from tests.test_traffic_intake import case_count, post_api, post_web

TRILLION = "1000000000000"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# the value typed, and the words of the English message beside the field
BAD_AMOUNTS = [
    ("1e309", "between 0 and 1000000000000"),
    ("1e30", "between 0 and 1000000000000"),
    ("NaN", "Enter a number"),
    ("Infinity", "Enter a number"),
    ("-Infinity", "Enter a number"),
    ("1000000000000.01", "between 0 and 1000000000000"),
    ("12.345", "two decimal places"),
]
AMOUNT_FIELDS = [
    ("claim_amount", "claim_amount"),  # the case's own claim
    ("intake.medical_expenses", "intake-medical_expenses"),  # a plugin's decimal field
]


def payload(places, path, value):
    return helpers.with_changes(helpers.traffic_payload(places), path, value)


@pytest.mark.parametrize("path,field", AMOUNT_FIELDS, ids=[f[1] for f in AMOUNT_FIELDS])
@pytest.mark.parametrize("value,words", BAD_AMOUNTS, ids=[b[0] for b in BAD_AMOUNTS])
def test_an_amount_out_of_bounds_is_refused_beside_its_field(app, clerk_client, client, clerk_token, places,
                                                             path, field, value, words):
    before = case_count(app)
    api = post_api(client, clerk_token, payload(places, path, value))
    assert api.status_code == 422, api.get_json()
    messages = api.get_json()["message"][field]
    assert words in " ".join(messages)

    web = post_web(clerk_client, payload(places, path, value))
    html = web.get_data(as_text=True)
    assert web.status_code == 200 and words in html
    assert case_count(app) == before  # nothing stored
    # the case list still answers for everyone (a stored 1e309 once made it answer 500)
    assert client.get("/api/v1/case/", headers={"Authorization": f"Bearer {clerk_token}"}).status_code == 200


@pytest.mark.parametrize("number", ["1e309", "1e30", "NaN", "Infinity", "1000000000000.01"])
def test_an_amount_sent_as_a_bare_json_number_is_refused(app, client, clerk_token, places, number):
    before = case_count(app)
    body = json.dumps(helpers.traffic_payload(places), ensure_ascii=False)
    body = body.replace('"claim_amount": "19300.50"', f'"claim_amount": {number}')
    assert f'"claim_amount": {number}' in body
    r = client.post("/api/v1/case/?_l_=en", data=body, content_type="application/json",
                    headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code in (400, 422), r.get_data(as_text=True)[:500]
    if r.status_code == 422:
        assert "claim_amount" in r.get_json()["message"]
    assert case_count(app) == before


def test_a_claim_of_exactly_a_trillion_yuan_is_accepted(app, client, clerk_token, places):
    from app.extensions import db
    from app.models import Case

    p = payload(places, "claim_amount", TRILLION)
    p["intake"]["medical_expenses"] = TRILLION
    r = post_api(client, clerk_token, p)
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        case = db.session.get(Case, r.get_json()["id"])
        assert case.claim_amount == Decimal(TRILLION)
        assert case.intake_data["medical_expenses"] == TRILLION
    shown = client.get(f"/api/v1/case/{r.get_json()['id']}", headers={"Authorization": f"Bearer {clerk_token}"})
    assert shown.status_code == 200


def test_a_bad_amount_is_explained_in_chinese(client, clerk_token, places):
    r = post_api(client, clerk_token, payload(places, "claim_amount", "NaN"), lang="zh_CN")
    assert r.status_code == 422
    messages = r.get_json()["message"]["claim_amount"]
    assert messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages


def test_counts_are_bounded_even_when_a_plugin_declares_no_maximum(app):
    form_class = build_form_class("Counts", [IntakeField("households", "Households", kind="integer")])
    from werkzeug.datastructures import MultiDict

    with app.test_request_context("/?_l_=en"):
        too_many = form_class(formdata=MultiDict({"households": str(10**30)}))
        assert not too_many.validate() and too_many.households.errors
        assert form_class(formdata=MultiDict({"households": str(MAX_COUNT)})).validate()


@pytest.mark.parametrize("path,value", [("intake.injured_count", "1e30"), ("intake.injured_count", "1001"),
                                        ("intake.vehicles.0.liability", "Infinity")])
def test_counts_and_percentages_out_of_range_are_refused(app, client, clerk_token, places, path, value):
    before = case_count(app)
    r = post_api(client, clerk_token, payload(places, path, value))
    assert r.status_code == 422
    assert case_count(app) == before


def test_full_width_numbers_are_stored_in_ascii_and_found_by_the_duplicate_check(app, client, clerk_token, places):
    from app.extensions import db
    from app.models import Party

    first = post_api(client, clerk_token, helpers.traffic_payload(places))
    assert first.status_code == 201
    typed = helpers.traffic_payload(places)
    typed.pop("confirm_duplicates")
    for party in typed["parties"]:
        party["id_number"] = party["id_number"].translate(FULL_WIDTH)
        party["mobile"] = party["mobile"].translate(FULL_WIDTH)
    assert "１３８０２６６１２３４" in json.dumps(typed, ensure_ascii=False)

    again = post_api(client, clerk_token, typed)
    assert again.status_code == 409, again.get_json()
    assert again.get_json()["duplicates"][0]["case_no"] == first.get_json()["case_no"]

    typed["confirm_duplicates"] = True
    stored = post_api(client, clerk_token, typed)
    assert stored.status_code == 201
    with app.app_context():
        parties = db.session.scalars(select(Party).where(Party.case_id == stored.get_json()["id"])).all()
        assert {p.id_number for p in parties} == {helpers.VALID_ID, helpers.VALID_ID_2}
        assert {p.mobile for p in parties} == {"13802661234", "13926605678"}


def test_a_full_width_mobile_without_an_id_number_matches_by_name_and_mobile(app, client, clerk_token, places):
    plain = helpers.traffic_payload(places)
    for party in plain["parties"]:
        party["id_number"] = ""
    assert post_api(client, clerk_token, plain).status_code == 201
    typed = json.loads(json.dumps(plain))
    typed.pop("confirm_duplicates")
    for party in typed["parties"]:
        party["mobile"] = party["mobile"].translate(FULL_WIDTH)
    assert post_api(client, clerk_token, typed).status_code == 409


@pytest.mark.parametrize("field", ["id_number", "mobile"])
def test_arabic_indic_digits_are_refused_with_a_message(app, clerk_client, client, clerk_token, places, field):
    before = case_count(app)
    p = helpers.traffic_payload(places)
    p["parties"][0][field] = p["parties"][0][field].translate(ARABIC_INDIC)
    r = post_api(client, clerk_token, p)
    assert r.status_code == 422
    assert "digits 0–9" in " ".join(r.get_json()["message"][f"parties-0-{field}"])
    zh = post_api(client, clerk_token, p, lang="zh_CN").get_json()["message"][f"parties-0-{field}"]
    assert "0–9" in " ".join(zh) and any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(zh))
    web = post_web(clerk_client, p).get_data(as_text=True)
    assert "digits 0–9" in web
    assert case_count(app) == before
