"""``flask --app app outbox run|list|resend``: the delivery worker and its maintenance."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup, with_appcontext

outbox_cli = AppGroup("outbox", help="Deliveries to partner agencies (the outbox).")


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to wait when nothing was due.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1),
              help="Rows delivered per round.")
@with_appcontext
def outbox_run(once: bool, interval: float, limit: int):
    """Deliver due outbox rows, retrying with back-off; runs until stopped unless --once."""
    from app.linkage.inbound import purge_nonces
    from app.linkage.outbox import deliver_due

    last_purge = 0.0
    try:
        while True:
            counts = deliver_due(limit=limit)
            if once or counts["delivered"] or counts["retry"] or counts["dead"]:
                click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
            if time.monotonic() - last_purge > 600:
                try:
                    purge_nonces()
                except Exception as exc:  # noqa: BLE001 - keep delivering
                    click.echo(f"nonce purge failed: {type(exc).__name__}", err=True)
                last_purge = time.monotonic()
            if once:
                return
            busy = counts["delivered"] + counts["retry"] + counts["dead"] >= limit
            if not busy:
                time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped")


@outbox_cli.command("list")
@click.option("--status", type=click.Choice(["pending", "paused", "delivered", "dead"]), default=None,
              help="paused: pending rows whose plugin is disabled.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@with_appcontext
def outbox_list(status, limit):
    """Rows newest first: id, status, attempts, mechanism, event, next attempt, last error."""
    from sqlalchemy import select

    from app.extensions import db
    from app.linkage.outbox import paused_mechanisms
    from app.models.referral import OutboxMessage

    paused = paused_mechanisms()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status == "paused":
        stmt = stmt.where(OutboxMessage.status == "pending", OutboxMessage.mechanism.in_(sorted(paused)))
    elif status == "pending":
        stmt = stmt.where(OutboxMessage.status == "pending", OutboxMessage.mechanism.not_in(sorted(paused)))
    elif status:
        stmt = stmt.where(OutboxMessage.status == status)
    click.echo(f"{'id':>6} {'status':<10} {'tries':>5} {'mechanism':<12} {'event':<20} "
               f"{'next attempt':<20} last error")
    for m in db.session.scalars(stmt):
        nxt = m.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") if m.next_attempt_at else ""
        shown = "paused" if m.status == "pending" and m.mechanism in paused else m.status
        error = f"plugin {paused[m.mechanism]} is disabled" if shown == "paused" else (m.last_error or "")
        click.echo(f"{m.id:>6} {shown:<10} {m.attempts:>5} {m.mechanism:<12} {m.event:<20} "
                   f"{nxt:<20} {error}")


@outbox_cli.command("resend")
@click.argument("message_id", type=int)
@with_appcontext
def outbox_resend(message_id: int):
    """Put dead row MESSAGE_ID back in the queue."""
    from app.linkage.outbox import resend

    if not resend(message_id):
        raise click.ClickException(f"no dead outbox message with id {message_id}")
    click.echo(f"message {message_id}: pending again")
