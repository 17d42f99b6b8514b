"""`jiefen setup` (what `make run` calls): complete on a fresh database, harmless twice."""
from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from tests.fixtures import make_app


@pytest.fixture
def fresh_database(database, tmp_path):
    """An empty database of the suite's kind (a new SQLite file or PostgreSQL schema)."""
    if database["kind"] == "sqlite":
        yield {"url": f"sqlite:///{tmp_path / 'fresh.db'}", "options": {}, "kind": "sqlite"}
        return
    schema = f"jf_fresh_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(database["url"])
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    options = {"connect_args": {"prepare_threshold": None, "options": f"-csearch_path={schema}"}}
    try:
        yield {"url": database["url"], "options": options, "kind": "postgresql"}
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def counts(app) -> dict:
    from app.extensions import db
    from app.models import (Area, Case, DutyShift, Mediator, MediationTeam, Membership, Organization, Party, Referral,
                            Setting)

    models = (Area, Organization, Case, Party, Mediator, MediationTeam, Membership, DutyShift, Setting, Referral)
    with app.app_context():
        out = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}
        out["users"] = len(app.appbuilder.sm.get_all_users())
        out["roles"] = len(app.appbuilder.sm.get_all_roles())
        db.session.remove()
    return out


def test_setup_on_a_fresh_database_then_again(fresh_database, tmp_path, monkeypatch):
    monkeypatch.delenv("JIEFEN_ADMIN_PASSWORD", raising=False)
    app = make_app(fresh_database, tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jiefen", "setup"])
    assert first.exit_code == 0, first.output
    password = re.search(r"shown only this once: (\S+)", first.output).group(1)
    after_first = counts(app)
    assert after_first["Area"] == 8  # the district, four streets, three towns
    with app.app_context():
        samples = len(app.extensions["jiefen"].registry.samples)
    assert samples >= 1
    assert after_first["Case"] >= 25 * samples and after_first["Party"] >= 2 * after_first["Case"]  # a year's story
    assert after_first["Organization"] >= 11 + 4  # centres plus at least traffic's partners
    assert after_first["Mediator"] == 9 and after_first["MediationTeam"] == 1
    # the district's leader, ten clerks, two judges, three partner liaisons and nine mediators,
    # each with a login
    assert after_first["DutyShift"] >= 12 and after_first["Membership"] == 25
    assert after_first["Referral"] >= 1  # cases referred to the police brigade and others
    assert after_first["Setting"] >= 20  # every plugin's dated settings

    second = runner.invoke(args=["jiefen", "setup"])
    assert second.exit_code == 0, second.output
    assert "password" not in second.output.lower()
    assert counts(app) == after_first  # nothing lost, nothing duplicated

    # the printed password really signs the administrator in
    c = app.test_client()
    page = c.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = c.post("/login/", data={"username": "admin", "password": password, "csrf_token": token})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    assert c.get("/case/list/").status_code == 200
    assert "城区交警大队" in c.get("/admin/linkage/").get_data(as_text=True)
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_admin_password_from_environment(fresh_database, tmp_path, monkeypatch):
    monkeypatch.setenv("JIEFEN_ADMIN_PASSWORD", "chosen-by-the-it-officer")
    app = make_app(fresh_database, tmp_path)
    out = app.test_cli_runner().invoke(args=["jiefen", "setup", "--no-demo"])
    assert out.exit_code == 0, out.output
    assert "chosen-by-the-it-officer" not in out.output
    with app.app_context():
        user = app.appbuilder.sm.auth_user_db("admin", "chosen-by-the-it-officer")
        assert user is not None
        assert counts(app)["Case"] == 0
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
