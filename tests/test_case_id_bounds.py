"""Every page and endpoint that looks a case up by its id reads it through one helper with
one bound: ids are positive and no larger than the ``cases.id`` column holds. Zero, a
negative number, an id past INTEGER or past a signed 64-bit integer, thousands of digits —
each is simply not found (404), never a 500, on every case route of the web and the API."""
from __future__ import annotations

import re

import pytest

from tests import helpers
from tests.fixtures import csrf_token

# ``/case/…``, ``/api/v1/case/…``, ``/reveal/case/…`` and the plugins' typed case lists.
CASE_ROUTE = re.compile(r"(^|/)cases?/")
OUT_OF_BOUNDS = ["0", "-1", "-9223372036854775808", str(2**31), str(2**63 - 1), str(2**63), "9" * 40,
                 pytest.param("7" * 5000, id="5000-digits")]
OTHER_ARGS = {"action": "start_screening"}  # every other path argument reads "1"


def case_routes(app) -> list[tuple[str, str, object]]:
    """``(method, endpoint, rule)`` of every case route taking the case's id as ``pk``."""
    out = []
    for rule in app.url_map.iter_rules():
        if "pk" in rule.arguments and CASE_ROUTE.search(rule.rule):
            for method in sorted(rule.methods & {"GET", "POST"}):
                out.append((method, rule.endpoint, rule))
    return sorted(out, key=lambda r: (r[2].rule, r[0]))


def address(rule, pk: str) -> str:
    """The rule's path with ``pk`` as typed (the converters would refuse to build most of them)."""
    path = rule.rule
    for name in rule.arguments:
        value = pk if name == "pk" else OTHER_ARGS.get(name, "1")
        path = re.sub(r"<(?:[a-z]+:)?%s>" % name, value, path)
    return path


def test_every_case_route_is_found_by_this_test(app):
    endpoints = {endpoint for _m, endpoint, _r in case_routes(app)}
    assert {"CaseModelView.show", "CaseApi.get", "CaseWorkflowView.act", "CaseWorkflowApi.transition",
            "RevealApi.reveal_case", "ReferralSendApi.send", "OutcomeApi.save_agreement", "SessionApi.sessions",
            "ExtensionApi.extend", "ResponsibilityApi.assign", "AssignmentApi.assign"} <= endpoints


@pytest.mark.parametrize("pk", OUT_OF_BOUNDS)
def test_a_case_id_out_of_bounds_is_not_found_on_any_page(app, admin_client, pk):
    token = csrf_token(admin_client.get("/case/intake/traffic").get_data(as_text=True))
    wrong = []
    for method, endpoint, rule in case_routes(app):
        if rule.rule.startswith("/api/"):
            continue
        path = address(rule, pk)
        if method == "GET":
            r = admin_client.get(path)
        else:
            r = admin_client.post(path, data={"csrf_token": token, "version": "1", "note": "x"})
        if r.status_code != 404:
            wrong.append(f"{method} {path[:80]} ({endpoint}): {r.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("pk", OUT_OF_BOUNDS)
def test_a_case_id_out_of_bounds_is_not_found_on_any_endpoint(app, pk):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {helpers.api_token(client, 'admin')}"}
    wrong = []
    for method, endpoint, rule in case_routes(app):
        if not rule.rule.startswith("/api/"):
            continue
        path = address(rule, pk)
        if method == "GET":
            r = client.get(path, headers=headers)
        else:
            r = client.post(path, headers=headers, json={"version": 1, "action": "start_screening", "decisions": {}})
        if r.status_code != 404:
            wrong.append(f"{method} {path[:80]} ({endpoint}): {r.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_one_bound_is_the_id_column_and_a_signed_64_bit_integer_beyond_it():
    from app.views.keys import MAX_PK, is_valid_pk

    assert MAX_PK == 2**31 - 1  # cases.id is INTEGER
    assert is_valid_pk(1) and is_valid_pk(str(MAX_PK))
    for pk in (0, -1, MAX_PK + 1, 2**63 - 1, 2**63, "1" * 5000, "١", "²", "1.0", " 1", True, None):
        assert not is_valid_pk(pk), pk
