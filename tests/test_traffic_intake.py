"""Traffic intake through the web form and the API: same rules, same verdict."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from app.services.clock import today as clock_today
from sqlalchemy import func, select

from app.intake.payload import flatten
from tests.fixtures import csrf_token
from tests.helpers import traffic_payload, with_changes

TOMORROW = (clock_today() + dt.timedelta(days=1)).isoformat()  # China's tomorrow
CJK = re.compile(r"[\u4e00-\u9fff]")

# name, change (path, value), field key in the errors, words of the English message
BAD_INPUT = [
    ("bad_id_checksum", ("parties.0.id_number", "110105194912310021"), "parties-0-id_number", "check digit"),
    ("liability_over_100", ("intake.vehicles.0.liability", "80"), "intake-vehicles", "more than 100%"),
    ("negative_amount", ("claim_amount", "-5"), "claim_amount", "at least 0"),
    ("future_accident_date", ("intake.accident_date", TOMORROW), "intake-accident_date", "future"),
]


def case_count(app) -> int:
    from app.extensions import db
    from app.models import Case, Party

    with app.app_context():
        return db.session.scalar(select(func.count(Case.id))) + db.session.scalar(
            select(func.count(Party.id))
        )


def post_web(client, payload: dict, lang: str = "en"):
    """Post ``payload`` through the intake page as a browser does."""
    client.get(f"/lang/{lang}")
    page = client.get("/case/intake/traffic").get_data(as_text=True)
    data = flatten({k: v for k, v in payload.items() if k != "dispute_type"})
    data["csrf_token"] = csrf_token(page)
    return client.post("/case/intake/traffic", data=data)


def post_api(client, token: str, payload: dict, lang: str = "en"):
    return client.post(
        f"/api/v1/case/?_l_={lang}",
        json=payload,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_clerk_registers_traffic_case_through_web_form(app, clerk_client, places):
    r = post_web(clerk_client, traffic_payload(places))
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    show = clerk_client.get(r.headers["Location"]).get_data(as_text=True)
    # the plate is personal data: masked on the page until a reveal (tests/test_masking.py)
    assert "粤*****5" in show and "粤N12345" not in show and "70%" in show
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        assert case.dispute_type == "traffic" and case.status == "registered"
        assert str(case.claim_amount) == "19300.50"
        assert case.intake_data["vehicles"][0]["liability"] == "70"
        assert case.intake_data["accident_date"] == "2026-09-18"
        assert [p.role for p in case.parties] == ["applicant", "respondent"]
        assert case.parties[0].birth_date == dt.date(1949, 12, 31)


def test_api_client_registers_traffic_case(app, client, clerk_token, places):
    r = post_api(client, clerk_token, traffic_payload(places))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    got = client.get(f"/api/v1/case/{body['id']}", headers={"Authorization": f"Bearer {clerk_token}"})
    result = got.get_json()["result"]
    assert result["case_no"] == body["case_no"]
    assert result["intake_data"]["vehicles"][1]["plate"] == "粤*****9"  # personal: masked
    # ID and mobile numbers are masked by default.
    assert result["parties_masked"][0]["id_number"] == "110105********002X"
    assert "11010519491231002X" not in got.get_data(as_text=True)


@pytest.mark.parametrize("name,change,field,words", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_traffic_intake_is_refused_on_both_paths(app, clerk_client, client, clerk_token, places, name, change, field, words):
    payload = with_changes(traffic_payload(places), *change)
    before = case_count(app)

    api = post_api(client, clerk_token, payload, lang="en")
    assert api.status_code == 422
    api_errors = api.get_json()["message"]
    assert field in api_errors, api_errors
    assert words in " ".join(api_errors[field])

    web = post_web(clerk_client, payload, lang="en")
    assert web.status_code == 200
    html = web.get_data(as_text=True)
    for message in api_errors[field]:
        assert message.replace("'", "&#39;") in html  # the same verdict, word for word
    assert case_count(app) == before  # nothing stored


@pytest.mark.parametrize("name,change,field,words", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_traffic_intake_is_explained_in_chinese(app, clerk_client, client, clerk_token, places, name, change, field, words):
    payload = with_changes(traffic_payload(places), *change)
    api = post_api(client, clerk_token, payload, lang="zh_CN")
    assert api.status_code == 422
    messages = api.get_json()["message"][field]
    assert all(CJK.search(m) for m in messages), messages
    html = post_web(clerk_client, payload, lang="zh_CN").get_data(as_text=True)
    assert all(m in html for m in messages)


def test_web_form_keeps_what_was_typed_after_an_error(clerk_client, places):
    payload = with_changes(traffic_payload(places), "claim_amount", "-5")
    html = post_web(clerk_client, payload).get_data(as_text=True)
    assert "林晓明与黄丽娟交通事故赔偿纠纷" in html
    assert "通港路与香城路交叉口" in html
    assert "粤NA6789" in html


def test_blank_vehicle_rows_are_ignored(app, client, clerk_token, places):
    payload = traffic_payload(places)
    payload["intake"]["vehicles"].append({"plate": "", "driver": "", "liability": ""})
    assert post_api(client, clerk_token, payload).status_code == 201


def test_spare_party_row_posted_by_a_browser_is_ignored(app, clerk_client, places):
    """A browser posts the selects of an unused row; that row is not a party."""
    payload = traffic_payload(places)
    payload["parties"].append({"kind": "person", "role": "third_party", "name": "", "id_number": ""})
    r = post_web(clerk_client, payload)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    from app.extensions import db
    from app.models import Party

    with app.app_context():
        assert db.session.scalar(select(func.count(Party.id))) == 2


def test_case_needs_an_applicant_and_a_respondent(client, clerk_token, places):
    payload = with_changes(traffic_payload(places), "parties.1.role", "applicant")
    r = post_api(client, clerk_token, payload)
    assert r.status_code == 422
    assert "parties" in r.get_json()["message"]


@pytest.mark.parametrize(
    "change,field",
    [
        (("intake.accident_date", "2026-02-30"), "intake-accident_date"),
        (("claim_amount", "12.345"), "claim_amount"),
        (("parties.0.id_number", "11010519491231"), "parties-0-id_number"),
        (("parties.0.mobile", "12345"), "parties-0-mobile"),
        (("intake.vehicles.0.plate", "ABC"), "intake-vehicles-0-plate"),
        (("intake.determination_date", "2026-09-01"), "intake-determination_date"),
        (("intake.disability_rating", "grade-99"), "intake-disability_rating"),
    ],
)
def test_other_bad_values_get_field_messages(client, clerk_token, places, change, field):
    r = post_api(client, clerk_token, with_changes(traffic_payload(places), *change))
    assert r.status_code == 422
    assert field in r.get_json()["message"]


def test_api_refuses_non_json_and_unknown_type(client, clerk_token, places):
    headers = {"Authorization": f"Bearer {clerk_token}"}
    assert client.post("/api/v1/case/", data="x", headers=headers).status_code == 400
    payload = dict(traffic_payload(places), dispute_type="no-such-type")
    r = client.post("/api/v1/case/", json=payload, headers=headers)
    assert r.status_code == 422 and "dispute_type" in r.get_json()["message"]


def test_case_numbers_come_from_the_counter(app, client, clerk_token, places):
    numbers = [post_api(client, clerk_token, traffic_payload(places)).get_json()["case_no"] for _ in range(3)]
    year = dt.datetime.now(dt.timezone.utc).year
    assert numbers == [f"（{year}）汕城解第{n:05d}号" for n in (1, 2, 3)]


def test_traffic_details_show_on_the_case_page_in_both_languages(app, clerk_client, client, clerk_token, places):
    case = post_api(client, clerk_token, traffic_payload(places)).get_json()
    clerk_client.get("/lang/zh_CN")
    zh = clerk_client.get(f"/case/show/{case['id']}").get_data(as_text=True)
    assert "事故发生日期" in zh and "车辆及保险公司" in zh and "2026-09-18" in zh
    clerk_client.get("/lang/en")
    en = clerk_client.get(f"/case/show/{case['id']}").get_data(as_text=True)
    assert "Accident date" in en and "Vehicles and insurers" in en and "粤*****9" in en
    # masked by default on the page too
    assert "11010519491231002X" not in en and "110105********002X" in en


def test_intake_form_shows_the_traffic_fields_only_for_traffic(clerk_client):
    clerk_client.get("/lang/en")
    html = clerk_client.get("/case/intake/traffic").get_data(as_text=True)
    for label in ("Accident date", "Accident determination number", "Share of liability (%)", "Insurer", "People injured", "Property loss (CNY)"):
        assert label in html
    assert clerk_client.get("/case/intake/no-such-type").status_code == 404


def test_court_entrusted_mediation_needs_its_procedure(app, client, clerk_token, places):
    from app.extensions import db
    from app.models import Case

    payload = traffic_payload(places, )
    payload["track"] = "court_entrusted"
    r = post_api(client, clerk_token, payload)
    assert r.status_code == 422 and "procedure" in r.get_json()["message"]
    payload["procedure"] = "simplified"
    r = post_api(client, clerk_token, payload)
    assert r.status_code == 201
    with app.app_context():
        case = db.session.get(Case, r.get_json()["id"])
        assert (case.track, case.procedure) == ("court_entrusted", "simplified")
    bad = dict(traffic_payload(places), procedure="ordinary")  # pre-filing has no procedure
    assert post_api(client, clerk_token, bad).status_code == 422


def test_a_child_party_is_flagged_as_a_minor(app, clerk_client, client, clerk_token, places):
    from app.validation.identity import check_digit

    first17 = "44150220150601001"
    payload = with_changes(traffic_payload(places), "parties.1.id_number", first17 + check_digit(first17))
    case = post_api(client, clerk_token, payload).get_json()
    clerk_client.get("/lang/en")
    html = clerk_client.get(f"/case/show/{case['id']}").get_data(as_text=True)
    assert html.count('class="label label-danger minor"') == 1
