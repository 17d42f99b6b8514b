"""Every page an administrator can open reads in Chinese: no English left over from
Flask-AppBuilder, no raw value (True, None, __None, [], a setting's key), nothing loaded
from another host."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests import helpers
from tests.untranslated import untranslated_in

# Addresses a walk must not follow: they change data, sign out or switch the language.
SKIP = re.compile(r"/logout|/lang/|/delete|/action|/download|/export|/toggle|\.(?:docx|xlsx|csv|pdf)$|^/static/|^/api/")
CRUD = re.compile(r"/(list|show|edit|add)\b")
LIMIT = 400  # pages; the walk is bounded whatever the data


@pytest.fixture
def some_of_everything(app, places, clerk_token):
    """Areas, a centre, the partners and settings setup seeds, and a registered case."""
    from app.seed import seed_partners
    from app.services.settings import seed_settings

    with app.app_context():
        seed_settings()
        seed_partners()
    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                               headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 201, r.get_data(as_text=True)


def _links(html: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"#]*)"', html)}


def _walk(client) -> dict[str, str]:
    """The menu's pages, and from each list its first show, edit and add pages."""
    start = client.get("/", follow_redirects=True).get_data(as_text=True)  # / leads to My work
    queue = sorted(u for u in _links(start) if not SKIP.search(u))
    pages: dict[str, str] = {}
    seen_kinds: set = set()
    while queue and len(pages) < LIMIT:
        url = queue.pop(0)
        if url in pages:
            continue
        r = client.get(url)
        assert r.status_code < 500, f"{url} answered {r.status_code}"
        if r.status_code != 200 or r.mimetype != "text/html":
            continue
        html = r.get_data(as_text=True)
        pages[url] = html
        for link in sorted(_links(html)):
            path = urlsplit(link).path
            m = CRUD.search(path)
            if SKIP.search(link) or not m or "?" in link or link in pages:
                continue
            kind = (path[: m.start()], m.group(1))  # one show/edit page per list is enough
            if kind not in seen_kinds:
                seen_kinds.add(kind)
                queue.append(link)
    return pages


def test_every_admin_page_reads_in_chinese(admin_client, some_of_everything):
    pages = _walk(admin_client)
    assert len(pages) > 30, sorted(pages)
    assert any("/show/" in u for u in pages) and any("/edit/" in u for u in pages) and any("/add" in u for u in pages)
    problems = {url: sorted(set(found)) for url, html in pages.items() if (found := untranslated_in(html))}
    assert not problems, "\n".join(f"{url}: {found[:6]}" for url, found in sorted(problems.items()))


def test_the_user_statistics_chart_is_gone(admin_client):
    """FAB's chart loads Google's library from gstatic.com and stays blank offline."""
    assert admin_client.get("/userstatschartview/chart/").status_code == 404
    assert "userstatschartview" not in admin_client.get("/", follow_redirects=True).get_data(as_text=True)


def test_no_page_loads_anything_from_another_host(admin_client, some_of_everything):
    for url, html in _walk(admin_client).items():
        outside = [f for f in untranslated_in(html) if f.startswith("outside host")]
        assert not outside, f"{url}: {outside}"


@pytest.mark.parametrize(
    "html, finding",
    [
        ("<td>True</td>", "raw value"),
        ("<td> None </td>", "raw value"),
        ('<option value="__None">__None</option>', "raw value"),
        ("<td>Groups []</td>", "raw empty list"),
        ("<h4>List Groups</h4>", "English 'List'"),
        ('<button data-dismiss="modal">Cancel</button>', "English 'Cancel'"),
        ("<td>441 Bytes</td>", "English 'Bytes'"),
        ("<p>分期生效参数core.small_claims_wage</p>", "setting key"),
        ('<script src="https://www.gstatic.com/charts/loader.js"></script>', "outside host"),
    ],
)
def test_the_checker_catches_what_the_walk_found(html, finding):
    assert any(f.startswith(finding) for f in untranslated_in(html)), untranslated_in(html)


def test_the_checker_lets_chinese_pages_and_hidden_values_pass():
    html = ('<option value="__None">—</option><script>var x = {"a": []}; if (None) {}</script>'
            '<td>是</td><td>—</td><td>许晓东</td><a href="/case/list/">案件</a>')
    assert untranslated_in(html) == []


def test_advice_to_case_workers_names_a_setting_not_its_key(app):
    """The small-claims warning asks for the wage figure by its name, not core.small_claims_wage."""
    from decimal import Decimal
    from types import SimpleNamespace

    from app.lifecycle.core_rules import diversion_advice
    from app.services.settings import seed_settings

    with app.app_context():
        seed_settings()  # the wage is seeded as 0: not yet entered
    with app.test_request_context("/?_l_=zh_CN"):
        advice = diversion_advice(case=SimpleNamespace(claim_amount=Decimal("5000"), dispute_type="traffic"))
        text = " ".join(str(a.message) for a in advice)
    assert "年平均工资" in text and "core." not in text and untranslated_in(f"<p>{text}</p>") == []


