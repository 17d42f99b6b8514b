"""Command-line tools: ``flask --app app plugins list``, ``flask --app app jiefen setup``."""
from __future__ import annotations

import secrets

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

plugins_cli = AppGroup("plugins", help="Installed dispute-type plugins.")
jiefen_cli = AppGroup("jiefen", help="Set up and maintain a Jiefen installation.")


@plugins_cli.command("list")
@with_appcontext
def plugins_list():
    """Print name, version, enabled state and dispute types of every plugin."""
    from sqlalchemy.exc import SQLAlchemyError

    state = current_app.extensions["jiefen"]
    try:
        disabled = state.dispatcher.disabled_plugins()
    except SQLAlchemyError:
        disabled = frozenset()
        click.echo("(database not set up yet — run `flask --app app jiefen setup`; "
                   "every plugin counts as enabled until then)", err=True)
    click.echo(f"{'name':<16} {'version':<10} {'enabled':<8} dispute types")
    for name, info in sorted(state.registry.plugins.items()):
        enabled = "always" if name == "core" else ("no" if name in disabled else "yes")
        click.echo(f"{name:<16} {info.version:<10} {enabled:<8} {', '.join(info.dispute_types)}")


def _switch(name: str, enabled: bool) -> None:
    from app.extensions import db

    state = current_app.extensions["jiefen"]
    try:
        state.dispatcher.set_enabled(name, enabled)
    except KeyError:
        raise click.ClickException(f"no plugin named {name!r}") from None
    db.session.commit()
    click.echo(f"{name}: {'enabled' if enabled else 'disabled'}")


@plugins_cli.command("enable")
@click.argument("name")
@with_appcontext
def plugins_enable(name):
    """Enable plugin NAME (takes effect on the next request)."""
    _switch(name, True)


@plugins_cli.command("disable")
@click.argument("name")
@with_appcontext
def plugins_disable(name):
    """Disable plugin NAME; its cases stay readable."""
    _switch(name, False)


@jiefen_cli.command("setup")
@click.option("--demo/--no-demo", default=True, help="Load demo areas, centres and cases.")
@with_appcontext
def setup(demo: bool):
    """Migrate, sync roles and permissions, create the admin, seed partners and demo data.

    Safe to run again: it adds what is missing and changes nothing that exists.
    """
    from flask_migrate import upgrade

    from app.seed import create_admin, seed_partners, sync_permissions
    from app.services.settings import seed_settings

    upgrade()
    sync_permissions()
    seed_settings()
    seed_partners()
    password = create_admin()
    if demo:
        from app.demo import load_demo

        click.echo(load_demo())
    if password:
        click.echo("Created the administrator account 'admin'.")
        click.echo(f"Its generated password, shown only this once: {password}")


def register_cli(app: Flask) -> None:
    """Attach Jiefen's command groups to ``app``."""
    from app.cli_audit import audit_cli
    from app.linkage.cli import outbox_cli

    app.cli.add_command(plugins_cli)
    app.cli.add_command(jiefen_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(audit_cli)
    from app.warnings.cli import alerts_cli  # early warning: the scan

    app.cli.add_command(alerts_cli)
    from app.cli_reports import reports_cli  # the dispute ledger written to a file

    app.cli.add_command(reports_cli)
    from app.cli_backup import backup, restore
    from app.cli_deploy import check_deploy

    app.cli.add_command(check_deploy)
    app.cli.add_command(backup)
    app.cli.add_command(restore)


def main():
    """The ``jiefen`` console script: Flask's CLI bound to this app."""

    def factory():
        from app import create_app

        return create_app()

    FlaskGroup(create_app=factory)(prog_name="jiefen")


def generate_password() -> str:
    """A random password a person can type (no look-alike characters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))
