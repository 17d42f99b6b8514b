"""The administrator's journey in zh_CN: a dispute type switched off and on, a clerk's login
and their place of work, a mediator's login made from the mediator pool."""
from __future__ import annotations

import pytest

from tests.e2e.staff import (ADMIN, CENTRE, CLERK, add_membership, add_pool_mediator, create_mediator_login,
                             create_user, set_plugin, sign_in)

pytestmark = pytest.mark.e2e


def test_administrator_switches_the_traffic_type_off_and_on(person):
    admin = person("administrator")
    sign_in(admin, ADMIN)
    set_plugin(admin, "traffic", enabled=False)
    admin.goto("/case/intake/")
    assert admin.page.locator("a[href$='/case/intake/traffic']").count() == 0, "a disabled type is still offered"
    set_plugin(admin, "traffic", enabled=True)
    admin.goto("/case/intake/")
    assert admin.page.locator("a[href$='/case/intake/traffic']").count() == 1


def test_administrator_gives_a_clerk_a_login_and_a_place_of_work(person):
    admin = person("administrator")
    sign_in(admin, ADMIN)
    clerk_login = CLERK.__class__("e2e_new_clerk", CLERK.password, "何", "丽娜")
    create_user(admin, clerk_login, "Clerk")
    add_membership(admin, clerk_login, CENTRE, "窗口受理员")

    clerk = person("new clerk")
    sign_in(clerk, clerk_login)
    clerk.goto("/case/intake/")
    assert clerk.page.locator("a[href$='/case/intake/traffic']").count() == 1, "the clerk cannot register a case"


def test_administrator_creates_a_mediators_login_from_the_pool(person):
    admin = person("administrator")
    sign_in(admin, ADMIN)
    add_pool_mediator(admin, "林秋月")
    login = create_mediator_login(admin, "林秋月", "e2e_admin_made_mediator")

    mediator = person("mediator")
    sign_in(mediator, login)
    mediator.goto("/mywork/")
    assert "林秋月" in mediator.text("body") or "秋月" in mediator.text("body")


def test_the_user_statistics_page_loads_nothing_from_outside(person):
    """FAB's chart pages load Google's chart loader; the guard fails the test on any request
    that leaves the machine, whether the page was replaced or removed."""
    admin = person("administrator")
    sign_in(admin, ADMIN)
    admin.goto("/mywork/")
    assert not admin.page.locator("a[href*='userstatschartview']").count(), "the chart is still in the menu"
    admin.goto("/userstatschartview/chart/", status=404)  # FAB's route (menu 用户权限 → 用户统计): removed
    assert admin.page.locator(".jf-top").count(), "the 404 page is not inside the application's layout"
    assert not admin.guard.outside, admin.guard.outside


def test_every_page_has_its_icon(person):
    """The browser asks every site for /favicon.ico; a 404 there is an error on every page."""
    admin = person("administrator")
    sign_in(admin, ADMIN)
    icon = admin.page.request.get("/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/"), icon.headers
