"""``flask --app app reports ledger --period 2026-11 --output 台账.xlsx``: the dispute ledger of
the whole district (or an area, a type) written to a file, with a progress bar.

The command line has no signed-in user: it reads as the district, as administrators and
leadership do. Text is in the court's language (``--lang``, Chinese by default).
"""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup, with_appcontext

reports_cli = AppGroup("reports", help="Reports written to files.")


@reports_cli.command("ledger")
@click.option("--period", required=True, help="2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year).")
@click.option("--area", "area", default="", help="An area id: its cases and those of the areas below it.")
@click.option("--type", "dispute_type", default="", help="A dispute type code of an enabled plugin.")
@click.option("--group-by", "group_by", default="area", show_default=True,
              type=click.Choice(["area", "type", "channel", "organisation", "mediator"]),
              help="The groups of the summary sheet.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file to write.")
@click.option("--lang", default="zh_CN", show_default=True, help="The language of the headers and labels (zh_CN, en).")
@with_appcontext
def ledger(period: str, area: str, dispute_type: str, group_by: str, output: str, lang: str):
    """Write the district's dispute ledger of a period to an .xlsx file (rows and summary)."""
    from flask import current_app
    from flask_babel import force_locale, gettext

    from app.reports.ledger import LedgerNotFound, LedgerProblem, open_ledger
    from app.reports.ledger_rows import count_rows
    from app.reports.ledger_xlsx import write_ledger
    from app.reports.scope import ReportScope

    with current_app.test_request_context(), force_locale(lang):
        district = ReportScope("district", None, None, None, gettext("The whole district"))
        try:
            chosen = open_ledger(None, {"period": period, "area": area, "type": dispute_type, "group_by": group_by},
                                 scope=district)
        except LedgerProblem as exc:
            click.echo(exc.message, err=True)
            sys.exit(2)
        except LedgerNotFound:
            click.echo(gettext("There is no area %(id)s.", id=area[:20]), err=True)
            sys.exit(2)
        total = count_rows(chosen)
        # The bar goes to stderr: stdout keeps only the closing line, for scripts.
        with click.progressbar(length=total, label=gettext("Writing the ledger"), file=sys.stderr,
                               show_pos=True) as bar:
            written = write_ledger(chosen, output, progress=bar.update)
        click.echo(gettext("%(rows)d rows written to %(file)s", rows=written, file=output))
