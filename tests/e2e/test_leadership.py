"""The district's leader in zh_CN, on the demo data: My work's new alerts, the dashboard's
charts, a ledger on screen and in Excel, the map and one area's cases, the evaluation, the
issued bulletin and the joint meeting's minutes — every chart drawn from the app's own files,
nothing fetched from outside, and no button that changes anything."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.e2e.case_steps import china_now
from tests.e2e.staff import sign_in

pytestmark = pytest.mark.e2e


def download(someone, selector: str) -> bytes:
    """Click a download link and return the file's bytes."""
    with someone.page.expect_download() as info:
        someone.page.locator(selector).first.click()
    with open(info.value.path(), "rb") as f:
        return f.read()


def drawn(someone, container: str) -> None:
    """The ECharts chart in ``container`` has drawn (an SVG or a canvas, as the page chose)."""
    someone.page.wait_for_selector(f"{container} :is(svg, canvas)", timeout=10_000)


def test_the_leader_reads_the_district_and_changes_nothing(person, staff):
    leader = person("leader")
    sign_in(leader, staff["leader"])
    year = china_now().year

    leader.goto("/mywork/")
    assert "新预警" in leader.text("body"), "no alert on the leader's My work"

    leader.goto(f"/dashboard/?from={year}-01-01&to={china_now().date().isoformat()}")
    drawn(leader, "#chart-months")
    body = leader.text("body")
    assert "调解成功率" in body and "全区" in body, body[:400]

    leader.goto(f"/reports/ledger?period={year}")
    rows = leader.page.locator("table tbody tr").count()
    assert rows > 0, "the ledger shows no case"
    book = load_workbook(io.BytesIO(download(leader, "a[href*='ledger.xlsx']")), read_only=True)
    sheet = book.worksheets[0]
    headers = [c for row in sheet.iter_rows(min_row=1, max_row=4, values_only=True) for c in row if c]
    for column in ("案号", "纠纷类型", "当事人", "所属镇街", "协议金额", "回访情况"):
        assert any(column in str(h) for h in headers), (column, headers)

    leader.goto("/alerts/")
    leader.click("table a[href*='/alerts/']")
    assert re.search(r"/alerts/\d+", leader.path)
    assert leader.page.locator("form[action*='acknowledge'], form[action*='resolve']").count() == 0, \
        "the leader is offered a step"

    leader.goto(f"/map/?period={year}")
    drawn(leader, "#jf-map")
    leader.page.locator("[data-jf-map-area]").first.click()
    leader.page.wait_for_selector("#jf-map-cases a[href*='/show/']", timeout=10_000)
    assert not leader.guard.outside, leader.guard.outside

    leader.goto(f"/reports/evaluation?period={year}&level=centre")
    assert leader.page.locator("table tbody tr").count() > 0, "no centre is evaluated"

    leader.goto("/bulletins/")
    leader.click("table a[href*='/bulletins/']")
    if leader.page.locator("a[href$='/download']").count():
        document = Document(io.BytesIO(download(leader, "a[href$='/download']")))
        assert "通报" in "".join(p.text for p in document.paragraphs)

    leader.goto("/meetings/list/")
    leader.click("table a[href*='/meetings/show/']")
    minutes = Document(io.BytesIO(download(leader, "a[href$='minutes.docx']")))
    assert "联席研判" in "".join(p.text for p in minutes.paragraphs)

    leader.goto("/screening/hazards/add", status=403)
    leader.goto("/meetings/add", status=403)
