"""The plugin testing kit: one object that drives a running Jiefen the way the core drives it.

A plugin's tests get a :class:`PluginKit` from the ``jiefen`` fixture. It signs people in per
role, registers cases through the intake API (the same validation and registration path as
the intake form), reads what the plugins declared from the registry the core built at
start-up, and calls behaviour (advice, deadlines, vetoes) through the core's dispatcher — so
the tests hold whether a plugin writes hooks or declarations.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from flask_babel import force_locale

from app.plugins.testing.linkage import LinkageSteps

_PASSWORD = "Kit-{role}-Pa55-word-7qz"
_TOKENS: dict = {}

APPLICANT_ID = "11010519491231002X"  # the GB 11643 standard's own example number
RESPONDENT_ID = "441502199007080028"
PARTIES = (
    {"kind": "person", "role": "applicant", "name": "林晓明", "id_number": APPLICANT_ID,
     "mobile": "13802661234", "address": "汕尾市城区香洲街道通港路18号"},
    {"kind": "person", "role": "respondent", "name": "黄丽娟", "id_number": RESPONDENT_ID,
     "mobile": "13926605678", "address": "汕尾市城区凤山街道红海大道56号"},
)


def case_view(case: Any):
    """What a plugin's hooks receive for ``case``: the one place that decides it."""
    from app.plugins.case_view import CaseView

    return CaseView.of(case)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


@dataclass
class KitCase:
    """A case registered through the intake: its id, the read-only view plugins receive, and
    the API's answer."""

    id: int
    view: Any
    answer: dict = field(default_factory=dict)


