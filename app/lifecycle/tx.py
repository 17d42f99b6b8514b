"""One unit of work per lifecycle change: everything it adds commits together, or nothing does.

Every lifecycle function that writes wraps its changes in :func:`unit_of_work` instead of its
own commit/rollback block, so a refusal, a stale version or a crash half-way never leaves a
half-written case behind (and the session is usable again for the error page).
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db


class StaleCase(Exception):
    """The case changed since the user loaded it; their change was not applied."""


@contextmanager
def unit_of_work(session=None):
    """Flush and commit the block's changes on success; on any exception roll everything back
    and re-raise it (a concurrent save caught by a version column becomes :class:`StaleCase`)."""
    session = session if session is not None else db.session
    try:
        yield session
        session.flush()  # the version columns make a concurrent save fail here, not at commit
        session.commit()
    except StaleDataError:
        session.rollback()
        raise StaleCase() from None
    except BaseException:
        # BaseException too: an interrupted request must not leave its half in the session.
        session.rollback()
        raise
