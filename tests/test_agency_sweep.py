"""Two agencies: every route of the app, called by agency A's partner user with the ids of
agency B's referral and case, answers without B's data. The route list comes from
``app.url_map``, so a route added later is swept too."""
from __future__ import annotations

import re

from tests.test_referrals import _TOKENS, PASSWORD, bearer, login, rapp, send_api, world  # noqa: F401 (fixtures)

# Text that only agency B's referral and case carry.
B_MARKERS = ("林晓明与黄丽娟交通事故赔偿纠纷", "通港路与香城路交叉口", "请协助核实事故责任认定", "11010519491231002X")
ALLOWED = {302, 400, 401, 403, 404, 405, 409, 422}


def _urls(app, ids):
    """Each rule with every argument set to one of B's ids (the case's, then the referral's)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if rule.endpoint == "AuthDBView.logout":  # ends A's session and tokens: no path to B's data
            continue
        for value in ids:
            args = {}
            for arg in rule.arguments:
                conv = rule._converters[arg].__class__.__name__
                args[arg] = value if conv == "IntegerConverter" else str(value)
            try:
                yield rule, rule.build(args, append_unknown=False)[1]
            except Exception:  # a rule that cannot take these values is not a path to B's data
                continue


def test_agency_a_reaches_none_of_agency_bs_data_on_any_route(rapp, world):
    referral = send_api(rapp, world, "b").get_json()["result"]["id"]
    browser = login(rapp, "ref_partner_a")
    token = bearer(rapp, "ref_partner_a")
    leaks = []
    swept = 0
    for rule, url in _urls(rapp, (world["case"], referral)):
        swept += 1
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            is_api = url.startswith("/api/")
            client = rapp.test_client() if is_api else browser
            r = client.open(url, method=method, headers=token if is_api else {},
                            json={} if method in ("POST", "PUT", "PATCH") and is_api else None)
            # binary answers (the icon, downloads) are searched as text too
            body = r.get_data().decode("utf-8", errors="replace")
            if any(marker in body for marker in B_MARKERS):
                leaks.append(f"{method} {url} ({rule.endpoint}) -> {r.status_code} shows B's data")
            elif r.status_code not in ALLOWED and not (r.status_code == 200 and not re.search(r"\d", url)):
                # 200 is fine only on pages that take no id (A's own lists, menus…)
                if rule.arguments:
                    leaks.append(f"{method} {url} ({rule.endpoint}) -> {r.status_code}")
    assert not leaks, "agency A reached agency B's objects:\n" + "\n".join(leaks)
    assert swept > 100  # the sweep really covered the app
    # the markers are real: agency B itself sees its referral through its partner page
    own = login(rapp, "ref_partner_b").get(f"/partner/referrals/{referral}").get_data(as_text=True)
    assert B_MARKERS[0] in own


def test_search_filters_choices_and_info_find_nothing_of_agency_b(rapp, world):
    """Even with a clerk's grants on top (the worst case), agency A's search and filter
    parameters, select choices and ``_info`` surface none of B's case."""
    from app.extensions import db

    send_api(rapp, world, "b")
    sm = rapp.appbuilder.sm
    with rapp.app_context():
        user = sm.find_user(username="ref_partner_a")
        user.roles.append(sm.find_role("Clerk"))
        db.session.commit()
    _TOKENS.pop((id(rapp), "ref_partner_a"), None)  # a change of roles ends A's earlier tokens
    try:
        browser = login(rapp, "ref_partner_a")
        token = bearer(rapp, "ref_partner_a")
        api = rapp.test_client()
        probes = [
            (browser, "/case/list/?_flt_0_title=林晓明"),
            (browser, "/case/list/?_flt_1_title=交通事故"),
            (browser, "/case/list/?_oc_CaseModelView=title&_od_CaseModelView=asc"),
            (browser, "/plugins/traffic/cases/list/?_flt_0_title=林晓明"),
            (browser, "/case/intake/traffic"),
            (api, "/api/v1/case/?q=(filters:!((col:title,opr:ct,value:林晓明)))"),
            (api, "/api/v1/case/?q=(filters:!((col:case_no,opr:sw,value:'（')))"),
            (api, "/api/v1/case/_info"),
        ]
        for client, url in probes:
            r = client.get(url, headers=token if client is api else {})
            body = r.get_data(as_text=True)
            assert not any(marker in body for marker in B_MARKERS), f"{url} shows B's data"
            assert r.status_code == 200, url  # really reached: the clerk's grants open these pages
            if client is api and url.startswith("/api/v1/case/?"):
                assert r.status_code == 200 and r.get_json()["count"] == 0, url
    finally:
        with rapp.app_context():
            user = sm.find_user(username="ref_partner_a")
            user.roles = [r for r in user.roles if r.name != "Clerk"]
            db.session.commit()
