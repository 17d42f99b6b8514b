"""One journey in English: a clerk who chose English registers a traffic case, mistypes an
ID number, reads the error in English, corrects it and records the parties' consent."""
from __future__ import annotations

import pytest

from tests.e2e.case_steps import BAD_ID, register_traffic_case
from tests.e2e.staff import sign_in

pytestmark = pytest.mark.e2e


def test_clerk_registers_a_case_in_english(person, staff, monkeypatch):
    clerk = person("clerk in English")
    sign_in(clerk, staff["clerk"])
    clerk.use_english()
    clerk.goto("/case/intake/")
    assert "Register" in clerk.text("body") and "交通事故" not in clerk.text("body")
    case_id = register_traffic_case(clerk, english=True)
    clerk.goto(f"/case/show/{case_id}")
    assert "Traffic accident" in clerk.text("body")
    assert BAD_ID not in clerk.page.content()
    clerk.goto(f"/case/{case_id}/consent")
    assert "Mediation" in clerk.text("body")
