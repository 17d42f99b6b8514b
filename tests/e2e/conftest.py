"""Fixtures of the browser tests: one real server and one Chromium for the whole run, and
per test a :class:`~tests.e2e.browser.Guard` that fails the test on any problem any page
showed. ``make e2e`` runs them; ``make test`` leaves them out (marker ``e2e``)."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.browser import DESKTOP, Guard, Person, launch_chromium
from tests.e2e.server import start_server
from tests.e2e.staff import (ADMIN, CENTRE, CLERK, COURT_CLERK, COURT_FILING, LEADER, MEDIATOR_NAME, PARTNER, POLICE,
                             add_membership, add_pool_mediator, create_mediator_login, create_user, sign_in)

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Jiefen as after ``make run``: a fresh instance folder, demo data, 127.0.0.1."""
    running = start_server(tmp_path_factory.mktemp("e2e-instance"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium; if it cannot start the run fails (it is never skipped)."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def guard(server):
    return Guard(server.base)


@pytest.fixture
def person(chromium, server, guard):
    """``person(name)``: a new browser window (its own cookies) for one person of the test.
    After the test, any problem any page showed fails it."""
    opened: list[Person] = []

    def open_window(name: str, viewport=DESKTOP) -> Person:
        someone = Person(chromium, guard, server, name, viewport=viewport)
        opened.append(someone)
        return someone

    yield open_window
    for someone in opened:
        someone.close()
    if guard.problems:
        pytest.fail(guard.report(), pytrace=False)


@pytest.fixture(scope="session")
def staff(chromium, server):
    """The people of the journeys, given their logins by the administrator through the pages
    (the administrator's own journey checks those pages' text; here only that they work):
    the street centre's clerk, the court's filing clerk, the traffic police's liaison, and
    the pool mediator's login, given on the pool page."""
    guard = Guard(server.base)
    admin = Person(chromium, guard, server, "administrator (arranging)")
    admin.chinese = False
    sign_in(admin, ADMIN)
    for login, role, organisation, position in (
            (CLERK, "Clerk", CENTRE, "窗口受理员"), (COURT_CLERK, "Clerk", COURT_FILING, "书记员"),
            (PARTNER, "Partner", POLICE, "联络员")):
        create_user(admin, login, role)
        add_membership(admin, login, organisation, position)
    create_user(admin, LEADER, "Leadership")  # the role decides: the whole district, read-only
    add_pool_mediator(admin, MEDIATOR_NAME)
    mediator = create_mediator_login(admin, MEDIATOR_NAME, "e2e_mediator")
    admin.close()
    assert not guard.problems, guard.report()
    return {"clerk": CLERK, "court_clerk": COURT_CLERK, "partner": PARTNER, "mediator": mediator, "leader": LEADER}
