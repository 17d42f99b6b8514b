"""``flask --app app alerts scan``: run every early-warning rule once (schedule it, e.g. hourly)."""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup, with_appcontext

alerts_cli = AppGroup("alerts", help="Early warning: run the rules and raise or update alerts.")


@alerts_cli.command("scan")
@click.option("--rule", "rules", multiple=True, metavar="CODE",
              help="Run only this rule (repeat for several); every rule by default.")
@with_appcontext
def alerts_scan(rules):
    """Run the core's rules and those of the enabled plugins; print what was raised and updated.

    Idempotent: an alert still open for the same situation is updated, never duplicated.
    Exits with status 1 when a rule failed (the others still ran).
    """
    from app.warnings.scan import rules_to_run, scan

    known = {code for code, _plugin, _find in rules_to_run()}
    unknown = sorted(set(rules) - known)
    if unknown:
        raise click.BadParameter(f"unknown rule(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}",
                                 param_hint="--rule")
    started = dt.datetime.now()
    summary = scan(only=rules)
    for line in summary.lines():
        click.echo(line)
    click.echo(f"  took {(dt.datetime.now() - started).total_seconds():.1f} s")
    if summary.failed:
        raise SystemExit(1)
