"""One statute, one setting (issue 12): a number the law fixes for every dispute type is one
core setting, read by the types through its name in the plugin API, never declared twice.

domain-rules.md: the age of majority is 18 (民法典 第17条); the ordinary limitation period is
3 years (民法典 第188条). The labour arbitration limitation (劳动争议调解仲裁法 第27条, one
year) is another statute and stays labour's own setting.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from app.plugins import AGE_OF_MAJORITY, ORDINARY_LIMITATION

ARTICLE = re.compile(r"(?:中华人民共和国)?(民法典|民法总则)\s*第(\d+)条")


def declared_numbers(app):
    """{(statute, article, value, unit): [declaring keys]} of every declared setting whose
    source names a Civil Code article."""
    found = defaultdict(list)
    for key, (_plugin, default) in app.extensions["jiefen"].registry.settings.items():
        # 民法总则 第188条 became 民法典 第188条: one article, however the source names it.
        for article in {article for _law, article in ARTICLE.findall(default.source)}:
            found[("民法典", article, str(default.value), default.unit)].append(key)
    return found


def test_no_civil_code_number_is_declared_twice(app):
    twice = {number: keys for number, keys in declared_numbers(app).items() if len(keys) > 1}
    assert twice == {}


def test_the_age_of_majority_and_the_limitation_period_are_each_one_core_setting(app):
    found = declared_numbers(app)
    assert found[("民法典", "17", "18", "years")] == [AGE_OF_MAJORITY] == ["core.full_age_years"]
    assert found[("民法典", "188", "3", "years")] == [ORDINARY_LIMITATION] == ["core.limitation_years"]
    settings = app.extensions["jiefen"].registry.settings
    assert settings[ORDINARY_LIMITATION][1].valid_from == dt.date(2017, 10, 1)
    assert settings["labour.arbitration_limitation_years"][1].value == 1  # another statute


def run_migration_0018(rows):
    """Run migration 0018 on a database of its own holding ``rows`` (key, value, valid_from)
    of the older code; the shared database stays at head. Returns the rows left."""
    import importlib.util
    import os

    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    import app

    path = os.path.join(os.path.dirname(app.__file__), "migrations", "versions",
                        "0018_one_setting_per_statute.py")
    spec = importlib.util.spec_from_file_location("migration_0018", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "CREATE TABLE setting (id INTEGER PRIMARY KEY, key VARCHAR(100) NOT NULL, value VARCHAR(200) NOT NULL,"
            " valid_from DATE NOT NULL, source TEXT NOT NULL, needs_check BOOLEAN NOT NULL, note TEXT,"
            " created_at DATETIME, created_by_fk INTEGER, UNIQUE (key, valid_from))"))
        for key, value, valid_from in rows:
            conn.execute(sa.text("INSERT INTO setting (key, value, valid_from, source, needs_check) "
                                 "VALUES (:k, :v, :d, 'admin', 0)"), {"k": key, "v": value, "d": valid_from})
        with Operations.context(MigrationContext.configure(conn)):
            migration.upgrade()
        return {tuple(row) for row in conn.execute(sa.text("SELECT key, value, valid_from FROM setting"))}


def test_the_migration_moves_an_administrators_newer_rows_to_the_core_key():
    left = run_migration_0018([
        ("core.full_age_years", "18", "2000-01-01"),
        ("family.full_age_years", "18", "2000-01-01"),  # seeded default: the core has its own
        ("family.full_age_years", "19", "2030-01-01"),  # an administrator's change: moved
        ("debt.limitation_years", "3", "2017-10-01"),   # seeded default: not moved
        ("debt.limitation_years", "4", "2031-01-01"),   # moved
        ("property.limitation_years", "3", "2000-01-01"),  # seeded default: not moved
        ("property.limitation_years", "6", "2031-01-01"),  # the core key has that day (debt's): kept out
        ("property.limitation_years", "5", "2032-01-01"),  # moved
        ("debt.limitation_warning_days", "90", "2000-01-01"),
    ])
    assert left == {
        ("core.full_age_years", "18", "2000-01-01"),
        ("core.full_age_years", "19", "2030-01-01"),
        ("core.limitation_years", "4", "2031-01-01"),
        ("core.limitation_years", "5", "2032-01-01"),
        ("debt.limitation_warning_days", "90", "2000-01-01"),
    }


def test_the_migration_keeps_the_core_value_of_a_day_it_already_has():
    left = run_migration_0018([
        ("core.full_age_years", "18", "2000-01-01"),
        ("core.full_age_years", "18", "2030-01-01"),
        ("family.full_age_years", "20", "2030-01-01"),
    ])
    assert left == {("core.full_age_years", "18", "2000-01-01"), ("core.full_age_years", "18", "2030-01-01")}