class PluginKit(LinkageSteps):
    """A running Jiefen app, driven as the core and its users drive it (linkage steps:
    :class:`~app.plugins.testing.linkage.LinkageSteps`)."""

    def __init__(self, app):
        self.app = app
        self._places: Optional[dict] = None

    # -- people -------------------------------------------------------------------------
    @property
    def roles(self) -> list[str]:
        """Every role a user can have: the administrator's and those of ``app/roles.py``."""
        from app.roles import ROLE_MATRIX

        with self.app.app_context():
            admin = self.app.appbuilder.sm.auth_role_admin
        return [admin, *ROLE_MATRIX]

    def username(self, role: str) -> str:
        """The login of the kit's user with ``role``, created through FAB's user service."""
        if role not in self.roles:
            raise ValueError(f"unknown role {role!r}; roles: {', '.join(self.roles)}")
        name = f"kit_{role.lower()}"
        with self.app.app_context():
            sm = self.app.appbuilder.sm
            if not sm.find_user(username=name):
                user = sm.add_user(username=name, first_name=role, last_name="Kit",
                                   email=f"{name}@jiefen.invalid", role=sm.find_role(role),
                                   password=_PASSWORD.format(role=role))
                assert user, f"could not create a user with role {role}"
        return name

    def client(self):
        """An anonymous browser."""
        return self.app.test_client()

    def client_as(self, role: str, lang: Optional[str] = None):
        """A browser signed in through the login form as a user with ``role`` (``"Clerk"``,
        ``"Judge"``, ``"Mediator"``, ``"Partner"``, ``"Auditor"``, ``"Admin"``); ``lang``
        (``"en"``, ``"zh_CN"``) picks the interface language."""
        name = self.username(role)
        c = self.app.test_client()
        page = c.get("/login/").get_data(as_text=True)
        r = c.post("/login/", data={"username": name, "password": _PASSWORD.format(role=role),
                                    "csrf_token": csrf_token(page)})
        assert r.status_code == 302 and "/login" not in r.headers["Location"], f"{role} could not sign in"
        if lang:
            c.get(f"/lang/{lang}")
        return c

    def api_token(self, role: str) -> str:
        """A JWT from ``/api/v1/security/login`` for the user with ``role`` (one login per
        app and role: password hashing is deliberately slow)."""
        name = self.username(role)
        key = (id(self.app), name)
        if key not in _TOKENS:
            r = self.app.test_client().post("/api/v1/security/login", json={
                "username": name, "password": _PASSWORD.format(role=role), "provider": "db"})
            assert r.status_code == 200, r.get_data(as_text=True)
            _TOKENS[key] = r.get_json()["access_token"]
        return _TOKENS[key]

    def api(self, role: str, method: str, path: str, json=None, lang: str = "en"):
        """Call the API as the user with ``role``; the response."""
        sep = "&" if "?" in path else "?"
        return self.app.test_client().open(f"{path}{sep}_l_={lang}", method=method, json=json,
                                           headers={"Authorization": f"Bearer {self.api_token(role)}"})

    # -- places and cases ---------------------------------------------------------------
    def places(self) -> dict:
        """A district, a street and its governance centre (ids), as every intake needs."""
        if self._places is None:
            from app.extensions import db
            from app.models import Area, Organization

            with self.app.app_context():
                district = Area(name="汕尾市城区", level="district", code="441502")
                street = Area(name="香洲街道", level="town", parent=district)
                centre = Organization(name="香洲街道综治中心", kind="governance_centre", area=street)
                db.session.add_all([district, street, centre])
                db.session.commit()
                self._places = {"district": district.id, "street": street.id, "centre": centre.id}
        return self._places

    def sample(self, dispute_type: str) -> dict:
        """A deep copy of the sample intake the type's plugin vouches for."""
        samples = self.registry.samples
        assert dispute_type in samples, f"{dispute_type} has no sample intake"
        return copy.deepcopy(dict(samples[dispute_type]))

    def intake_payload(self, dispute_type: str, payload: Optional[dict] = None, **intake_changes) -> dict:
        """A complete intake as an API client sends it: the type's sample with
        ``intake_changes`` (``None`` leaves a field out), two parties, this kit's places;
        ``payload`` replaces top-level keys (``title``, ``claim_amount``, ``track``…)."""
        intake = {k: v for k, v in dict(self.sample(dispute_type), **intake_changes).items() if v is not None}
        places = self.places()
        out = {
            "dispute_type": dispute_type,
            "title": "林晓明与黄丽娟纠纷",
            "description": "双方因纠纷协商不成，申请人请求调解。",
            "claim_amount": "19300.50",
            "area_id": places["street"],
            "organization_id": places["centre"],
            "channel": "window",
            # the kit registers the same two people many times; duplicates have their own tests
            "confirm_duplicates": True,
            "parties": copy.deepcopy(list(PARTIES)),
            "intake": intake,
        }
        out.update(payload or {})
        return out

    def make_case(self, dispute_type: str, *, payload: Optional[dict] = None, role: str = "Clerk",
                  **intake_changes) -> KitCase:
        """Register a case of ``dispute_type`` through the intake API as a user with ``role``
        (validated and stored exactly as from the intake form); fails on a refusal."""
        body = self.intake_payload(dispute_type, payload, **intake_changes)
        r = self.api(role, "POST", "/api/v1/case/", json=body)
        assert r.status_code == 201, f"the intake refused the case: {r.get_json()}"
        answer = r.get_json()
        return KitCase(id=answer["id"], view=self.case(answer["id"]), answer=answer)

    def case(self, case_id: int):
        """The read-only view of stored case ``case_id``, as plugins receive it now."""
        from app.extensions import db
        from app.models import Case

        with self.app.app_context():
            stored = db.session.get(Case, case_id)
            assert stored is not None, f"no case {case_id}"
            return case_view(stored)

    def case_like(self, dispute_type: str, intake: Optional[dict] = None, **attrs):
        """An unsaved case as plugins would receive it (for behaviour on intake the form would
        refuse or that no form gives): ``attrs`` are ``status``, ``track``, ``procedure``,
        ``claim_amount``, ``created_at``…"""
        from app.models import Case

        attrs.setdefault("status", "registered")
        attrs.setdefault("track", "pre_filing")
        return case_view(Case(dispute_type=dispute_type, intake_data=dict(intake or {}), **attrs))

    # -- behaviour, through the core's dispatcher ---------------------------------------
    @property
    def dispatcher(self):
        """The core's dispatcher: what decides which plugin hears a hook."""
        return self.app.extensions["jiefen"].dispatcher

    @contextmanager
    def request(self, lang: Optional[str] = None) -> Iterator[None]:
        """A request of the app, in ``lang`` if given (else the court's default, Chinese)."""
        with self.app.test_request_context():
            if lang:
                with force_locale(lang):
                    yield
            else:
                yield

    @contextmanager
    def on_day(self, day: dt.date, hour: int = 10) -> Iterator[None]:
        """Run the block with the court's clock stopped at ``hour``:00 on ``day``, China time:
        ``app.plugins.today()`` and everything the core counts read that day. Needed by any test
        of a window: a last day on a holiday or a weekend moves to the next working day, so a
        test that counts back from the real today passes on some weekdays only."""
        from app.services import clock

        moment = dt.datetime.combine(day, dt.time(hour), clock.court_zone()).astimezone(dt.timezone.utc)
        real = clock.utc_now
        clock.utc_now = lambda: moment
        try:
            yield
        finally:
            clock.utc_now = real

    def text(self, message: Any, lang: str = "en") -> str:
        """A (lazily translated) message as a reader of ``lang`` sees it."""
        with self.request(lang):
            return str(message)

    def _own(self, items: list, plugin: Optional[str]) -> list:
        if plugin is None:
            return items
        spaces = {plugin, *self.registry.plugins[plugin].dispute_types}
        return [i for i in items if i.code.split(".", 1)[0] in spaces]

    def advice(self, case, plugin: Optional[str] = None) -> list:
        """The screening advice the core gives for ``case`` (a view, a :class:`KitCase` or an
        ORM case), in the dispatcher's order (the case page then shows the most serious
        first); ``plugin`` keeps only the advice in that plugin's namespace (codes
        ``<its type or name>.…``)."""
        view = case.view if isinstance(case, KitCase) else case_view(case)
        with self.request():
            return self._own(list(self.dispatcher.case_advice(view)), plugin)

    def advice_codes(self, case, plugin: Optional[str] = None) -> list[str]:
        """The codes of :meth:`advice`, in order."""
        return [a.code for a in self.advice(case, plugin)]

    def deadlines(self, case, plugin: Optional[str] = None) -> list:
        """The deadline rules of ``case`` as the engine receives them from the dispatcher
        (before it drops the core rules a plugin rule ``replaces``); ``plugin`` keeps only the
        rules in that plugin's namespace."""
        view = case.view if isinstance(case, KitCase) else case_view(case)
        with self.request():
            return self._own(list(self.dispatcher.case_deadline_rules(view)), plugin)

    def vetoes(self, case, to_state: str, from_state: Optional[str] = None, actor=None,
               lang: str = "en") -> list[str]:
        """The reasons the plugins give to refuse moving ``case`` to ``to_state`` (empty: no
        veto), asked as the lifecycle asks before a change, rendered in ``lang``."""
        view = case.view if isinstance(case, KitCase) else case_view(case)
        with self.request(lang):
            reasons = self.dispatcher.call_for_case("validate_transition", view, from_state=from_state or view.status,
                                                    to_state=to_state, actor=actor)
            return [str(r) for r in reasons if r]

    def intake_errors(self, dispute_type: str, intake: dict, lang: str = "en") -> dict:
        """The intake form's verdict on ``intake`` alone, ``{field: [messages]}`` (nested
        record errors as the form gives them); ``None`` values are left out."""
        from app.intake.payload import flatten
        from app.services.intake import intake_form

        data = {k: v for k, v in intake.items() if v is not None}
        with self.request(lang):
            form = intake_form(dispute_type, flatten({"intake": data}), api=True, scope=_ANYWHERE)
            form.validate()
            return {k: [str(m) if not isinstance(m, (dict, list)) else m for m in v]
                    for k, v in form.intake.errors.items()}

    # -- declarations, from the registry the core built ---------------------------------
    @property
    def registry(self):
        """Everything the loaded plugins declared at start-up."""
        return self.app.extensions["jiefen"].registry

    def plugin(self, name: str):
        """What the core knows about plugin ``name`` (version, core range, types)."""
        assert name in self.registry.plugins, f"plugin {name} is not loaded"
        return self.registry.plugins[name]

    def owner_of(self, dispute_type: str) -> Optional[str]:
        """The plugin owning ``dispute_type``."""
        return self.registry.type_owner.get(dispute_type)

    def dispute_type(self, code: str):
        """The declared :class:`~app.plugins.DisputeType`."""
        return self.registry.dispute_types[code]

    def fields(self, dispute_type: str) -> dict:
        """The type's intake fields by name, in form order."""
        return {f.name: f for f in self.registry.field_specs(dispute_type)}

    def settings_of(self, plugin: str) -> dict:
        """The dated settings ``plugin`` declared, by key."""
        return {k: s for k, (owner, s) in self.registry.settings.items() if owner == plugin}

    def templates(self, dispute_type: str) -> tuple:
        """The agreement templates offered for the type."""
        return tuple(self.registry.templates.get(dispute_type, ()))

    def partners(self, dispute_type: str) -> list:
        """The default partner agencies of the type."""
        with self.app.app_context():
            return list(self.dispatcher.partners_of(dispute_type))

    def views_of(self, plugin: str) -> list:
        """The views ``plugin`` asked the core to build."""
        return [spec for owner, spec in self.registry.views if owner == plugin]

    def translation_dirs_of(self, plugin: str) -> list[str]:
        """The catalogue folders ``plugin`` ships (those inside its package)."""
        import os

        from app.plugins.checks import package_dir

        home = package_dir(self.dispatcher.pm.get_plugin(plugin))
        return [d for d in self.registry.translation_dirs
                if home and os.path.commonpath([home, os.path.realpath(d)]) == home]

    # -- administration, through the pages --------------------------------------------
    def add_setting(self, key: str, value: Any, valid_from: dt.date, source: str = "test") -> None:
        """Add a dated-setting row through the administrator's page, as a figure changes."""
        admin = self.client_as(self.roles[0])
        page = admin.get("/admin/settings/add").get_data(as_text=True)
        r = admin.post("/admin/settings/add", data={
            "csrf_token": csrf_token(page), "key": key, "value": str(value),
            "valid_from": valid_from.isoformat(), "source": source, "note": ""})
        assert r.status_code == 302, f"the settings page refused {key}: {r.get_data(as_text=True)[:1500]}"

    def set_enabled(self, plugin: str, enabled: bool) -> None:
        """Switch ``plugin`` on or off on the administrator's plugins page."""
        admin = self.client_as(self.roles[0])
        page = admin.get("/admin/plugins/").get_data(as_text=True)
        r = admin.post(f"/admin/plugins/{plugin}/toggle",
                       data={"enabled": "1" if enabled else "0", "csrf_token": csrf_token(page)})
        assert r.status_code in (200, 302), r.get_data(as_text=True)[:1500]

    # -- the contract ------------------------------------------------------------------
    def check_contract(self, plugin: str, only=None) -> None:
        """Run the contract checks every plugin must pass on ``plugin`` (all, or the names in
        ``only``); an ``AssertionError`` names the first failure."""
        from app.plugins.testing.contract import run_contract

        run_contract(self, plugin, only=only)


class _Anywhere:
    """The write scope of a form checked for its intake alone: every area and centre."""

    def allows_area(self, _area_id) -> bool:
        return True

    def allows_organization(self, _org_id) -> bool:
        return True


_ANYWHERE = _Anywhere()
