"""A DOCX is a zip archive: a small upload can unpack to gigabytes. Every uploaded Office file is
measured from its zip directory before anything opens it, and refused above the limits
(issue 11, finding 9)."""
from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from tests import helpers
from tests.test_agreements import case_id, make_docx, save, upload  # noqa: F401 (case_id is a fixture)
from tests.test_uploads import new_case, rows, stored, web, world  # noqa: F401 (web, world are fixtures)
from tests.test_uploads import upload as attach

MB = 1024 * 1024


def padded_docx(padding: int, extra_members: int = 0) -> bytes:
    """A real Word document whose body holds ``padding`` bytes of blanks (valid XML that packs
    about a thousand times), plus ``extra_members`` empty parts."""
    source = zipfile.ZipFile(io.BytesIO(make_docx("{{ case_no }}")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "word/document.xml" or not padding:
                zf.writestr(info, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with zf.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(head + b"<w:body>")
                blank = b" " * MB
                for _ in range(padding // MB):
                    part.write(blank)
                part.write(tail)
        for i in range(extra_members):
            zf.writestr(f"jiefen-padding/part{i}.xml", b"")  # names the real document does not use
    return out.getvalue()


def _override(app) -> Path:
    return Path(app.config["JIEFEN_INSTANCE_PATH"]) / "agreement_templates" / "traffic" / "compensation.docx"


@pytest.mark.parametrize("data,message", [
    (lambda: padded_docx(30 * MB), "最多允许20MB"),
    (lambda: padded_docx(8 * MB), "压缩比"),
    (lambda: padded_docx(0, extra_members=250), "由 2"),
], ids=["unpacks_to_30_mb", "packed_a_thousand_times", "too_many_parts"])
def test_a_zip_bomb_template_is_refused_before_it_is_opened_and_nothing_is_stored(app, admin_client, data, message):
    bomb = data()
    assert len(bomb) < 400 * 1024  # as small as the probe's 335 KB file
    tracemalloc.start()
    try:
        page = upload(admin_client, bomb).get_data(as_text=True)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message in page, page[page.find("alert"):][:600]
    assert "未打开" in page  # the administrator reads that the file was not even opened
    assert not _override(app).exists()  # nothing stored
    assert peak < 10 * MB  # the padding was never unpacked (opening it costs 30 MB and more)


def test_a_normal_template_is_still_accepted(app, admin_client):
    page = upload(admin_client, make_docx("本院定制协议 {{ case_no }}")).get_data(as_text=True)
    assert "模板已替换" in page
    assert _override(app).is_file()


def test_the_limits_are_configuration(app, admin_client):
    app.config["JIEFEN_OFFICE_MAX_MEMBERS"] = 5
    try:
        page = upload(admin_client, make_docx("{{ case_no }}")).get_data(as_text=True)
    finally:
        app.config["JIEFEN_OFFICE_MAX_MEMBERS"] = 200
    assert "最多允许 5 个" in page and not _override(app).exists()


def test_a_zip_bomb_stored_before_the_check_is_refused_on_download_not_unpacked(app, admin_client, case_id):  # noqa: F811
    """A replacement put in place before uploads were measured: the agreement's download says
    why and who can fix it (web and API), and the file is never opened."""
    assert save(admin_client, case_id).status_code == 302
    planted = _override(app)
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(padded_docx(30 * MB))
    r = admin_client.get(f"/case/{case_id}/agreement/stored.docx", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "最多允许20MB" in page and "管理员" in page
    token = helpers.api_token(app.test_client(), "admin")
    api = app.test_client().get(f"/api/v1/case/{case_id}/agreement.docx", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 409 and "20MB" in api.get_json()["message"]


def test_the_check_reads_only_the_directory_of_a_file_that_lies_about_its_parts():
    """An end record claiming one part over a directory of thousands is refused before
    ``zipfile`` builds an entry for each."""
    from app.validation.office_files import OfficeFileRefused, check_office_zip

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(3000):
            zf.writestr(f"x/{i}", b"")
    data = bytearray(out.getvalue())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = (1).to_bytes(2, "little") * 2  # "1 entry on this disk, 1 in all"
    with pytest.raises(OfficeFileRefused):
        check_office_zip(bytes(data))


def test_an_evidence_file_with_more_parts_than_any_document_is_refused_unread(web, world):  # noqa: F811
    """Attachments are never unpacked, but even listing an archive of tens of thousands of parts
    costs memory: past 10,000 the upload is refused as an unrecognised file, nothing kept."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        for i in range(12_000):
            zf.writestr(f"word/p{i}", b"")
    case = new_case(web, world)
    before = stored(web)
    r = attach(web, "clerk", case, [(out.getvalue(), "证据清单.docx")])
    assert r.status_code == 422 and "by its content" in r.get_json()["message"]["file"][0]
    assert rows(web, case) == [] and stored(web) == before
