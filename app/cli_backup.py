"""``flask --app app backup`` and ``restore``: the database and the uploaded files in one archive.

The archive is a gzipped tar holding ``manifest.json`` (database kind, migration revision,
row count of every table, number of files), the database (``database.sqlite3`` made with
SQLite's online backup API, or ``database.pgdump`` from ``pg_dump -Fc``) and the instance
folders of uploaded files (``instance/attachments``, ``instance/agreement_templates``).

Consistency while the app runs: the database copy is one snapshot (SQLite's backup API
restarts when a writer changes a copied page; on PostgreSQL the row counts and ``pg_dump``
share one exported snapshot), and files are copied *after* it. An attachment's file is in
place before its row commits, so every row of the snapshot finds its file; a file added
meanwhile is at most an extra.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from glob import glob
from pathlib import Path
from typing import Optional

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

FORMAT = 1
FILE_FOLDERS = ("attachments", "agreement_templates")
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
PAGES_PER_STEP = 256


def _engine():
    from app.extensions import db

    return db.engine


def pg_tool(name: str) -> str:
    """The path of PostgreSQL's ``name`` (pg_dump, pg_restore): PATH, then Debian's folders."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    raise click.ClickException(_("%(tool)s is not installed (looked in PATH and /usr/lib/postgresql/*/bin): "
                                 "install the PostgreSQL client (Debian: postgresql-client-15).", tool=name))


def _pg_env(url: sa.engine.URL) -> dict:
    """libpq's environment for ``url``: the password never appears on a command line."""
    env = dict(os.environ)
    for var, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[var] = str(value)
    return env


def _tables(conn) -> list[str]:
    """The tables of the app's schema (the current one on PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        rows = conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [r[0] for r in rows]


def row_counts(conn) -> dict[str, int]:
    """The number of rows of every table."""
    quote = conn.dialect.identifier_preparer.quote
    return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {quote(t)}").scalar_one() for t in _tables(conn)}


def _revision(counts: dict, conn) -> Optional[str]:
    if "alembic_version" not in counts:
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _sqlite_path(engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise click.ClickException(_("Only a SQLite database in a file can be backed up or restored."))
    return Path(database)


def _progress(label: str):
    """A callback for SQLite's backup API that prints the share of pages copied."""
    shown = set()

    def step(_status, remaining, total):
        done = 100 * (total - remaining) // max(total, 1)
        if done // 10 not in shown:
            shown.add(done // 10)
            click.echo(f"  {label}: {done}%")
    return step


def _instance() -> Path:
    return Path(current_app.config["JIEFEN_INSTANCE_PATH"])


def _files(instance: Path) -> list[Path]:
    """Every uploaded file kept in the instance folder (unfinished ``.part`` uploads excluded)."""
    out = []
    for folder in FILE_FOLDERS:
        root = instance / folder
        if root.is_dir():
            out += sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".part"))
    return out


def _print_counts(counts: dict, files: int) -> None:
    click.echo(_("Rows per table:"))
    width = max((len(t) for t in counts), default=0)
    for table, n in counts.items():
        click.echo(f"  {table:<{width}}  {n}")
    click.echo(_("Uploaded files: %(n)s", n=files))


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


@contextmanager
def _pg_snapshot(engine):
    """A repeatable-read transaction whose snapshot ``pg_dump --snapshot`` can share."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            yield conn, snapshot


def _dump_database(engine, workdir: Path) -> tuple[Path, dict, Optional[str]]:
    """Copy the database into ``workdir``; its file, row counts and migration revision."""
    if engine.dialect.name == "sqlite":
        target = workdir / SQLITE_MEMBER
        source = sqlite3.connect(_sqlite_path(engine))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=PAGES_PER_STEP, progress=_progress(_("database")))
        finally:
            source.close()
        try:
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            with sa.create_engine(f"sqlite:///{target}").connect() as conn:
                counts = row_counts(conn)
                revision = _revision(counts, conn)
        finally:
            copy.close()
        return target, counts, revision
    target = workdir / PG_MEMBER
    pg_dump = pg_tool("pg_dump")
    with _pg_snapshot(engine) as (conn, snapshot):
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
        counts = row_counts(conn)
        revision = _revision(counts, conn)
        command = [pg_dump, "-Fc", f"--snapshot={snapshot}", "-f", str(target)]
        if schema != "public":  # the app lives in its own schema: take that schema only
            command.append(f"--schema={schema}")
        click.echo("  " + _("pg_dump of %(n)s tables…", n=len(counts)))
        done = subprocess.run(command, env=_pg_env(engine.url), capture_output=True, text=True)
    if done.returncode != 0:
        raise click.ClickException(_("pg_dump failed: %(error)s", error=done.stderr.strip()))
    return target, counts, revision


@click.command("backup")
@click.option("--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The archive to write (.tar.gz).")
@with_appcontext
def backup(output: Path):
    """Back up the database and the uploaded files into one archive, while the app runs."""
    engine = _engine()
    instance = _instance()
    output = output.resolve()
    partial = output.with_name(output.name + ".part")
    click.echo(_("Backing up the %(kind)s database…", kind=engine.dialect.name))
    with tempfile.TemporaryDirectory(prefix="jiefen-backup-") as tmp:
        dump, counts, revision = _dump_database(engine, Path(tmp))
        files = _files(instance)
        manifest = {
            "format": FORMAT, "database": engine.dialect.name, "revision": revision,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "tables": counts, "files": len(files),
        }
        try:
            with tarfile.open(partial, "w:gz") as tar:
                _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                tar.add(dump, arcname=dump.name)
                click.echo(_("Adding %(n)s uploaded files…", n=len(files)))
                for path in files:
                    tar.add(path, arcname=f"instance/{path.relative_to(instance).as_posix()}")
            with open(partial, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(partial, output)  # a half-written archive never carries the final name
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    _print_counts(counts, len(files))
    click.echo(_("Backup written to %(path)s.", path=str(output)))


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.extractfile("manifest.json")
        manifest = json.load(member)
    except (KeyError, ValueError, AttributeError):
        raise click.ClickException(_("This is not a Jiefen backup (no manifest.json).")) from None
    if manifest.get("format") != FORMAT:
        raise click.ClickException(_("Unknown backup format %(format)s.", format=manifest.get("format")))
    return manifest


def _target_counts(engine) -> dict:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql" and conn.exec_driver_sql("SELECT current_schema()").scalar() is None:
            return {}  # the schema named by search_path does not exist yet: nothing to lose
        return row_counts(conn)


def _restore_sqlite(engine, tar: tarfile.TarFile, workdir: Path) -> None:
    tar.extract(SQLITE_MEMBER, workdir, filter="data")
    engine.dispose()
    source = sqlite3.connect(workdir / SQLITE_MEMBER)
    target = sqlite3.connect(_sqlite_path(engine))
    try:
        source.backup(target, pages=PAGES_PER_STEP, progress=_progress(_("database")))
    finally:
        source.close()
        target.close()


def _restore_pg(engine, tar: tarfile.TarFile, workdir: Path) -> None:
    pg_restore = pg_tool("pg_restore")
    tar.extract(PG_MEMBER, workdir, filter="data")
    engine.dispose()
    click.echo("  pg_restore…")
    # One transaction: a failed restore leaves the target as it was.
    done = subprocess.run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                           "--single-transaction", "-d", engine.url.database, str(workdir / PG_MEMBER)],
                          env=_pg_env(engine.url), capture_output=True, text=True)
    if done.returncode != 0:
        raise click.ClickException(_("pg_restore failed: %(error)s", error=done.stderr.strip()))


def _is_upload(name: str) -> bool:
    parts = name.split("/")
    return len(parts) > 2 and parts[0] == "instance" and parts[1] in FILE_FOLDERS


def _restore_files(tar: tarfile.TarFile, instance: Path) -> int:
    for folder in FILE_FOLDERS:
        shutil.rmtree(instance / folder, ignore_errors=True)
    members = [m for m in tar.getmembers() if m.isfile() and _is_upload(m.name)]
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=instance) as tmp:
        tar.extractall(tmp, members=members, filter="data")  # "data": no links or paths outside
        for folder in FILE_FOLDERS:
            extracted = Path(tmp) / "instance" / folder
            if extracted.is_dir():
                os.replace(extracted, instance / folder)
    return len(members)


@click.command("restore")
@click.option("--input", "input_", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An archive written by `backup`.")
@click.option("--force", is_flag=True, help="Overwrite a database or upload folder that holds data.")
@with_appcontext
def restore(input_: Path, force: bool):
    """Restore the database and the uploaded files from a backup (stop the app first)."""
    engine = _engine()
    instance = _instance()
    instance.mkdir(parents=True, exist_ok=True)
    with tarfile.open(input_, "r:gz") as tar, tempfile.TemporaryDirectory(prefix="jiefen-restore-") as tmp:
        manifest = _read_manifest(tar)
        if manifest["database"] != engine.dialect.name:
            raise click.ClickException(_("This backup holds a %(kind)s database; the app uses %(target)s.",
                                         kind=manifest["database"], target=engine.dialect.name))
        held = {t: n for t, n in _target_counts(engine).items() if n}
        if (held or _files(instance)) and not force:
            raise click.ClickException(_("The target already holds data (%(what)s): restore into an empty "
                                         "database, or add --force to overwrite it.",
                                         what=", ".join(f"{t} {n}" for t, n in held.items())
                                         or _("uploaded files")))
        click.echo(_("Restoring the %(kind)s database…", kind=engine.dialect.name))
        if engine.dialect.name == "sqlite":
            _restore_sqlite(engine, tar, Path(tmp))
        else:
            _restore_pg(engine, tar, Path(tmp))
        click.echo(_("Restoring the uploaded files…"))
        files = _restore_files(tar, instance)
    engine.dispose()
    counts = _target_counts(engine)
    _print_counts(counts, files)
    differ = [t for t, n in manifest["tables"].items() if counts.get(t) != n]
    if differ or files != manifest["files"]:
        raise click.ClickException(_("The restored data differ from the backup's manifest: %(tables)s.",
                                     tables=", ".join(differ) or _("uploaded files")))
    click.echo(_("Restored %(path)s; row counts match the backup.", path=str(input_)))
