"""A Jiefen app on a database of its own, migrated as in production, and wiped between tests.

The database is a temporary SQLite file, or a schema of its own on the PostgreSQL server named
by ``JIEFEN_TEST_DATABASE_URL`` (created at the start, dropped at the end; a server that is down
fails the run, it never skips it).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlalchemy as sa

DATABASE_URL_VARIABLE = "JIEFEN_TEST_DATABASE_URL"


def database_url_under_test() -> str:
    """The PostgreSQL URL the tests run on, or ``""`` for SQLite."""
    return os.environ.get(DATABASE_URL_VARIABLE, "")


@contextlib.contextmanager
def private_database(folder: Path) -> Iterator[dict]:
    """A database URL plus engine options, private to the caller until the block ends.

    SQLite: a file in ``folder``. PostgreSQL: a fresh schema, dropped at the end (its
    creation fails loudly when the server cannot be reached).
    """
    pg_url = database_url_under_test()
    if not pg_url:
        yield {"url": f"sqlite:///{Path(folder) / 'jiefen-test.db'}", "options": {}, "kind": "sqlite"}
        return
    url = pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"jf_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    options = {
        "pool_pre_ping": True,
        "connect_args": {"prepare_threshold": None, "options": f"-csearch_path={schema}"},
    }
    try:
        yield {"url": url, "options": options, "kind": "postgresql", "schema": schema}
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(database: dict, instance_path: Path, **overrides):
    """A Jiefen app on ``database`` in test mode (no migration run).

    Every installed plugin is loaded and none is excluded; ``overrides`` are config keys
    (``JIEFEN_EXTRA_PLUGINS=[(name, module)]`` registers a plugin that is not installed).
    """
    from app import create_app
    from app.config import engine_options

    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database["url"],
        "SQLALCHEMY_ENGINE_OPTIONS": {**engine_options(database["url"]), **database["options"]},
        "JIEFEN_INSTANCE_PATH": str(instance_path),
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "FAB_API_SWAGGER_UI": True,
        "JIEFEN_PLUGINS_EXCLUDE": "",
    }
    config.update(overrides)
    return create_app(config)


def not_installed(plugins: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The ``(name, module)`` pairs whose name no installed ``jiefen.plugins`` entry point has:
    a plugin tested from a checkout is registered directly, an installed one is not twice."""
    import importlib.metadata

    from app.plugins.manager import ENTRY_POINT_GROUP

    installed = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    return [(name, module) for name, module in plugins if name not in installed]


def make_migrated_app(database: dict, instance_path: Path, **overrides):
    """A Jiefen app whose database is migrated (Alembic, as in production) and whose roles
    and permissions are synced from ``app/roles.py`` (``jiefen setup`` does the same)."""
    app = make_app(database, instance_path, **overrides)
    with app.app_context():
        from flask_migrate import upgrade

        from app.seed import sync_permissions

        upgrade()
        sync_permissions()
    return app


def dispose(app) -> None:
    """Close the app's connections (the end of a session or a module)."""
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def wipe_case_data() -> None:
    """Delete every row of Jiefen's own tables (users and FAB's tables stay), children first.

    The audit log stays too: it is append-only (its triggers refuse DELETE).
    """
    from flask_appbuilder import Model
    from sqlalchemy import select

    from app.extensions import db

    db.session.rollback()
    for table in reversed(Model.metadata.sorted_tables):
        if table.name.startswith("ab_") or table.name == "audit_event":
            continue
        parent = next((fk.parent for fk in table.foreign_keys if fk.column.table is table), None)
        if parent is None:
            db.session.execute(table.delete())
            continue
        # Self-referencing (areas, organisations): remove leaves until nothing is left.
        while db.session.execute(select(table.c.id).limit(1)).first():
            parents = select(parent).where(parent.is_not(None))
            db.session.execute(table.delete().where(table.c.id.not_in(parents)))
    db.session.commit()


def wipe(app) -> None:
    """Leave ``app`` as a fresh test found it: no cases, places, settings rows or plugin
    switches (users stay), and no administrator's replacement templates."""
    with app.app_context():
        wipe_case_data()
    # administrators' replacement templates live in the instance folder
    shutil.rmtree(Path(app.config["JIEFEN_INSTANCE_PATH"]) / "agreement_templates", ignore_errors=True)
