"""``flask --app app check-deploy``: refuse a production configuration that is unsafe.

Each check gives one line: ``OK …`` when it holds, the problem in the operator's language
when not; any problem makes the command exit 1, so a deploy script can stop on it.

How the checks learn what they cannot see from inside one process:

- **worker count**: ``JIEFEN_WORKERS``, else ``WEB_CONCURRENCY`` (gunicorn's own default for
  ``--workers``), else ``--workers``/``-w`` in ``GUNICORN_CMD_ARGS``; unknown counts as
  several, because in-memory rate-limit counters are only safe with exactly one worker;
- **TLS and proxy**: ``JIEFEN_BEHIND_TLS`` and ``JIEFEN_BEHIND_PROXY`` (both on by default:
  the documented production layout is gunicorn on loopback behind a TLS reverse proxy).
"""
from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Mapping, Optional

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

MIN_SECRET = 32


def worker_count(config: Mapping, environ: Mapping[str, str]) -> Optional[int]:
    """The number of web workers the operator declared, or ``None`` when nothing says."""
    for raw in (config.get("JIEFEN_WORKERS"), environ.get("WEB_CONCURRENCY")):
        if raw not in (None, ""):
            try:
                return int(str(raw).strip())
            except ValueError:
                return None
    args = shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))
    for i, arg in enumerate(args):
        value = None
        if arg in ("-w", "--workers") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--workers="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-w") and len(arg) > 2:
            value = arg[2:]
        if value is not None:
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _generated_secret(config: Mapping) -> bool:
    """True when SECRET_KEY is the one Jiefen generated into the instance folder."""
    path = Path(config["JIEFEN_INSTANCE_PATH"]) / "secret_key"
    try:
        return path.read_text().strip() == str(config.get("SECRET_KEY") or "")
    except OSError:
        return False


def check(config: Mapping, environ: Mapping[str, str]) -> list[tuple[bool, str]]:
    """Every check as ``(passed, line)``, in a fixed order."""
    results: list[tuple[bool, str]] = []

    def add(ok: bool, good: str, bad: str) -> None:
        results.append((ok, good if ok else bad))

    secret = str(config.get("SECRET_KEY") or "")
    if _generated_secret(config):
        results.append((False, _("The secret key was generated into the instance folder: set "
                                 "JIEFEN_SECRET_KEY to a long random value shared by every worker and host.")))
    else:
        add(len(secret) >= MIN_SECRET, _("Secret key set (at least %(n)s characters).", n=MIN_SECRET),
            _("The secret key is too short (%(length)s characters): JIEFEN_SECRET_KEY needs at least "
              "%(n)s random characters.", length=len(secret), n=MIN_SECRET))
    add(not config.get("DEBUG"), _("Debug mode off."),
        _("Debug mode is on: turn it off (FLASK_DEBUG) in production."))
    add(not config.get("FAB_API_SWAGGER_UI"), _("Swagger UI off."),
        _("Swagger UI is on (FAB_API_SWAGGER_UI): turn it off in production."))

    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    workers = worker_count(config, environ)
    if not config.get("RATELIMIT_ENABLED", True):
        results.append((False, _("Rate limiting is off (JIEFEN_RATELIMIT): turn it on in production.")))
    elif storage.startswith("memory://") and workers != 1:
        if workers is None:
            results.append((False, _("Rate-limit counters are kept in memory and the number of workers is "
                                     "unknown: set JIEFEN_RATELIMIT_STORAGE to a shared store such as Redis, "
                                     "or JIEFEN_WORKERS=1 if only one worker runs.")))
        else:
            results.append((False, _("Rate-limit counters are kept in memory but %(n)s workers run, so each "
                                     "counts separately: set JIEFEN_RATELIMIT_STORAGE to a shared store such "
                                     "as Redis.", n=workers)))
    else:
        results.append((True, _("Rate limiting on, counters in %(where)s.",
                                where=storage.split("://", 1)[0] + "://")))

    if config.get("JIEFEN_BEHIND_TLS"):
        insecure = [name for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE") if not config.get(name)]
        add(not insecure, _("Cookies are sent over HTTPS only (Secure)."),
            _("Behind TLS, but %(names)s is off: leave JIEFEN_COOKIE_SECURE unset.", names=", ".join(insecure)))
    if config.get("JIEFEN_BEHIND_PROXY"):
        add(int(config.get("JIEFEN_PROXY_COUNT") or 0) > 0,
            _("%(n)s reverse proxy trusted for the client address.", n=config.get("JIEFEN_PROXY_COUNT")),
            _("Behind a reverse proxy, but JIEFEN_PROXY_COUNT is 0: every client would be counted by "
              "the proxy's address. Set it to the number of proxies."))
    hosts = config.get("TRUSTED_HOSTS")
    add(bool(hosts), _("Answers only to %(hosts)s.", hosts=", ".join(hosts or ())),
        _("JIEFEN_TRUSTED_HOSTS is empty: the server answers to any Host header, and links it builds "
          "could point elsewhere. Set it to the site's host name(s)."))
    return results


@click.command("check-deploy")
@with_appcontext
def check_deploy():
    """Check the production configuration; exit 1 with one line per problem."""
    results = check(current_app.config, os.environ)
    problems = [line for ok, line in results if not ok]
    for ok, line in results:
        if ok:
            click.echo(f"OK {line}")
        else:
            click.echo(_("PROBLEM %(line)s", line=line), err=True)
    if problems:
        click.echo(_("%(n)s problem(s): this configuration is not fit for production.", n=len(problems)),
                   err=True)
        sys.exit(1)
    click.echo(_("The configuration is fit for production."))
