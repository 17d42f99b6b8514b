"""What the administrator does in the browser to give people their logins: FAB's user
pages, the Staff page (memberships), the mediator pool's login page, the Plugins page."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.e2e.browser import Person
from tests.e2e.server import ADMIN_PASSWORD

PASSWORD = "e2e-Staff-Pa55-word"
CENTRE = "香洲街道综治中心"
COURT_FILING = "汕尾市城区人民法院立案庭"
POLICE = "城区交警大队"
MEDIATOR_NAME = "陈海燕"  # joins the pool in the tests: traffic and debt, 香洲街道
COMMITTEE = "道路交通事故人民调解委员会"


@dataclass(frozen=True)
class Login:
    """A login as the administrator created it."""

    username: str
    password: str
    surname: str = ""
    given: str = ""


# names the demo data does not use: the Staff page picks the user by name
CLERK = Login("e2e_clerk", PASSWORD, "钟", "雨桐")  # window clerk of the street's centre
COURT_CLERK = Login("e2e_court_clerk", PASSWORD, "覃", "子涵")  # 书记员 of the filing division
PARTNER = Login("e2e_police", PASSWORD, "甘", "立诚")  # the traffic police brigade's liaison
LEADER = Login("e2e_leader", PASSWORD, "岑", "志远")  # the district's leader: reads, never writes
ADMIN = Login("admin", ADMIN_PASSWORD)


def sign_in(someone: Person, login: Login) -> None:
    someone.sign_in(login.username, login.password)


def person_option(someone: Person, select: str, surname: str, given: str) -> str:
    """The value of the option naming this person, whichever order the page writes the name in."""
    options = someone.page.locator(f"select[name='{select}'] option").evaluate_all(
        "options => options.map(o => [o.value, o.textContent])")
    wanted = {surname + given, given + surname}
    found = [v for v, text in options if re.sub(r"\s+", "", text) in wanted]
    assert len(found) == 1, f"{surname}{given} is offered {len(found)} times in {select}: {[t for _v, t in options]}"
    return found[0]


def create_user(admin: Person, login: Login, role: str) -> None:
    """FAB's 添加用户 page: name, username, e-mail, one role, the password twice."""
    admin.goto("/users/add")
    admin.fill("last_name", login.surname)
    admin.fill("first_name", login.given)
    admin.fill("username", login.username)
    admin.fill("email", f"{login.username}@jiefen.invalid")
    admin.choose("roles", label=role)
    admin.fill("password", login.password)
    admin.fill("conf_password", login.password)
    admin.submit("#model_form button[type=submit], #model_form input[type=submit]")
    assert "/users/add" not in admin.path, f"the user was not created: {admin.problems_shown()}"
    admin.goto(f"/users/list/?_flt_0_username={login.username}")  # the list's search: users are many
    assert login.username in admin.text("body"), f"{login.username} is not in the user list"


def set_password(admin: Person, username: str, password: str) -> Login:
    """What an administrator does for a demo person (whose password nobody is told): find the
    user in the list, 重置密码, the new password twice."""
    admin.goto(f"/users/list/?_flt_0_username={username}")  # "starts with": clerk_court finds clerk_court_med too
    pk = None
    for row in admin.page.locator("table tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        link = row.locator("a[href*='/users/show/']")
        if username in cells and link.count():
            pk = int(re.search(r"/users/show/(\d+)", link.first.get_attribute("href")).group(1))
            break
    assert pk is not None, f"{username} is not in the user list"
    admin.goto(f"/resetpassword/form?pk={pk}")
    admin.fill("password", password)
    admin.fill("conf_password", password)
    admin.submit("form button[type=submit], form input[type=submit]")
    assert "/resetpassword" not in admin.path, f"the password was not set: {admin.problems_shown()}"
    return Login(username, password)


def add_membership(admin: Person, login: Login, organisation: str, position: str) -> None:
    """The Staff page: the user works at ``organisation``."""
    admin.goto("/admin/staff/add")
    admin.choose("user", value=person_option(admin, "user", login.surname, login.given))
    admin.choose("organization", label=organisation)
    admin.fill("title", position)
    admin.submit("#model_form button[type=submit], #model_form input[type=submit]")
    assert "/admin/staff/add" not in admin.path, f"the membership was not added: {admin.problems_shown()}"
    admin.goto(f"/admin/staff/list/?_flt_0_title={position}&psize_MembershipModelView=100")  # the list's search
    rows = [re.sub(r"\s+", "", t) for t in admin.page.locator("table tr").all_inner_texts()]
    assert any(organisation in r and (login.surname + login.given in r or login.given + login.surname in r)
               for r in rows), f"no membership of {login.username} at {organisation}: {rows}"


def add_pool_mediator(admin: Person, name: str) -> None:
    """The pool's 添加 page: a full-time traffic mediator of the traffic committee serving the
    street (the demo's mediators may have logins already; this one has none)."""
    admin.goto("/mediators/add")
    admin.fill("name", name)
    admin.choose("employment", value="full_time")
    admin.choose("engagement", value="resident")
    admin.choose("organization", label=COMMITTEE)
    admin.fill("mobile", "13800138000")
    admin.fill("certificate_no", "粤汕调证2026099")
    admin.page.locator("select[name='specialties']").select_option(value=["traffic", "debt"], force=True)
    admin.choose("areas", label="香洲街道")
    admin.fill("register_entered_on", "2026-01-01")
    admin.fill("register_expires_on", "2029-12-31")
    admin.choose("status", value="active")
    admin.submit("#model_form button[type=submit], #model_form input[type=submit]")
    assert "/mediators/add" not in admin.path, f"the mediator was not added: {admin.problems_shown()}"


def mediator_pk(admin: Person, name: str) -> int:
    """The pool record's id, from the link the pool list shows beside the name."""
    admin.goto(f"/mediators/list/?_flt_0_name={name}")
    row = admin.page.locator("table tr", has_text=name).first
    href = row.locator("a[href*='/mediators/show/']").first.get_attribute("href")
    return int(re.search(r"/mediators/show/(\d+)", href).group(1))


def create_mediator_login(admin: Person, name: str, username: str) -> Login:
    """From the pool record's page: “login” → create, with the name as the pool has it; the
    one-time password is read off the page that shows it once."""
    pk = mediator_pk(admin, name)
    admin.goto(f"/mediators/show/{pk}")
    admin.click("#mediator-login")
    assert admin.path == f"/mediators/{pk}/login/", admin.path
    admin.page.locator("input[name='mode'][value='create']").check()
    # the name fields come filled in from the pool record
    assert admin.value("last_name") + admin.value("first_name") == name
    admin.fill("username", username)
    admin.submit("#save-login")
    assert admin.text("#login-username") == username
    password = admin.text("#one-time-password")
    assert len(password) >= 8, password
    # shown once: the page does not give it again
    admin.goto(f"/mediators/show/{pk}")
    assert password not in admin.page.content()
    return Login(username, password, name[0], name[1:])


def set_plugin(admin: Person, plugin: str, enabled: bool) -> None:
    """Press 停用/启用 in the plugin's row of the Plugins page; the row then says so."""
    admin.goto("/admin/plugins/")
    row = admin.page.locator("table tr", has=admin.page.locator(f"form[action$='/{plugin}/toggle']"))
    admin.click(f"form[action$='/{plugin}/toggle'] button[type=submit]")
    row = admin.page.locator("table tr", has=admin.page.locator(f"form[action$='/{plugin}/toggle']"))
    assert ("已启用" if enabled else "已停用") in row.inner_text(), row.inner_text()
