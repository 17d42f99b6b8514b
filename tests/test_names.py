"""A person's name reads the same everywhere: 许晓东 (surname first, no space) for a Chinese
name, "Ann Lee" for a name in Latin letters."""
from __future__ import annotations

import re

import pytest

from tests.fixtures import csrf_token

PASSWORD = "Xu-Pa55-word-2026"


@pytest.mark.parametrize(
    "first, last, shown",
    [
        ("晓东", "许", "许晓东"),
        ("晓东", "欧阳", "欧阳晓东"),
        (" 晓东 ", "许 ", "许晓东"),
        ("Ann", "Lee", "Ann Lee"),
        ("Ann", "", "Ann"),
        ("买买提", "阿卜杜拉·", "阿卜杜拉·买买提"),
        ("Wei", "许", "许Wei"),  # either part Chinese: the Chinese order
    ],
)
def test_a_name_is_surname_first_without_a_space_when_it_is_chinese(first, last, shown):
    from app.names import full_name

    assert full_name(first, last) == shown


def test_nobody_reads_as_a_dash():
    from types import SimpleNamespace

    from app.names import person_name

    assert person_name(None) == "—"
    assert person_name(SimpleNamespace(first_name="", last_name="", username="clerk7")) == "clerk7"
    assert person_name("晓东", "许") == "许晓东"  # code that selected the two columns only


def test_the_user_model_writes_its_full_name_the_same_way():
    from app.models.user import StaffUser

    user = StaffUser(first_name="晓东", last_name="许", username="x")
    assert user.get_full_name() == "许晓东" and repr(user) == "许晓东"
    assert StaffUser(first_name="Ann", last_name="Lee").get_full_name() == "Ann Lee"


def test_the_staff_user_adds_no_table_or_column():
    from flask_appbuilder.security.sqla.models import User

    from app.models.user import StaffUser

    assert StaffUser.__table__ is User.__table__


@pytest.fixture
def xu(app):
    """A clerk called 许晓东, as an administrator types him in: 名 晓东, 姓 许."""
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username="xuxiaodong")
        if user is None:
            user = sm.add_user(username="xuxiaodong", first_name="晓东", last_name="许",
                               email="xu@jiefen.invalid", role=sm.find_role("Clerk"), password=PASSWORD)
        return user.id


def _login(client, username, password):
    token = csrf_token(client.get("/login/").get_data(as_text=True))
    r = client.post("/login/", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]


def test_the_signed_in_user_is_named_surname_first(app, xu):
    from flask import g

    client = app.test_client()
    _login(client, "xuxiaodong", PASSWORD)
    with client:
        client.get("/mywork/")
        assert g.user.get_full_name() == "许晓东"


def test_the_staff_list_and_its_user_choices_show_surname_first(app, admin_client, places, xu):
    from app.extensions import db
    from app.models import Membership

    with app.app_context():
        db.session.add(Membership(user_id=xu, organization_id=places["centre"], title="窗口受理员"))
        db.session.commit()
    html = admin_client.get("/admin/staff/list/").get_data(as_text=True)
    assert "许晓东" in html and "晓东 许" not in html
    form = admin_client.get("/admin/staff/add").get_data(as_text=True)
    assert re.search(r"<option[^>]*>许晓东</option>", form) and "晓东 许" not in form


def test_the_user_form_asks_for_the_surname_first(admin_client):
    html = admin_client.get("/users/add").get_data(as_text=True)
    assert html.index('name="last_name"') < html.index('name="first_name"')


def test_templates_have_person_name_as_a_global_and_a_filter(app):
    from types import SimpleNamespace

    with app.test_request_context():
        env = app.jinja_env
        user = SimpleNamespace(first_name="晓东", last_name="许")
        assert env.from_string("{{ person_name(u) }}|{{ u|person_name }}").render(u=user) == "许晓东|许晓东"


def test_the_duty_roster_and_the_responsible_staff_use_the_same_rule():
    """The roster wrote 晓东许 (given name first) while the staff page wrote 许晓东."""
    from types import SimpleNamespace

    from app.lifecycle.responsibility import staff_name
    from app.services.duty import person_name as duty_name

    user = SimpleNamespace(first_name="晓东", last_name="许", username="xu")
    assert duty_name("晓东", "许") == staff_name(user) == duty_name(user) == "许晓东"


def test_an_administrator_adds_a_user_through_the_form_and_the_list_names_her(app, admin_client):
    from app.extensions import db
    from app.models.user import StaffUser

    form = admin_client.get("/users/add").get_data(as_text=True)
    clerk_role = re.search(r'<option value="(\d+)">Clerk</option>', form).group(1)
    r = admin_client.post("/users/add", data={
        "csrf_token": csrf_token(form), "last_name": "欧阳", "first_name": "娜娜", "username": "ouyangnana",
        "active": "y", "email": "oyn@jiefen.invalid", "roles": clerk_role,
        "password": "Oyn-Pa55-word-2026", "conf_password": "Oyn-Pa55-word-2026",
    })
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    with app.app_context():
        user = db.session.query(StaffUser).filter_by(username="ouyangnana").one()
        assert (user.last_name, user.first_name, user.get_full_name()) == ("欧阳", "娜娜", "欧阳娜娜")
    client = app.test_client()
    _login(client, "ouyangnana", "Oyn-Pa55-word-2026")
    assert client.get("/mywork/").status_code == 200


def test_refusing_a_second_organisation_names_the_person_surname_first(app, admin_client, places, xu):
    from app.extensions import db
    from app.models import Membership

    with app.app_context():
        db.session.add(Membership(user_id=xu, organization_id=places["centre"], title="窗口受理员"))
        db.session.commit()
    form = admin_client.get("/admin/staff/add").get_data(as_text=True)
    r = admin_client.post("/admin/staff/add", data={
        "csrf_token": csrf_token(form), "user": str(xu), "organization": str(places["centre"]), "title": "调解员",
    }, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "许晓东" in html and "晓东 许" not in html and "香洲街道综治中心" in html
