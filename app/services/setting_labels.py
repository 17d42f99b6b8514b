"""A dated setting's name as people read it, in place of its internal key.

Messages that ask an administrator to enter a setting name it by its label (上一年度广东省
就业人员年平均工资), never by its key (``core.small_claims_wage``): case workers read them too.
Two plugins may declare settings with the same label (each type's pre-filing period), so
a plugin's setting carries its dispute types after the label.
"""
from __future__ import annotations

from app.extensions import jiefen


def setting_label(key: str) -> str:
    """The label of the setting ``key`` in the reader's language, with its plugin's dispute
    types when the plugin has any; the key itself only when nobody declared it."""
    state = jiefen()
    declared = state.registry.settings.get(key)
    if not declared:
        return key
    plugin, setting = declared
    info = state.registry.plugins.get(plugin)
    types = "、".join(str(state.dispatcher.type_label(code)) for code in (info.dispute_types if info else ()))
    return f"{setting.label}（{types}）" if types else str(setting.label)
