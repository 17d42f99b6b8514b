"""Text no database can store, and list queries no list can answer (issue 11, finding 12).

A NUL character in any intake field answered 500 on PostgreSQL after the view had run; a lone
surrogate in JSON failed to encode on both databases; malformed rison in ``q`` once answered
500. Each is now a 400 with a sentence that names the field, and nothing is stored.
"""
from __future__ import annotations

import json

import pytest

from tests import helpers
from tests.test_traffic_intake import case_count, post_api, post_web

UNSTORABLE = [("nul", "张\x00三"), ("surrogate", "\ud800")]


@pytest.mark.parametrize("kind,text", UNSTORABLE, ids=[u[0] for u in UNSTORABLE])
def test_an_api_intake_with_unstorable_text_is_refused_naming_the_field(app, client, clerk_token, places,
                                                                          kind, text):
    before = case_count(app)
    body = helpers.with_changes(helpers.traffic_payload(places), "description", f"事故经过{text}")
    r = client.post("/api/v1/case/?_l_=en", data=json.dumps(body, ensure_ascii=True),
                    content_type="application/json", headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 400, r.get_data(as_text=True)[:500]
    assert "description" in r.get_json()["message"]
    assert case_count(app) == before


def test_unstorable_text_nested_in_a_party_is_found(app, client, clerk_token, places):
    before = case_count(app)
    body = helpers.traffic_payload(places)
    body["parties"][0]["name"] = "李\x00四"
    r = post_api(client, clerk_token, body)
    assert r.status_code == 400
    assert "parties[0].name" in r.get_json()["message"]
    assert case_count(app) == before


def test_a_web_intake_with_a_nul_character_answers_in_chinese_inside_the_layout(app, clerk_client, places):
    before = case_count(app)
    body = helpers.with_changes(helpers.traffic_payload(places), "description", "事故\x00经过")
    r = post_web(clerk_client, body, lang="zh_CN")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "无法保存" in html and "description" in html
    assert "jf-shell" in html and "jf-top" in html  # the page keeps the app's layout and menu
    assert case_count(app) == before


def test_a_nul_character_in_a_search_argument_is_refused(app, clerk_client):
    r = clerk_client.get("/case/list/?_flt_0_case_number=%00")
    assert r.status_code == 400


@pytest.mark.parametrize("q", ["(page:", "!!!", "(page:1,page_size:'x')", "(filters:!((col:id,opr:eq,value:(",
                               "(order_column:nope,order_direction:sideways)", "(page:-1)"])
def test_a_malformed_list_query_is_a_400_with_a_message(app, client, clerk_token, q):
    r = client.get("/api/v1/case/", query_string={"q": q}, headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 400, (q, r.status_code, r.get_data(as_text=True)[:300])
    assert r.get_json().get("message")


def test_ordinary_text_with_tabs_and_newlines_still_saves(app, client, clerk_token, places):
    before = case_count(app)
    body = helpers.with_changes(helpers.traffic_payload(places), "description", "第一行\n\t第二行")
    r = post_api(client, clerk_token, body)
    assert r.status_code == 201, r.get_data(as_text=True)[:500]
    assert case_count(app) > before
