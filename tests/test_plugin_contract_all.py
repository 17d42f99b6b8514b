"""The contract every dispute-type plugin must meet, run on each discovered plugin
(the built-ins and the example plugin in examples/, installed through its entry point)."""
from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import docx
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale
from packaging.specifiers import SpecifierSet

from app import __version__ as CORE_VERSION
from app.intake.payload import flatten
from app.plugins.manager import build_plugin_manager, collect_registry
from app.plugins.types import CLASSIFICATIONS
from tests import helpers
from tests.fixtures import csrf_token
from tests.plugin_install import EXAMPLE_PLUGINS, installed_examples

CJK = re.compile(r"[\u4e00-\u9fff]")

with installed_examples():
    _REGISTRY = collect_registry(build_plugin_manager())
PLUGINS = sorted(n for n in _REGISTRY.plugins if _REGISTRY.plugins[n].dispute_types)
TYPES = sorted((owner, code) for code, owner in _REGISTRY.type_owner.items())
assert set(EXAMPLE_PLUGINS) <= set(_REGISTRY.plugins), "an example plugin was not discovered"


@pytest.fixture(scope="module")
def capp(database, tmp_path_factory):
    """An app with every built-in plugin and the examples installed."""
    from tests.fixtures import make_migrated_app

    with installed_examples():
        app = make_migrated_app(database, tmp_path_factory.mktemp("contract"))
        yield app
    with app.app_context():
        helpers.wipe_case_data()


@pytest.fixture
def cadmin(capp):
    c = capp.test_client()
    helpers.login(c, "admin")
    yield c
    with capp.app_context():
        helpers.wipe_case_data()


def payload_for(app, code: str, places: dict) -> dict:
    payload = helpers.traffic_payload(places)
    payload["dispute_type"] = code
    payload["intake"] = copy.deepcopy(app.extensions["jiefen"].registry.samples[code])
    return payload


def api_post(app, payload, lang="en"):
    token = helpers.api_token(app.test_client(), "admin")
    return app.test_client().post(
        f"/api/v1/case/?_l_={lang}", json=payload, headers={"Authorization": f"Bearer {token}"}
    )


def web_post(client, code, payload, lang="en"):
    client.get(f"/lang/{lang}")
    page = client.get(f"/case/intake/{code}").get_data(as_text=True)
    data = flatten({k: v for k, v in payload.items() if k != "dispute_type"})
    data["csrf_token"] = csrf_token(page)
    return client.post(f"/case/intake/{code}", data=data)


def specs_of(app, code):
    return app.extensions["jiefen"].registry.field_specs(code)


# -- metadata and ownership ------------------------------------------------------------------
@pytest.mark.parametrize("name", PLUGINS)
def test_metadata_is_valid(capp, name):
    info = capp.extensions["jiefen"].registry.plugins[name]
    assert re.match(r"^\d+\.\d+", info.version), info.version
    assert info.requires_core, f"{name} declares no core compatibility range"
    assert SpecifierSet(info.requires_core).contains(CORE_VERSION, prereleases=True)
    for code in info.dispute_types:
        dtype = capp.extensions["jiefen"].registry.dispute_types[code]
        assert re.match(r"^[a-z][a-z0-9_]*$", code)
        assert dtype.category and str(dtype.description)
        with capp.test_request_context():
            with force_locale("zh_CN"):
                zh = str(dtype.label)
            with force_locale("en"):
                en = str(dtype.label)
        assert CJK.search(zh), f"{code}: no Chinese label ({zh!r})"
        assert en and not CJK.search(en), f"{code}: no English label ({en!r})"


@pytest.mark.parametrize("owner,code", TYPES)
def test_exactly_one_plugin_owns_the_type(owner, code):
    owners = [n for n, info in _REGISTRY.plugins.items() if code in info.dispute_types]
    assert owners == [owner]


@pytest.mark.parametrize("owner,code", TYPES)
def test_every_field_is_classified(capp, owner, code):
    specs = specs_of(capp, code)
    assert specs, f"{code} declares no intake fields"
    for spec in specs:
        assert spec.classification in CLASSIFICATIONS
        for sub in spec.subfields:
            assert sub.classification in CLASSIFICATIONS


# -- the form ----------------------------------------------------------------------------------
@pytest.mark.parametrize("owner,code", TYPES)
def test_form_accepts_the_realistic_sample_on_both_paths(capp, cadmin, owner, code):
    with capp.app_context():
        places = helpers.create_places()
    payload = payload_for(capp, code, places)
    r = api_post(capp, payload)
    assert r.status_code == 201, r.get_json()
    r = web_post(cadmin, code, payload)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]


def bad_inputs(specs):
    """Realistic mistakes, derived from the plugin's own declarations."""
    out = [
        ("id_wrong_length", "parties.0.id_number", "11010519491231", "parties-0-id_number"),
        ("amount_three_decimals", "claim_amount", "100.125", "claim_amount"),
    ]
    dates = [s for s in specs if s.kind == "date"]
    if dates:
        out.append(("impossible_date", f"intake.{dates[0].name}", "2026-02-30", f"intake-{dates[0].name}"))
    required = [s for s in specs if s.required and s.kind not in ("records", "boolean")]
    if required:
        out.append(("missing_required", f"intake.{required[0].name}", "", f"intake-{required[0].name}"))
    money = [s for s in specs if s.kind == "decimal"]
    if money:
        out.append(("negative_money", f"intake.{money[0].name}", "-1", f"intake-{money[0].name}"))
    return out


BAD = [(owner, code, bad) for owner, code in TYPES for bad in bad_inputs(_REGISTRY.field_specs(code))]


