"""The world a journey starts from, made as an administrator makes it: through the admin pages.

Areas, the street's governance centre and mediation committee, the clerk's login and Staff
membership, the mediator's pool record and the mediator's login (from the pool page, or through
the API) are all created by submitting the application's own forms. Ids are read back from the
list pages' links, as a person would find the row they just added.
"""
from __future__ import annotations

import re
import secrets

import lxml.html

STREET, DISTRICT = "香洲街道", "汕尾市城区"
CENTRE = "香洲街道综治中心"
COMMITTEE = "香洲街道人民调解委员会"
MEDIATOR_NAME = "陈海燕"
PASSWORD = "journey-Pa55-word"


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def row_id(admin, list_url: str, text: str) -> int:
    """The id of the list row showing ``text``, from its show/edit link."""
    page = admin.page(list_url)
    for row in lxml.html.fromstring(page).xpath("//table//tr[td]"):
        if text in _text(row):
            for href in row.xpath(".//a/@href"):
                found = re.search(r"/(?:show|edit)/(\d+)", href)
                if found:
                    return int(found.group(1))
    raise AssertionError(f"no row with {text!r} on {list_url}")


def option_value(page: str, field: str, label: str) -> str:
    """The value of the option labelled ``label`` in the select named ``field``."""
    doc = lxml.html.fromstring(page)
    for option in doc.xpath(f"//select[@name='{field}']/option"):
        if _text(option) == label:
            return option.get("value")
    raise AssertionError(f"no option {label!r} in {field}")


def add(admin, url: str, **fields) -> None:
    """Fill in and save a FAB add form (``model_form``)."""
    admin.submit(url, admin.page(url), "model_form", **fields)


def add_user(admin, username: str, role: str, surname: str, given: str) -> None:
    """FAB's user page: a login with one role, the password typed twice."""
    url = "/users/add"
    page = admin.page(url)
    admin.submit(url, page, "model_form", first_name=given, last_name=surname, username=username,
                 email=f"{username}@jiefen.invalid", active="y", roles=[option_value(page, "roles", role)],
                 password=PASSWORD, conf_password=PASSWORD)


def build(admin, suffix: str) -> dict:
    """Everything the journeys need, made by ``admin`` on the admin pages; ids and usernames."""
    add(admin, "/admin/areas/add", name=DISTRICT, level="district", code="441502")
    district = row_id(admin, "/admin/areas/list/", DISTRICT)
    add(admin, "/admin/areas/add", name=STREET, level="town", parent=str(district), code="441502001")
    street = row_id(admin, "/admin/areas/list/", STREET)
    add(admin, "/admin/organizations/add", name=CENTRE, kind="governance_centre", area=str(street), active="y")
    centre = row_id(admin, "/admin/organizations/list/", CENTRE)
    add(admin, "/admin/organizations/add", name=COMMITTEE, kind="mediation_committee", area=str(street),
        active="y")
    committee = row_id(admin, "/admin/organizations/list/", COMMITTEE)

    clerk = f"journey-clerk-{suffix}"
    add_user(admin, clerk, "Clerk", "周", "敏")
    clerk_id = row_id(admin, "/users/list/?_flt_0_username=" + clerk, clerk)
    add(admin, "/admin/staff/add", user=str(clerk_id), organization=str(centre), title="窗口登记员")

    add(admin, "/mediators/add", name=MEDIATOR_NAME, employment="full_time", engagement="resident",
        organization=str(committee), specialties=["traffic", "debt"], areas=[str(street)], status="active")
    mediator = row_id(admin, "/mediators/list/", MEDIATOR_NAME)
    return {"district": district, "street": street, "centre": centre, "committee": committee,
            "mediator": mediator, "clerk": clerk}


def give_mediator_login_web(admin, mediator_id: int, username: str) -> str:
    """From the mediator's page in the pool: create the login; the one-time password shown."""
    show = admin.page(f"/mediators/show/{mediator_id}")
    link = lxml.html.fromstring(show).xpath("//a[@id='mediator-login']/@href")
    assert link, "the mediator's page offers no way to give a login"
    url = link[0]
    page = admin.page(url)
    r = admin.client.post(url, data={**dict(lxml.html.fromstring(page).xpath("//form[@id='mediator-login-form']")[0]
                                            .form_values()), "mode": "create", "username": username})
    assert r.status_code == 200, r.status_code
    html = r.get_data(as_text=True)
    return re.search(r'id="one-time-password">([^<]+)<', html).group(1)


def give_mediator_login_api(client, admin_token: str, mediator_id: int, username: str) -> str:
    """The same through the API: the password comes back once, in the 201 answer."""
    r = client.post(f"/api/v1/mediator/{mediator_id}/login", json={"mode": "create", "username": username},
                    headers={"Authorization": f"Bearer {admin_token}"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["password"]


def new_suffix() -> str:
    """Users outlive a test: each journey names its own."""
    return secrets.token_hex(3)
