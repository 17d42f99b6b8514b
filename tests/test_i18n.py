"""Chinese by default, English complete, a language switch on every page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("translations/*/LC_MESSAGES/messages.po")) + sorted(
    ROOT.glob("plugins/*/translations/*/LC_MESSAGES/messages.po")
) + sorted(ROOT.glob("examples/*/*/translations/*/LC_MESSAGES/messages.po"))


def test_case_list_renders_in_chinese_by_default(admin_client, app, places):
    html = admin_client.get("/case/list/").get_data(as_text=True)
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    assert "案号" in html and "纠纷类型" in html
    assert "交通事故" in html  # the traffic plugin's own catalogue


def test_case_list_renders_in_english(admin_client, places):
    admin_client.get("/lang/en")
    html = admin_client.get("/case/list/").get_data(as_text=True)
    assert "Case number" in html and "Dispute type" in html and "Traffic accident" in html
    assert "案号" not in html and "/lang/zh_CN" in html


def test_language_switch_is_in_the_menu(admin_client):
    html = admin_client.get("/case/list/").get_data(as_text=True)
    assert "/lang/en" in html


def test_unknown_language_is_refused(admin_client):
    assert admin_client.get("/lang/xx").status_code == 404


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(po):
    with po.open("rb") as fh:
        catalog = read_po(fh)
    missing = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"untranslated: {missing[:5]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:5]}"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(po):
    with po.open("rb") as fh:
        catalog = read_po(fh)
    for m in catalog:
        if not (m.id and m.string):
            continue
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        want = sorted(set(re.findall(r"%\(\w+\)s", ids[0])))
        for text in strings:  # every plural form keeps the placeholders
            assert sorted(set(re.findall(r"%\(\w+\)s", text))) == want, m.id


def test_both_languages_exist_for_core_and_traffic():
    for folder in (ROOT / "translations", ROOT / "plugins" / "traffic" / "translations"):
        assert (folder / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").exists()
        assert (folder / "en" / "LC_MESSAGES" / "messages.po").exists()


def test_times_are_shown_in_beijing_time(app):
    import datetime as dt

    from app.templating import local_time

    with app.test_request_context():
        assert local_time(dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.timezone.utc)) == "2026-11-29 07:30"
        assert local_time(dt.datetime(2026, 11, 28, 23, 30)) == "2026-11-29 07:30"  # naive = UTC
        assert local_time(None) == ""
