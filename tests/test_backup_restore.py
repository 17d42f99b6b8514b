"""Restore drill: data made through the app is backed up with `flask backup`, restored with
`flask restore` into an empty database and instance folder of the test's own, and comes back
whole — every table's row count, every uploaded file byte for byte, the audit chain intact.
On SQLite and on PostgreSQL (a fresh database on the same server)."""
from __future__ import annotations

import hashlib
import tarfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fixtures import make_app
from tests.test_sessions import build_web, build_world, new_case
from tests.test_uploads import PDF, PNG, upload


@pytest.fixture(scope="module")
def web(database, tmp_path_factory, app):
    """The source app, with its own instance folder for attachments."""
    return build_web(database, tmp_path_factory.mktemp("backup-source"))


@pytest.fixture
def world(web, places):
    return build_world(web, places)


@pytest.fixture
def empty_target(database, tmp_path):
    """A database nobody has used yet, as a restore target: a new SQLite file, or a new
    PostgreSQL database whose search path names the source's schema (pg_dump keeps it)."""
    if database["kind"] == "sqlite":
        yield {"url": f"sqlite:///{tmp_path / 'restored.db'}", "options": {}, "kind": "sqlite"}
        return
    name = f"jf_restore_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database["url"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(database["url"]).set(database=name).render_as_string(hide_password=False)
    try:
        yield {**database, "url": url}
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def counts(app) -> dict:
    from app.cli_backup import row_counts
    from app.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        return row_counts(conn)


def files(app) -> dict:
    """Every uploaded file under the instance folder: relative path → SHA-256."""
    root = Path(app.config["JIEFEN_INSTANCE_PATH"])
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in ("attachments", "agreement_templates") if (root / folder).exists()
            for p in (root / folder).rglob("*") if p.is_file()}


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def make_data(web, world) -> None:
    """Two cases registered through the API, three files uploaded to them."""
    first, second = new_case(web, world), new_case(web, world)
    assert upload(web, "clerk", first, [(PDF, "事故认定书.pdf"), (PNG, "现场照片.png")]).status_code == 201
    assert upload(web, "clerk", second, [(PDF + b"% second", "调解笔录.pdf")]).status_code == 201


def test_restore_drill_brings_back_every_row_and_file(web, world, empty_target, tmp_path):
    make_data(web, world)
    archive = tmp_path / "jiefen-backup.tar.gz"
    result = cli(web, "backup", "--output", str(archive))
    assert result.exit_code == 0, result.output
    source_counts, source_files = counts(web), files(web)
    assert source_counts["cases"] == 2 and source_counts["attachment"] == 3 and len(source_files) == 3

    target = make_app(empty_target, tmp_path / "restored-instance")
    result = cli(target, "restore", "--input", str(archive))
    assert result.exit_code == 0, result.output
    assert counts(target) == source_counts
    assert files(target) == source_files
    with target.app_context():  # every restored attachment row opens its restored file
        from app.extensions import db
        from app.models import Attachment
        from app.services.uploads import open_attachment

        for attachment in db.session.scalars(sa.select(Attachment)):
            with open_attachment(attachment) as fh:
                assert hashlib.sha256(fh.read()).hexdigest() == attachment.sha256
    for table, n in source_counts.items():  # the end of the output: every table with its count
        assert any(line.split() == [table, str(n)] for line in result.output.splitlines()), table

    # The audit chain (app/audit_chain.py, `flask audit verify`) must verify on the copy:
    # a restore that reorders or drops audit rows breaks it.
    result = cli(target, "audit", "verify")
    assert result.exit_code == 0, result.output
    with target.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_restore_refuses_a_database_that_holds_data_unless_forced(web, world, tmp_path):
    make_data(web, world)
    archive = tmp_path / "jiefen-backup.tar.gz"
    assert cli(web, "backup", "--output", str(archive)).exit_code == 0
    before = counts(web)
    result = cli(web, "restore", "--input", str(archive))
    assert result.exit_code != 0
    assert "--force" in result.output
    assert counts(web) == before


def test_the_archive_holds_a_manifest_the_database_and_the_files(web, world, tmp_path):
    make_data(web, world)
    archive = tmp_path / "jiefen-backup.tar.gz"
    assert cli(web, "backup", "--output", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert ("database.sqlite3" in names) != ("database.pgdump" in names)
    assert sum(n.startswith("instance/attachments/") for n in names if not n.endswith("/")) >= 3
    assert not list(tmp_path.glob("*.part"))