@pytest.mark.parametrize("owner,code,bad", BAD, ids=[f"{c}-{b[0]}" for _, c, b in BAD])
def test_form_rejects_bad_input_in_the_users_language_and_stores_nothing(capp, cadmin, owner, code, bad):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Case

    _name, path, value, field = bad
    with capp.app_context():
        places = helpers.create_places()
    payload = helpers.with_changes(payload_for(capp, code, places), path, value)
    en = api_post(capp, payload, "en")
    assert en.status_code == 422 and field in en.get_json()["message"], en.get_json()
    zh = api_post(capp, payload, "zh_CN")
    assert all(CJK.search(m) for m in zh.get_json()["message"][field])
    web = web_post(cadmin, code, payload, "zh_CN")
    assert web.status_code == 200
    html = web.get_data(as_text=True)
    assert all(m in html for m in zh.get_json()["message"][field])
    with capp.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 0


# -- agreements ----------------------------------------------------------------------------------
@pytest.mark.parametrize("owner,code", TYPES)
def test_every_template_renders_docx_and_html_from_a_sample_case(capp, cadmin, owner, code):
    """Each template, saved on the case's agreement page with its sample terms, gives a Word
    document and a print view with the parties and the terms."""
    from app.extensions import db
    from app.models import Case

    templates = capp.extensions["jiefen"].registry.templates.get(code)
    assert templates, f"{code} offers no agreement template"
    with capp.app_context():
        places = helpers.create_places()
    case = api_post(capp, payload_for(capp, code, places)).get_json()
    with capp.app_context():  # mediation itself is walked in test_journeys; the agreement is what is tested here
        db.session.get(Case, case["id"]).status = "in_mediation"
        db.session.commit()
    url = f"/case/{case['id']}/agreement/save"
    for template in templates:
        assert template.sample_terms, f"{code}/{template.code} has no sample terms"
        page = cadmin.get(url).get_data(as_text=True)
        version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
        data = {"csrf_token": csrf_token(page), "version": next(v for v in version.groups() if v),
                "template_code": template.code, "committee": "香洲街道人民调解委员会", "mediator": "陈调解",
                "signed_on": "2026-11-28"}
        for i, term in enumerate(template.sample_terms):
            data.update({f"terms-{i}-text": term.text, f"terms-{i}-manner": term.manner,
                         f"terms-{i}-due": term.due.isoformat() if term.due else ""})
        for i in range(len(template.sample_terms), 3):
            data.update({f"terms-{i}-text": "", f"terms-{i}-manner": "", f"terms-{i}-due": ""})
        r = cadmin.post(url, data=data)
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
        r = cadmin.get(f"/case/{case['id']}/agreement/stored.docx")
        assert r.status_code == 200 and r.mimetype.endswith("document"), r.get_data(as_text=True)[:500]
        document = docx.Document(io.BytesIO(r.data))
        text = "\n".join([p.text for p in document.paragraphs] + [c.text for t in document.tables for row in t.rows for c in row.cells])
        for expected in ["林晓明", "黄丽娟"] + [t.text for t in template.sample_terms]:
            assert expected in text, f"{code}/{template.code}: {expected!r} missing from the DOCX"
        assert "{{" not in text and "{%" not in text
        html = cadmin.get(f"/case/{case['id']}/agreement/print").get_data(as_text=True)
        for expected in ["林晓明", "黄丽娟"] + [t.text for t in template.sample_terms]:
            assert expected in html


# -- catalogues ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PLUGINS)
def test_catalogues_compile_with_nothing_untranslated(capp, name):
    folders = [Path(d) for d in _plugin_translation_dirs(name)]
    assert folders, f"{name} ships no translations"
    for folder in folders:
        for lang in ("zh_Hans_CN", "en"):
            po = folder / lang / "LC_MESSAGES" / "messages.po"
            assert po.exists(), po
            with po.open("rb") as fh:
                catalog = read_po(fh)
            write_mo(io.BytesIO(), catalog)  # compiles
            missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
            assert not missing, f"{po}: untranslated {missing[:5]}"


def _plugin_translation_dirs(name):
    from app.plugins.manager import call_plugin

    with installed_examples():
        pm = build_plugin_manager()
        return call_plugin(pm, name, "translation_directories") or []


def _zh_catalogue(path: Path) -> dict:
    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and m.string and isinstance(m.id, str)}


def test_plugins_do_not_retranslate_shared_words():
    """All catalogues share one domain and the last loaded wins: a plugin giving a word the
    core or FAB also uses another translation would change the core's screens (seen: a debt
    plugin's "Security" = 担保方式 renamed FAB's Security menu)."""
    import flask_appbuilder

    shared = _zh_catalogue(Path(flask_appbuilder.__file__).parent / "translations" / "zh" / "LC_MESSAGES" / "messages.po")
    shared.update(_zh_catalogue(Path(__file__).resolve().parent.parent / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"))
    seen: dict = {}
    clashes = []
    for name in PLUGINS:
        for folder in _plugin_translation_dirs(name):
            for msgid, msgstr in _zh_catalogue(Path(folder) / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").items():
                if msgid in shared and shared[msgid] != msgstr:
                    clashes.append(f"{name}: {msgid!r} = {msgstr!r}, core/FAB say {shared[msgid]!r}")
                if msgid in seen and seen[msgid][1] != msgstr:
                    clashes.append(f"{name} and {seen[msgid][0]}: {msgid!r} translated differently")
                seen.setdefault(msgid, (name, msgstr))
    assert not clashes, "\n".join(clashes)
