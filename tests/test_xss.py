"""Markup typed into any intake field is shown as text, never run (security brief: XSS payloads
in every text field).

Each text field of a traffic intake — the case's own, each party's and the plugin's, nested
vehicles included — gets a payload with a marker of its own. A field may refuse it (422); a
field that stores it must show it escaped on every page that shows the case: the case page,
the case list, the clerk's My work and the API.
"""
from __future__ import annotations

import pytest

from tests import helpers

PAYLOADS = ['<script>alert("{m}")</script>', '"><img src=x onerror=alert("{m}")>', "<svg onload=alert('{m}')>"]
TEXT_FIELDS = [
    "title", "description", "parties.0.name", "parties.0.address", "parties.1.address",
    "intake.accident_place", "intake.determination_no", "intake.vehicles.0.driver",
    "intake.vehicles.1.insurer",
]


def _raw_markup_present(html: str, payload: str) -> bool:
    """The payload's tag as a browser would parse it (an escaped copy is harmless text)."""
    tag = payload[payload.index("<"):].split(" ")[0].split(">")[0]
    return tag in html and payload[payload.index("<"):] in html


@pytest.mark.parametrize("template", PAYLOADS, ids=["script", "img-onerror", "svg-onload"])
def test_markup_in_every_intake_field_is_shown_as_text(app, client, clerk_token, clerk_client, places, template):
    body = helpers.traffic_payload(places)
    stored = []
    for index, field in enumerate(TEXT_FIELDS):
        payload = template.format(m=f"xss-{index}")
        attempt = helpers.with_changes(body, field, payload)
        r = client.post("/api/v1/case/", json=attempt, headers={"Authorization": f"Bearer {clerk_token}"})
        if r.status_code == 422:  # the field refuses markup: nothing to show
            continue
        assert r.status_code == 201, (field, r.status_code, r.get_data(as_text=True)[:300])
        stored.append((r.get_json()["id"], field, payload))
    assert stored, "no field stored the payload: the test would prove nothing"
    pages = ["/case/list/", "/mywork/"]
    for case_id, field, payload in stored:
        for path in [f"/case/show/{case_id}", *pages]:
            html = clerk_client.get(path).get_data(as_text=True)
            assert not _raw_markup_present(html, payload), (field, path)
        api = client.get(f"/api/v1/case/{case_id}", headers={"Authorization": f"Bearer {clerk_token}"})
        assert api.headers["Content-Type"].startswith("application/json")
    # at least the case page shows the text escaped (it is there, as text)
    case_id, field, payload = stored[0]
    page = clerk_client.get(f"/case/show/{case_id}").get_data(as_text=True)
    assert "&lt;" in page
