"""Plugins add warning rules through the ``warning_rules`` hook: a declaration of what to count,
which the core runs as its own SQL for enabled plugins only, and which start-up refuses when a
type, field, party role, setting, level or placeholder is misspelt."""
from __future__ import annotations

import dataclasses

import pytest

from app.plugins import SettingDefault, WarningRule, _, hookimpl
from app.plugins.manager import PluginError
from tests import helpers

SETTINGS = (
    SettingDefault("watch.cases", 2, "Debt cases against one respondent", source="test", unit="cases"),
    SettingDefault("watch.days", 30, "Days counted", source="test", unit="days"),
    SettingDefault("watch.label", "some text", "Not a number", source="test"),
)
RULE = WarningRule(
    code="watch.same_respondent", label=_("Debts against one respondent"), dispute_type="debt",
    group_by=("party.respondent",), threshold_key="watch.cases", window_days_key="watch.days",
    message=_("%(count)s debt cases against %(subject)s in %(days)s days"), level="notice",
)


class WatchPlugin:
    """A cross-cutting plugin owning no type: it watches the debt type's cases."""

    def __init__(self, *rules):
        self.rules = list(rules) or [RULE]

    @hookimpl
    def register_settings(self):
        return list(SETTINGS)

    @hookimpl
    def warning_rules(self):
        return self.rules


PLUGIN = WatchPlugin()


@pytest.fixture
def watch_app(app, jiefen_app_factory):
    """An app with the watching plugin registered (same database as the session's app, whose
    fixture wipes the cases and alerts afterwards)."""
    return jiefen_app_factory(plugins=[("watch", PLUGIN)])


def register_debt(app, places) -> int:
    from tests.test_deadlines import register

    return register(app, places, "debt")  # the respondent: 黄丽娟, by her ID number


def test_a_plugins_declared_rule_runs_as_the_cores_sql_and_raises_its_alert(watch_app, places):
    from app.extensions import db
    from app.models import Alert
    from app.warnings.scan import scan

    register_debt(watch_app, places)
    with watch_app.app_context():
        assert scan(only=["watch.same_respondent"]).counts["watch.same_respondent"]["raised"] == 0
    second = register_debt(watch_app, places)
    with watch_app.app_context():
        assert scan(only=["watch.same_respondent"]).counts["watch.same_respondent"]["raised"] == 1
        alert = db.session.query(Alert).filter_by(rule="watch.same_respondent").one()
        assert (alert.plugin, alert.level, alert.case_count, alert.case_ids[0]) == ("watch", "notice", 2, second)
        assert alert.details == {"subject": "黄丽娟", "count": 2, "days": 30, "threshold": 2}
        assert alert.evidence_key.startswith("party:") and "441502199007080028" not in alert.evidence_key
    token = helpers.api_token(watch_app.test_client(), "admin")
    r = watch_app.test_client().get(f"/api/v1/alerts/{alert.id}?_l_=en", headers={"Authorization": f"Bearer {token}"})
    result = r.get_json()["result"]
    assert result["title"] == "2 debt cases against 黄丽娟 in 30 days"
    assert result["rule_label"] == "Debts against one respondent"


def test_a_disabled_plugins_rule_does_not_run(watch_app, places):
    from app.extensions import db, jiefen
    from app.warnings.scan import rules_to_run, scan

    register_debt(watch_app, places)
    register_debt(watch_app, places)
    with watch_app.app_context():
        jiefen().dispatcher.set_enabled("watch", False)
        db.session.commit()
        assert "watch.same_respondent" not in [code for code, _p, _f in rules_to_run()]
        assert "watch.same_respondent" not in scan().counts
        jiefen().dispatcher.set_enabled("watch", True)
        db.session.commit()
        assert scan().counts["watch.same_respondent"]["raised"] == 1


def refused(database, tmp_path, *rules) -> str:
    from tests.fixtures import make_app

    with pytest.raises(PluginError) as stopped:
        make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("watch", WatchPlugin(*rules))])
    return str(stopped.value)


@pytest.mark.parametrize("change, said", [
    ({"group_by": ("party.respondant",)}, "group_by 'party.respondant' names no party role"),
    ({"group_by": ("intake.guarantr",)}, "group_by 'intake.guarantr' is not a text or choice field of 'debt'"),
    ({"group_by": ("intake.principal",)}, "group_by 'intake.principal' is not a text or choice field"),
    ({"group_by": ()}, "group_by is empty"),
    ({"dispute_type": "debts"}, "dispute_type 'debts' is not a declared type"),
    ({"threshold_key": "watch.case"}, "threshold_key 'watch.case' is not a declared setting"),
    ({"window_days_key": "watch.label"}, "window_days_key 'watch.label' has the default 'some text'"),
    ({"level": "urgent"}, "level 'urgent' is unknown; allowed: notice, warning, serious"),
    ({"message": "%(cnt)s cases"}, "message cannot be written with the figures (KeyError: 'cnt')"),
    ({"code": "same_respondent"}, "code must be lower case and start with the plugin's prefix; allowed: watch.<name>"),
    ({"when": ("guarantor",)}, "when 'guarantor' is not a yes/no field of 'debt'"),
    ({"shown_as": "intake.guarantor"}, "shown_as 'intake.guarantor' is not an intake field"),
])
def test_a_misspelt_rule_stops_start_up_naming_the_plugin_the_rule_and_what_is_allowed(database, tmp_path, change, said):
    message = refused(database, tmp_path, dataclasses.replace(RULE, **change))
    assert "plugin 'watch', warning rule" in message and said in message, message


def test_two_rules_of_one_code_and_a_wrong_object_stop_start_up(database, tmp_path):
    message = refused(database, tmp_path, RULE, RULE, "not a rule")
    assert "code is also declared by plugin 'watch'" in message
    assert "hook 'warning_rules': returned 'not a rule', not a WarningRule" in message


def test_the_built_in_rules_pass_the_start_up_checks(app):
    registry = app.extensions["jiefen"].registry
    assert [(p, r.code) for p, r in registry.warning_rules] == [("labour", "labour.employer_wages")]
