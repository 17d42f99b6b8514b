"""Out-of-tree plugins, and switching plugins on and off without a restart."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests import helpers
from tests.fixtures import csrf_token, make_migrated_app
from tests.plugin_install import installed

OUTOFTREE = Path(__file__).resolve().parent / "outoftree"


@pytest.fixture(scope="module")
def recorder_app(database, tmp_path_factory):
    """An app with the out-of-tree ``recorder`` plugin installed through an entry point."""
    with installed("jiefen-recorder", "9.9.1", "recorder = jiefen_recorder", OUTOFTREE):
        yield make_migrated_app(database, tmp_path_factory.mktemp("instance"))


@pytest.fixture
def recorder(recorder_app):
    import jiefen_recorder

    jiefen_recorder.CALLS.clear()
    jiefen_recorder.VETO["reason"] = None
    yield jiefen_recorder
    with recorder_app.app_context():
        helpers.wipe_case_data()


@pytest.fixture
def r_admin(recorder_app):
    c = recorder_app.test_client()
    helpers.login(c, "admin")
    return c


def boundary_payload(places):
    p = helpers.traffic_payload(places)
    p["dispute_type"] = "boundary"
    p["intake"] = {"wall_length": "12.5", "neighbours_agree": True}
    return p


def register(client, payload):
    token = helpers.api_token(client, "admin")
    return client.post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {token}"})


def toggle(client, name, enabled):
    page = client.get("/admin/plugins/").get_data(as_text=True)
    r = client.post(
        f"/admin/plugins/{name}/toggle",
        data={"enabled": "1" if enabled else "0", "csrf_token": csrf_token(page)},
    )
    assert r.status_code == 302


def test_out_of_tree_plugin_works_like_a_built_in(recorder_app, recorder, r_admin):
    with recorder_app.app_context():
        places = helpers.create_places()
        info = recorder_app.extensions["jiefen"].registry.plugins["recorder"]
        assert info.version == "9.9.1" and info.dispute_types == ("boundary",)
    assert "Boundary dispute" in r_admin.get("/case/intake/?_l_=en").get_data(as_text=True)
    form = r_admin.get("/case/intake/boundary?_l_=en").get_data(as_text=True)
    assert "Wall length (m)" in form
    r = register(r_admin, boundary_payload(places))
    assert r.status_code == 201, r.get_json()
    assert "validate_transition:None->registered" in recorder.CALLS
    assert "on_transition:None->registered" in recorder.CALLS
    listing = r_admin.get("/plugins/recorder/cases/list/").get_data(as_text=True)
    assert r.get_json()["case_no"] in listing
    assert r_admin.get("/plugins/recorder/guide").get_data(as_text=True) == "boundary dispute guide"
    # Its intake is validated by the same machinery as traffic's.
    bad = boundary_payload(places)
    bad["intake"]["wall_length"] = "-1"
    assert register(r_admin, bad).status_code == 422


def test_plugin_can_veto_a_transition(recorder_app, recorder, r_admin):
    with recorder_app.app_context():
        places = helpers.create_places()
    recorder.VETO["reason"] = "Walk the boundary first."
    r = register(r_admin, boundary_payload(places))
    assert r.status_code == 422
    assert r.get_json()["message"]["status"] == ["Walk the boundary first."]
    from app.extensions import db
    from app.models import Case

    with recorder_app.app_context():
        assert db.session.scalars(select(Case)).all() == []  # nothing half-stored


def test_disabled_plugin(recorder_app, recorder, r_admin):
    """Hooks not called, menu hidden, routes 404, no new cases, old cases readable."""
    with recorder_app.app_context():
        places = helpers.create_places()
    case = register(r_admin, boundary_payload(places)).get_json()
    menu = r_admin.get("/case/list/?_l_=en").get_data(as_text=True)
    assert "/plugins/recorder/cases/list/" in menu

    toggle(r_admin, "recorder", False)  # no restart in between
    recorder.CALLS.clear()

    # its hooks are not called
    traffic = helpers.traffic_payload(places)
    assert register(r_admin, traffic).status_code == 201
    with recorder_app.app_context():

        from app.models import Case
        from app.extensions import db

        any_case = db.session.scalars(select(Case)).first()
        state = recorder_app.extensions["jiefen"]
        with recorder_app.test_request_context():
            state.dispatcher.collect("deadlines", case=any_case)
            state.dispatcher.collect("diversion_advice", case=any_case)
            state.dispatcher.collect("linkage_partners", dispute_type="boundary")
            state.dispatcher.collect("agreement_templates", dispute_type="boundary")
    assert recorder.CALLS == []

    # its menu is hidden and its routes answer 404
    menu = r_admin.get("/case/list/?_l_=en").get_data(as_text=True)
    assert "/plugins/recorder/cases/list/" not in menu
    assert r_admin.get("/plugins/recorder/cases/list/").status_code == 404
    assert r_admin.get(f"/plugins/recorder/cases/show/{case['id']}").status_code == 404
    assert r_admin.get("/plugins/recorder/guide").status_code == 404

    # it cannot be chosen for a new case, on either path
    assert "Boundary dispute" not in r_admin.get("/case/intake/?_l_=en").get_data(as_text=True)
    assert r_admin.get("/case/intake/boundary").status_code == 302
    r = register(r_admin, boundary_payload(places))
    assert r.status_code == 422 and "dispute_type" in r.get_json()["message"]

    # existing cases stay readable, in full
    show = r_admin.get(f"/case/show/{case['id']}?_l_=en").get_data(as_text=True)
    assert case["case_no"] in show and "Wall length (m)" in show and "12.5" in show
    token = helpers.api_token(r_admin, "admin")
    api = r_admin.get(f"/api/v1/case/{case['id']}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.get_json()["result"]["intake_data"]["wall_length"] == "12.5"

    # and switching it back on needs no restart either
    toggle(r_admin, "recorder", True)
    assert r_admin.get("/plugins/recorder/cases/list/").status_code == 200
    assert register(r_admin, boundary_payload(places)).status_code == 201
    assert any(c.startswith("validate_transition") for c in recorder.CALLS)


def test_plugins_page_is_for_administrators_only(recorder_app, recorder):
    c = recorder_app.test_client()
    helpers.login(c, "clerk")
    assert c.get("/admin/plugins/").status_code in (302, 403)
    r = c.post("/admin/plugins/recorder/toggle", data={"enabled": "0"})
    assert r.status_code in (302, 400, 403)
    with recorder_app.app_context():
        assert recorder_app.extensions["jiefen"].dispatcher.is_enabled("recorder")


def test_plugins_list_command(recorder_app, recorder):
    runner = recorder_app.test_cli_runner()
    out = runner.invoke(args=["plugins", "list"]).output
    assert "recorder" in out and "9.9.1" in out and "boundary" in out and "traffic" in out
    assert runner.invoke(args=["plugins", "disable", "recorder"]).exit_code == 0
    out = runner.invoke(args=["plugins", "list"]).output
    line = next(l for l in out.splitlines() if l.startswith("recorder"))
    assert " no " in line
    assert runner.invoke(args=["plugins", "disable", "nope"]).exit_code != 0


def test_default_partners_are_seeded_once(recorder_app, recorder):
    from app.extensions import db
    from app.models import Organization
    from app.seed import seed_partners

    with recorder_app.app_context():
        assert seed_partners() >= 5  # traffic's four and the recorder's land office
        assert seed_partners() == 0
        names = {o.code: o.name for o in db.session.scalars(select(Organization))}
    assert names["traffic:police-brigade"] == "城区交警大队" or names["traffic:police-brigade"]
    assert "recorder:land-office" in names
