"""Reading and seeding dated settings."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Optional

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.setting import Setting
# The clock lives in app.services.clock; these names stay importable from here.
from app.services.clock import court_day, court_zone, today  # noqa: F401
from app.plugins.types import SettingMissing  # noqa: E402,F401  (defined with the plugin API)


def setting_value(key: str, on: Optional[dt.date] = None) -> str:
    """The value of ``key`` in force on ``on`` (today by default), as text.

    The newest row with ``valid_from`` not after ``on`` wins; before any row exists (a
    fresh install not yet set up) the declared default is used.
    """
    on = on or today()
    value = db.session.scalars(
        select(Setting.value)
        .where(Setting.key == key, Setting.valid_from <= on)
        .order_by(Setting.valid_from.desc())
        .limit(1)
    ).first()
    if value is not None:
        return value
    declared = current_app.extensions["jiefen"].registry.settings.get(key)
    if declared and declared[1].valid_from <= on:
        return str(declared[1].value)
    raise SettingMissing(key)


def setting_decimal(key: str, on: Optional[dt.date] = None) -> Decimal:
    """A numeric setting as an exact decimal."""
    raw = setting_value(key, on)
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise SettingMissing(f"{key} is not a number: {raw!r}") from None


def setting_int(key: str, on: Optional[dt.date] = None) -> int:
    """A whole-number setting (days, months)."""
    return int(setting_decimal(key, on))


def seed_settings() -> int:
    """Insert every declared default that has no row for its ``valid_from`` yet."""
    added = 0
    for key, (_plugin, default) in current_app.extensions["jiefen"].registry.settings.items():
        exists = db.session.scalars(
            select(Setting.id).where(Setting.key == key, Setting.valid_from == default.valid_from)
        ).first()
        if exists is None:
            db.session.add(
                Setting(
                    key=key,
                    value=str(default.value),
                    valid_from=default.valid_from,
                    source=default.source,
                    needs_check=default.check,
                )
            )
            added += 1
    db.session.commit()
    return added
