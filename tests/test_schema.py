"""Migrations build the whole schema, FAB's tables included, and match the models."""
from __future__ import annotations

import threading

from sqlalchemy import inspect, select

from tests import helpers


def test_upgrade_builds_fab_and_jiefen_tables(app):
    from app.extensions import db

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"ab_user", "ab_role", "ab_permission_view", "alembic_version"} <= tables
    assert {"area", "organization", "cases", "party", "case_counter", "plugin_state"} <= tables


def test_models_and_migrations_agree(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_appbuilder import Model

    from app.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Model.metadata)
    assert diff == [], f"models differ from migrations: {diff}"


def test_twenty_concurrent_registrations_get_twenty_numbers(app, places):
    """Case numbers come from a counter row, never max()+1."""
    from app.extensions import db
    from app.intake.payload import flatten
    from app.models import Case
    from app.services.intake import intake_form, register_case
    from app.services.scope import ANYWHERE

    payload = helpers.traffic_payload(places)
    payload.pop("dispute_type")
    errors = []
    barrier = threading.Barrier(20)

    def register():
        try:
            with app.test_request_context():
                form = intake_form("traffic", flatten(payload), api=True, scope=ANYWHERE)
                assert form.validate(), form.errors
                db.session.rollback()  # hand the connection back before waiting
                barrier.wait(timeout=60)
                register_case(form, "traffic", None)
                db.session.remove()
        except Exception as exc:  # collected and reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=register) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with app.app_context():
        numbers = db.session.scalars(select(Case.case_no)).all()
    assert len(numbers) == 20 and len(set(numbers)) == 20


def test_case_list_issues_no_query_per_row(app, admin_client, places):
    """The list page costs the same number of statements for 3 rows as for 25."""
    from sqlalchemy import event

    from app.extensions import db

    token = helpers.api_token(app.test_client(), "admin")

    def add(n):
        for _ in range(n):
            r = app.test_client().post(
                "/api/v1/case/", json=helpers.traffic_payload(places), headers={"Authorization": f"Bearer {token}"}
            )
            assert r.status_code == 201

    def statements(url):
        count = [0]

        def before(*a, **k):
            count[0] += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            assert admin_client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", before)
        return count[0]

    add(3)
    few = statements("/case/list/"), statements("/plugins/traffic/cases/list/")
    add(22)
    many = statements("/case/list/"), statements("/plugins/traffic/cases/list/")
    assert many == few, f"statements grew with rows: {few} -> {many}"