def test_the_settings_page_lists_names_and_tells_same_named_settings_apart(admin_client):
    html = admin_client.get("/admin/settings/add").get_data(as_text=True)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert options and not any("core." in o or "traffic." in o for o in options)
    assert len(options) == len(set(options)), "two settings read the same"


def test_file_sizes_read_in_kb_and_mb(app):
    with app.test_request_context():
        render = app.jinja_env.from_string("{{ 441|filesizeformat }}|{{ 2500000|filesizeformat }}|{{ 0|filesizeformat }}").render
        assert render() == "0.4 KB|2.4 MB|0 KB"


def test_the_record_buttons_of_a_list_read_in_chinese(admin_client, places):
    """FAB's view and edit buttons carry hidden captions for screen readers: 查看, 编辑."""
    html = admin_client.get("/admin/areas/list/").get_data(as_text=True)
    captions = re.findall(r'<span class="sr-only">([^<]*)</span>', html)
    assert "查看" in captions and "编辑" in captions and "筛选" not in captions


def test_setup_forgets_the_chart_permissions_an_older_database_holds(app, admin_client):
    from app.seed import sync_permissions

    with app.app_context():
        sm = app.appbuilder.sm
        admin = sm.find_role(sm.auth_role_admin)
        for permission, view in (("can_chart", "UserStatsChartView"), ("menu_access", "User's Statistics")):
            sm.add_permission_role(admin, sm.add_permission_view_menu(permission, view))
        sync_permissions()  # what `jiefen setup` runs at every deploy
        assert sm.find_view_menu("UserStatsChartView") is None and sm.find_view_menu("User's Statistics") is None
    html = admin_client.get("/roles/list/").get_data(as_text=True)
    assert "Statistics" not in html and "UserStats" not in html


def test_a_role_holding_an_uninstalled_plugins_menu_entry_reads_in_chinese(app, admin_client):
    """A plugin's case-list permission outlives the plugin (another test app loads the example
    plugin): the role page names the plugin, not its internal menu key."""
    with app.app_context():
        sm = app.appbuilder.sm
        pv = sm.add_permission_view_menu("menu_access", "gone_plugin.cases")
        sm.add_permission_role(sm.find_role("Clerk"), pv)
    try:
        html = admin_client.get("/roles/list/").get_data(as_text=True)
        assert "gone_plugin.cases" not in html and "未安装插件 gone_plugin 的菜单项" in html
        assert not untranslated_in(html)
    finally:
        with app.app_context():
            sm = app.appbuilder.sm
            sm.del_permission_role(sm.find_role("Clerk"), sm.find_permission_view_menu("menu_access", "gone_plugin.cases"))
            sm.del_permission_view_menu("menu_access", "gone_plugin.cases", cascade=True)


def test_values_on_fab_pages_read_as_people_write_them(app):
    import datetime as dt

    from app.views.readable import display_value

    with app.test_request_context("/?_l_=zh_CN"):
        assert [display_value(v) for v in (None, "", [], True, False)] == ["—", "—", "—", "是", "否"]
        assert display_value(["香洲街道", "凤山街道"]) == "香洲街道、凤山街道"
        assert display_value(dt.datetime(2026, 12, 5, 23, 30)) == "2026-12-06 07:30"  # stored UTC
        assert display_value(dt.date(2026, 12, 6)) == "2026-12-06" and display_value("案件") == "案件"


def test_the_checker_knows_the_apps_own_host_from_another():
    assert untranslated_in('<a href="http://127.0.0.1:5000/case/list/">案件</a>') == []
    assert untranslated_in('<a href="https://jiefen.example/case/">案件</a>', host="jiefen.example") == []
    assert untranslated_in('<img src="//cdn.example.org/x.png" alt="图">')


def test_switching_a_plugin_names_its_dispute_type_not_its_package(admin_client):
    page = admin_client.get("/admin/plugins/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = admin_client.post("/admin/plugins/traffic/toggle", data={"csrf_token": token, "enabled": "0"},
                          follow_redirects=True)
    message = re.search(r'class="alert[^"]*"[^>]*>(.*?)</div>', r.get_data(as_text=True), re.S).group(1)
    assert "交通事故" in message and "traffic" not in message
    admin_client.post("/admin/plugins/traffic/toggle", data={"csrf_token": token, "enabled": "1"})
