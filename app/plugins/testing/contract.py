"""The contract every dispute-type plugin must meet, as checks any plugin's tests can run.

Each check takes a :class:`~app.plugins.testing.kit.PluginKit` and a plugin name and fails with
an ``AssertionError`` naming the plugin, the type and what is wrong. Jiefen's own
``tests/test_plugin_contract_all.py`` runs them on every built-in and example plugin; a
plugin's tests run them with the ``check_plugin_contract`` fixture
(or ``jiefen.check_contract("name")``).
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Callable, Iterable, Optional

CJK = re.compile(r"[\u4e00-\u9fff]")


def check_metadata(kit, name: str) -> None:
    """A version, a core range containing this core, and per type a code, a category, a
    description and a Chinese and an English label."""
    from flask_babel import force_locale
    from packaging.specifiers import SpecifierSet

    from app import __version__ as core_version

    info = kit.plugin(name)
    assert re.match(r"^\d+\.\d+", info.version), f"{name}: version {info.version!r}"
    assert info.requires_core, f"{name} declares no core compatibility range"
    assert SpecifierSet(info.requires_core).contains(core_version, prereleases=True), \
        f"{name}: {info.requires_core} excludes this Jiefen {core_version}"
    for code in info.dispute_types:
        dtype = kit.dispute_type(code)
        assert re.match(r"^[a-z][a-z0-9_]*$", code), f"{name}: type code {code!r}"
        assert dtype.category and str(dtype.description), f"{code}: no category or description"
        with kit.app.test_request_context():
            with force_locale("zh_CN"):
                zh = str(dtype.label)
            with force_locale("en"):
                en = str(dtype.label)
        assert CJK.search(zh), f"{code}: no Chinese label ({zh!r})"
        assert en and not CJK.search(en), f"{code}: no English label ({en!r})"


def check_ownership(kit, name: str) -> None:
    """The plugin owns at least one type, and each of its types has no other owner."""
    types = kit.plugin(name).dispute_types
    assert types, f"{name} owns no dispute type"
    for code in types:
        owners = [n for n, info in kit.registry.plugins.items() if code in info.dispute_types]
        assert owners == [name], f"{code} is owned by {owners}"
        assert kit.owner_of(code) == name


def check_fields_classified(kit, name: str) -> None:
    """Every type declares intake fields, each (and each subfield) with a data classification."""
    from app.plugins import CLASSIFICATIONS

    for code in kit.plugin(name).dispute_types:
        specs = kit.registry.field_specs(code)
        assert specs, f"{code} declares no intake fields"
        for spec in specs:
            assert spec.classification in CLASSIFICATIONS, f"{code}.{spec.name}: {spec.classification!r}"
            for sub in spec.subfields:
                assert sub.classification in CLASSIFICATIONS, f"{code}.{spec.name}.{sub.name}"


def _web_post(client, code: str, payload: dict, lang: str = "en"):
    from app.intake.payload import flatten
    from app.plugins.testing.kit import csrf_token

    client.get(f"/lang/{lang}")
    page = client.get(f"/case/intake/{code}").get_data(as_text=True)
    data = flatten({k: v for k, v in payload.items() if k != "dispute_type"})
    data["csrf_token"] = csrf_token(page)
    return client.post(f"/case/intake/{code}", data=data)


def check_sample_accepted(kit, name: str) -> None:
    """Each type's sample intake (``DisputeType.sample`` or the ``sample_intake`` hook)
    registers a case through the API and through the web form."""
    admin = kit.client_as("Admin")
    for code in kit.plugin(name).dispute_types:
        payload = kit.intake_payload(code)
        r = kit.api("Admin", "POST", "/api/v1/case/", json=payload)
        assert r.status_code == 201, f"{code}: the API refused the sample: {r.get_json()}"
        r = _web_post(admin, code, payload)
        assert r.status_code == 302, f"{code}: the form refused the sample: {r.get_data(as_text=True)[:2000]}"


def bad_inputs(specs) -> list[tuple[str, str, str, str]]:
    """Realistic mistakes ``(name, payload path, value, field)``, derived from the type's own
    declarations."""
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


def with_change(payload: dict, path: str, value) -> dict:
    """A deep copy of ``payload`` with ``a.b.0.c`` set to ``value``."""
    import copy

    out = copy.deepcopy(payload)
    *keys, last = path.split(".")
    target = out
    for k in keys:
        target = target[int(k)] if isinstance(target, list) else target[k]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return out


def _case_count(kit) -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Case

    with kit.app.app_context():
        return db.session.scalar(select(func.count(Case.id)))


def check_bad_input_refused(kit, name: str, only: Optional[str] = None) -> None:
    """Realistic mistakes are refused in the user's language, by the API and the form alike,
    and nothing is stored (``only``: one mistake by name)."""
    admin = kit.client_as("Admin")
    for code in kit.plugin(name).dispute_types:
        for mistake, path, value, field in bad_inputs(kit.registry.field_specs(code)):
            if only and mistake != only:
                continue
            where = f"{code}, {mistake}"
            before = _case_count(kit)
            payload = with_change(kit.intake_payload(code), path, value)
            en = kit.api("Admin", "POST", "/api/v1/case/", json=payload, lang="en")
            assert en.status_code == 422 and field in en.get_json()["message"], f"{where}: {en.get_json()}"
            zh = kit.api("Admin", "POST", "/api/v1/case/", json=payload, lang="zh_CN")
            messages = zh.get_json()["message"][field]
            assert all(CJK.search(m) for m in messages), f"{where}: not in Chinese: {messages}"
            web = _web_post(admin, code, payload, "zh_CN")
            assert web.status_code == 200, f"{where}: the form answered {web.status_code}"
            html = web.get_data(as_text=True)
            assert all(m in html for m in messages), f"{where}: the form does not say {messages}"
            assert _case_count(kit) == before, f"{where}: a refused intake stored a case"


def check_templates_render(kit, name: str) -> None:
    """Each template, saved on a case's agreement page with its sample terms, gives a Word
    document and a print view with the parties and the terms, and no template tags left."""
    import docx

    from app.extensions import db
    from app.models import Case
    from app.plugins.testing.kit import csrf_token

    admin = kit.client_as("Admin")
    for code in kit.plugin(name).dispute_types:
        templates = kit.templates(code)
        assert templates, f"{code} offers no agreement template"
        case = kit.make_case(code, role="Admin")
        with kit.app.app_context():  # mediation itself is walked by the core's journeys
            db.session.get(Case, case.id).status = "in_mediation"
            db.session.commit()
        url = f"/case/{case.id}/agreement/save"
        for template in templates:
            where = f"{code}/{template.code}"
            assert template.sample_terms, f"{where} has no sample terms"
            page = admin.get(url).get_data(as_text=True)
            version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
            assert version, f"{where}: the agreement page has no version field"
            data = {"csrf_token": csrf_token(page), "version": next(v for v in version.groups() if v),
                    "template_code": template.code, "committee": "香洲街道人民调解委员会", "mediator": "陈调解",
                    "signed_on": "2026-11-28"}
            for i, term in enumerate(template.sample_terms):
                data.update({f"terms-{i}-text": term.text, f"terms-{i}-manner": term.manner,
                             f"terms-{i}-due": term.due.isoformat() if term.due else ""})
                kind = getattr(term, "kind", None)
                if kind:
                    data[f"terms-{i}-kind"] = kind
            for i in range(len(template.sample_terms), 3):
                data.update({f"terms-{i}-text": "", f"terms-{i}-manner": "", f"terms-{i}-due": ""})
            r = admin.post(url, data=data)
            assert r.status_code == 302, f"{where}: {r.get_data(as_text=True)[:2000]}"
            r = admin.get(f"/case/{case.id}/agreement/stored.docx")
            assert r.status_code == 200 and r.mimetype.endswith("document"), r.get_data(as_text=True)[:500]
            document = docx.Document(io.BytesIO(r.data))
            text = "\n".join([p.text for p in document.paragraphs]
                             + [c.text for t in document.tables for row in t.rows for c in row.cells])
            expected = ["林晓明", "黄丽娟"] + [t.text for t in template.sample_terms]
            for part in expected:
                assert part in text, f"{where}: {part!r} missing from the DOCX"
            assert "{{" not in text and "{%" not in text, f"{where}: template tags left in the DOCX"
            html = admin.get(f"/case/{case.id}/agreement/print").get_data(as_text=True)
            for part in expected:
                assert part in html, f"{where}: {part!r} missing from the print view"


def _zh_catalogue(path: Path) -> dict:
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and m.string and isinstance(m.id, str)}


def retranslated_words(kit, names: Iterable[str]) -> list[str]:
    """Words plugins ``names`` translate differently from the core, FAB or one another.

    All catalogues share one domain and the last loaded wins: a plugin giving a word the core
    or FAB also uses another translation changes the core's screens (seen: a debt plugin's
    "Security" = 担保方式 renamed FAB's Security menu).
    """
    import flask_appbuilder

    import app as core

    shared = _zh_catalogue(Path(flask_appbuilder.__file__).parent / "translations" / "zh" / "LC_MESSAGES" / "messages.po")
    core_po = Path(core.__file__).resolve().parent.parent / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    if core_po.exists():
        shared.update(_zh_catalogue(core_po))
    seen: dict = {}
    clashes = []
    for name in names:
        for folder in kit.translation_dirs_of(name):
            for msgid, msgstr in _zh_catalogue(Path(folder) / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").items():
                if msgid in shared and shared[msgid] != msgstr:
                    clashes.append(f"{name}: {msgid!r} = {msgstr!r}, core/FAB say {shared[msgid]!r}")
                if msgid in seen and seen[msgid][1] != msgstr:
                    clashes.append(f"{name} and {seen[msgid][0]}: {msgid!r} translated differently")
                seen.setdefault(msgid, (name, msgstr))
    return clashes


def check_catalogues(kit, name: str) -> None:
    """Both catalogues (zh_Hans_CN, en) of the folders the plugin names
    (``PluginMetadata.translations`` or the ``translation_directories`` hook) ship, compile and
    leave nothing untranslated, and no shared word is translated differently from the core or FAB."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folders = [Path(d) for d in kit.translation_dirs_of(name)]
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
    clashes = retranslated_words(kit, [name])
    assert not clashes, "\n".join(clashes)


CONTRACT_CHECKS: dict[str, Callable] = {
    "metadata": check_metadata,
    "ownership": check_ownership,
    "fields_classified": check_fields_classified,
    "sample_accepted": check_sample_accepted,
    "bad_input_refused": check_bad_input_refused,
    "templates_render": check_templates_render,
    "catalogues": check_catalogues,
}


def run_contract(kit, name: str, only: Optional[Iterable[str]] = None) -> None:
    """Run every contract check (or those named in ``only``) on plugin ``name``."""
    names = list(only) if only else list(CONTRACT_CHECKS)
    unknown = set(names) - set(CONTRACT_CHECKS)
    assert not unknown, f"unknown contract checks {sorted(unknown)}; known: {sorted(CONTRACT_CHECKS)}"
    for check in names:
        CONTRACT_CHECKS[check](kit, name)
