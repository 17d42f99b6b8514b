"""``flask --app app audit verify``: check the audit log's hash chain (after a restore, on a schedule)."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup, with_appcontext

audit_cli = AppGroup("audit", help="The audit log.")
PROGRESS_EVERY = 50_000


@audit_cli.command("verify")
@click.option("--batch-size", default=2000, show_default=True, help="Rows read per query.")
@with_appcontext
def verify(batch_size: int):
    """Walk the hash chain in id order; exit 1 naming the first broken row, 0 when it is whole."""
    from app.audit_chain import verify_chain
    from app.extensions import db

    shown = [0]

    def progress(checked: int) -> None:
        # long runs say they are alive; on stderr, so scripts can parse stdout
        if checked - shown[0] >= PROGRESS_EVERY:
            shown[0] = checked
            click.echo(f"… {checked} rows checked", err=True)

    with db.engine.connect() as conn:
        result = verify_chain(conn, batch_size=max(1, batch_size), progress=progress)
    if result.ok:
        click.echo(f"audit chain intact: {result.checked} rows checked")
        return
    click.echo(f"audit chain BROKEN at row id {result.first_broken_id}: {result.reason} "
               f"({result.checked} rows before it are intact)")
    sys.exit(1)
