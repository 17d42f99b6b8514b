"""Malformed or unreachable paging on the list APIs answers 400 with a reason, never 500
(issue 11, finding 12)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("q", [
    "(page:99999999999999999999,page_size:10)", "(page:-1)", "(page_size:-5)", "(page:2000000)",
    "(page:'1')", "(page:!t)", "(", "!(1,2",
])
def test_unreachable_or_malformed_paging_is_refused_with_a_reason(app, clerk_token, q):
    for url in ("/api/v1/case/", "/api/v1/case/_info"):
        r = app.test_client().get(url, query_string={"q": q}, headers={"Authorization": f"Bearer {clerk_token}"})
        assert 400 <= r.status_code < 500, (url, q, r.status_code)
        assert r.get_json()["message"], (url, q)


def test_reasonable_paging_still_lists(app, clerk_token):
    r = app.test_client().get("/api/v1/case/", query_string={"q": "(page:0,page_size:25)"},
                              headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 200 and r.get_json()["count"] == 0
