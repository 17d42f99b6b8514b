"""Test-only fault injection: hold a save open between its flush and its commit.

Installed only when the app is in testing mode *and* ``JIEFEN_FAULT_HOOKS`` is set (the fault
tests' own WSGI entry point sets both); a production app never listens. A request carrying
``X-Jiefen-Test-Pause: <seconds>`` flushes its rows, writes the worker's process id to
``JIEFEN_FAULT_PAUSE_FILE`` and sleeps before committing, so a test can kill the worker with
the transaction half done.
"""
from __future__ import annotations

import os
import time

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event

PAUSE_HEADER = "X-Jiefen-Test-Pause"
MAX_PAUSE = 60.0


def install_fault_hooks(app: Flask) -> None:
    """Listen for the pause header (testing mode with ``JIEFEN_FAULT_HOOKS`` only)."""
    from app.extensions import db

    if not (app.testing and app.config.get("JIEFEN_FAULT_HOOKS")):
        return
    if not event.contains(db.session, "before_commit", _pause_before_commit):
        event.listen(db.session, "before_commit", _pause_before_commit)


def _pause_before_commit(session) -> None:
    if not has_request_context() or PAUSE_HEADER not in request.headers:
        return
    if not (current_app.testing and current_app.config.get("JIEFEN_FAULT_HOOKS")):
        return
    session.flush()  # every row of the save is in the database, uncommitted
    marker = current_app.config.get("JIEFEN_FAULT_PAUSE_FILE")
    if marker:
        with open(marker, "w", encoding="ascii") as f:
            f.write(str(os.getpid()))
    time.sleep(min(float(request.headers[PAUSE_HEADER] or 0), MAX_PAUSE))
