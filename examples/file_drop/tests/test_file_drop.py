"""The file-drop example, tested with the plugin testing kit alone: a referral created through
the API lands as a JSON file in the partner's folder; bad folders are refused in the reader's
language; the mechanism pauses while its plugin is disabled and takes no callbacks.

Run from the Jiefen project root: ``pytest examples/file_drop/tests``.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import stat
import tomllib
from pathlib import Path

from jiefen_file_drop.plugin import FileDropMechanism

DIST = Path(__file__).resolve().parent.parent


def files_in(folder):
    return sorted(os.listdir(folder))


def test_the_entry_point_registers_the_mechanism_with_its_catalogues(jiefen, client_as):
    pyproject = tomllib.loads((DIST / "pyproject.toml").read_text(encoding="utf-8"))
    # the name Jiefen knows the plugin by is the entry point's: the conftest registers it so
    assert pyproject["project"]["entry-points"]["jiefen.plugins"] == {"file_drop": "jiefen_file_drop.plugin"}
    assert jiefen.registry.mechanism_owner["file_drop"] == "file_drop"
    browser = client_as("Admin")
    police = jiefen.add_partner("城区交警大队")
    page = browser.get(f"/admin/linkage/{police}").get_data(as_text=True)
    assert "文件投递（共享文件夹中的 JSON 文件）" in page and "投递文件夹" in page
    assert "Drop folder" not in page
    assert "File drop (JSON files in a shared folder)" in browser.get(f"/admin/linkage/{police}?_l_=en").get_data(as_text=True)


def test_a_referral_created_through_the_api_lands_as_a_json_file(jiefen, drop):
    police = jiefen.add_partner("城区交警大队")
    assert jiefen.set_channel(police, "file_drop", directory=str(drop)).status_code == 302
    referral_id = jiefen.refer(police, purpose="请协助调取事故认定书")
    assert files_in(drop) == []  # the request only queued it
    assert jiefen.run_outbox()["delivered"] == 1
    (name,) = files_in(drop)  # no temporary file left behind
    assert name.startswith(f"{referral_id}-referral_sent-") and name.endswith(".json")
    doc = json.loads((drop / name).read_text(encoding="utf-8"))
    assert doc["event"] == "referral_sent" and doc["referral_id"] == referral_id
    assert doc["payload"]["purpose"] == "请协助调取事故认定书"
    assert set(doc["payload"]["shared"]) == {"title"}  # exactly the shared fields
    assert name == f"{referral_id}-referral_sent-{doc['idempotency_key']}.json"
    assert stat.S_IMODE((drop / name).stat().st_mode) == 0o640
    assert jiefen.outbox() == [("delivered", 1)]


def test_bad_drop_folders_are_refused_in_the_readers_language(jiefen, drop):
    police = jiefen.add_partner("城区交警大队")
    r = jiefen.set_channel(police, "file_drop", directory="exchange/police")
    assert r.status_code == 422 and "投递文件夹须为以“/”开头的绝对路径。" in r.get_data(as_text=True)
    r = jiefen.set_channel(police, "file_drop", directory=str(drop / "missing"))
    assert r.status_code == 422 and f"服务器上不存在投递文件夹 {drop / 'missing'}。" in r.get_data(as_text=True)
    r = jiefen.set_channel(police, "file_drop", lang="en", directory=str(drop / "missing"))
    assert r.status_code == 422 and "does not exist on the server" in r.get_data(as_text=True)
    r = jiefen.set_channel(police, "file_drop", directory="")
    assert r.status_code == 422 and "请填写投递文件夹。" in r.get_data(as_text=True)


def test_the_folder_check_runs_without_a_page_too(jiefen, drop):
    with jiefen.request("zh_CN"):
        mech = FileDropMechanism()
        assert [str(p) for p in mech.validate_settings({})] == ["请填写投递文件夹。"]
        assert mech.validate_settings({"directory": str(drop)}) == []
    if os.geteuid() != 0:  # root may write anywhere
        drop.chmod(0o500)
        try:
            with jiefen.request("zh_CN"):
                assert [str(p) for p in mech.validate_settings({"directory": str(drop)})] == [
                    f"解纷平台无权写入投递文件夹 {drop}。"]
        finally:
            drop.chmod(0o700)


def test_a_missing_folder_is_retried_and_a_paused_plugin_waits(jiefen, client_as, drop):
    police = jiefen.add_partner("城区交警大队")
    assert jiefen.set_channel(police, "file_drop", directory=str(drop)).status_code == 302
    jiefen.set_enabled("file_drop", False)
    jiefen.refer(police)
    assert jiefen.run_outbox()["delivered"] == 0 and files_in(drop) == []
    assert jiefen.outbox() == [("pending", 0)]
    assert "插件「file_drop」已停用" in client_as("Admin").get("/admin/outbox/list/").get_data(as_text=True)
    drop.rmdir()  # the share is not mounted when the plugin comes back
    jiefen.set_enabled("file_drop", True)
    assert jiefen.run_outbox()["retry"] == 1
    drop.mkdir()
    assert jiefen.run_outbox(later=dt.timedelta(minutes=5))["delivered"] == 1  # after the back-off
    assert len(files_in(drop)) == 1


def test_the_partner_cannot_call_back(jiefen, drop):
    assert FileDropMechanism.accepts_callbacks is False
    # the partner's code names its callback URL: only seeding gives one, so take a seeded partner
    seeded = jiefen.seed_partners()
    assert seeded, "no installed plugin seeds a partner agency"
    code, police = next(iter(seeded.items()))
    assert jiefen.set_channel(police, "file_drop", directory=str(drop)).status_code == 302
    partner = jiefen.partner(police)
    assert (partner.code, partner.linkage_mechanism) == (code, "file_drop")
    assert FileDropMechanism().verify({}, b"{}", partner) is False
    r = jiefen.client().post(f"/api/v1/linkage/inbound/{code}", data=b'{"referral_id": 1}',
                             headers={"X-Jiefen-Signature": "sha256=00", "X-Jiefen-Timestamp": "1",
                                      "Idempotency-Key": "nonce-0001"})
    assert r.status_code == 404 and r.get_json() == {"error": "unknown_partner"}
