"""One pre-filing mediation period (issue 12, deadline item 2): one rule, one start, one setting.

domain-rules.md, rule 8: "Pre-filing mediation outside the court (综治中心, people's mediation,
委派) | **30 days**, extendable by agreement | local court rules; 特邀调解规定 (法释〔2016〕14号)";
"Counting periods": "Each period has **one** start event, named by the rule (acceptance, …),
never 'when the record happened to be created'". The property, debt and consumer rows say only
"30 days (rule 8)": nothing in law sets them apart, so they count the core's rule from the
acceptance of mediation. The medical row does differ — "people's mediation finishes within
**30 working days** of acceptance … appraisal time excluded (医疗纠纷预防和处理条例 art. 38)" —
so medical keeps its own rule, with that reason declared. 2026 dates from the State Council's
notice (National Day off 1–7 October).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tests.deadline_steps_world import act, freeze
from tests.test_deadlines import dapp, deadlines, register, world  # noqa: F401 (fixtures)
from tests.test_plugin_declarations import GOOD_RULE, LandPlugin, refused_start_up

D = dt.date
PRE_FILING = "core.pre_filing_mediation"


def test_every_type_without_a_legal_difference_counts_the_core_period_from_acceptance(dapp, world, monkeypatch):
    """Registered 20 September, screened 25th, parties accepted mediation 28 September: for
    debt, consumer, property and family alike the period starts on the 28th (not at
    registration, not when the first session starts) and ends 28 October, read from the one
    setting ``core.prefiling_mediation_days``."""
    for code in ("debt", "consumer", "property", "family"):
        freeze(monkeypatch, D(2026, 9, 20))
        case = register(dapp, world, code)
        act(dapp, monkeypatch, case, ("start_screening", D(2026, 9, 25)), ("accept_mediation", D(2026, 9, 28)))
        found = deadlines(dapp, case, on=D(2026, 10, 1))
        assert not [c for c in found if c.startswith(code + ".") and "mediation" in c], code
        d = found[PRE_FILING]
        assert (d.starts_on, d.due, d.length, d.setting_key) == (
            D(2026, 9, 28), D(2026, 10, 28), 30, "core.prefiling_mediation_days"), code


def test_the_period_waits_until_the_parties_accept_mediation(dapp, world, monkeypatch):
    case = register(dapp, world, "property")
    act(dapp, monkeypatch, case, ("start_screening", D(2026, 9, 25)))
    assert deadlines(dapp, case, on=D(2026, 9, 30))[PRE_FILING].status == "waiting"


def test_the_duplicate_settings_are_gone_and_medical_keeps_its_own_with_the_reason(dapp, world, monkeypatch):
    """Medical's own period replaces the core's with the reason in law; its start is the same
    acceptance of mediation."""
    registry = dapp.extensions["jiefen"].registry
    for key in ("debt.pre_filing_mediation_days", "consumer.pre_filing_mediation_days",
                "property.prefiling_mediation_days"):
        assert key not in registry.settings
    case = register(dapp, world, "medical")
    act(dapp, monkeypatch, case, ("start_screening", D(2026, 9, 25)), ("accept_mediation", D(2026, 9, 25)))
    found = deadlines(dapp, case, on=D(2026, 10, 1))
    assert PRE_FILING not in found
    assert found["medical.mediation_period"].starts_on == D(2026, 9, 25)
    with dapp.test_request_context():
        from app.extensions import db
        from app.extensions import jiefen
        from app.models import Case

        rules = jiefen().dispatcher.case_deadline_rules(db.session.get(Case, case))
        medical = next(r for r in rules if r.code == "medical.mediation_period")
    assert medical.replaces == PRE_FILING and "第38条" in medical.reason and "工作日" in medical.reason


def test_a_replacement_without_a_reason_stops_start_up(database, tmp_path):
    rule = replace(GOOD_RULE, replaces=PRE_FILING)
    message = refused_start_up(database, tmp_path, LandPlugin(rule=rule))
    assert "plugin 'zz-land', deadline 'land.period': reason is empty" in message
    assert PRE_FILING in message


def test_a_replacement_with_its_reason_starts(database, tmp_path):
    from tests.fixtures import make_app

    rule = replace(GOOD_RULE, replaces=PRE_FILING, reason="林地确权调解期限另有规定（测试）")
    app = make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-land", LandPlugin(rule=rule))])
    assert app.extensions["jiefen"].registry.type_owner["land"] == "zz-land"


def test_the_migration_removes_the_rows_of_the_removed_settings():
    """A database of the older code has rows of the three copies; migration 0015 removes them
    and keeps every other row (run on a database of its own: the shared one stays at head)."""
    import importlib.util
    import os

    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    import app

    path = os.path.join(os.path.dirname(app.__file__), "migrations", "versions", "0015_deadline_events.py")
    spec = importlib.util.spec_from_file_location("migration_0015", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE setting (key VARCHAR(100), value VARCHAR(200))"))
        for key in ("debt.pre_filing_mediation_days", "consumer.pre_filing_mediation_days",
                    "property.prefiling_mediation_days", "core.prefiling_mediation_days", "debt.lpr_1y"):
            conn.execute(sa.text("INSERT INTO setting VALUES (:k, '30')"), {"k": key})
        with Operations.context(MigrationContext.configure(conn)):
            migration.upgrade()
        keys = set(conn.scalars(sa.text("SELECT key FROM setting")))
    assert keys == {"core.prefiling_mediation_days", "debt.lpr_1y"}
