"""Helpers templates use to show data in the reader's language: plugin intake data, people's
names, file sizes, times."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_babel import gettext, lazy_gettext as _l, to_user_timezone

from app.extensions import jiefen
from app.names import person_name
from app.plugins.rules import AGE_OF_MAJORITY


def _format(spec, value):
    if value in (None, "", []):
        return ""
    if spec.kind == "boolean":
        return gettext("Yes") if value else gettext("No")
    if spec.kind == "choice":
        return str(dict(spec.choices).get(value, value))
    if spec.kind == "decimal":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        unit = getattr(spec, "unit", "")
        return f"{number:,.2f} {unit}" if unit else f"¥{number:,.2f}"
    if spec.kind == "percent":
        return f"{value}%"
    return str(value)


def file_size(size, binary: bool = False) -> str:
    """A file's size in KB or MB (1 KB = 1024 bytes), as Chinese office software writes it;
    replaces Jinja's ``filesizeformat``, which writes "441 Bytes"."""
    if size is None:
        return "—"
    size = int(size)
    if size < 1024 * 1024:
        kb = size / 1024
        return "0 KB" if size == 0 else f"{max(kb, 0.1):.1f} KB"
    if size < 1024 ** 3:
        return f"{size / 1024 ** 2:.1f} MB"
    return f"{size / 1024 ** 3:.1f} GB"


def local_time(value) -> str:
    """A stored UTC timestamp as the reader's local time (Beijing time by default)."""
    if not value:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive values; they were stored as UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    return to_user_timezone(value).strftime("%Y-%m-%d %H:%M")


def intake_rows(case, classifications=None) -> list[dict]:
    """Rows ``{label, value}`` or ``{label, records: {headers, rows}}`` for a case's intake.

    Labels come from the declarations collected at start-up, so a case of a disabled type
    still reads properly; keys no declaration knows are shown as they are. With
    ``classifications``, only fields of those classes are shown (and no undeclared keys).
    """
    specs = jiefen().registry.field_specs(case.dispute_type)
    data = dict(case.intake_data or {})
    rows = []
    for spec in specs:
        value = data.pop(spec.name, None)
        if classifications is not None and spec.classification not in classifications:
            continue
        if spec.kind == "records":
            records = [r for r in (value or []) if isinstance(r, dict)]
            if records:
                rows.append(
                    {
                        "label": spec.label,
                        "records": {
                            "headers": [s.label for s in spec.subfields],
                            "rows": [[_format(s, r.get(s.name)) for s in spec.subfields] for r in records],
                        },
                    }
                )
            continue
        shown = _format(spec, value)
        if shown:
            rows.append({"label": spec.label, "value": shown})
    if classifications is None:
        for key, value in data.items():
            rows.append({"label": key, "value": str(value)})
    return rows


def agreement_available(case) -> bool:
    """True when the case's type is enabled and offers at least one agreement template."""
    state = jiefen()
    return state.dispatcher.is_type_enabled(case.dispute_type) and bool(
        state.registry.templates.get(case.dispute_type)
    )


def case_advice(case) -> list:
    """Diversion advice of the enabled plugins for ``case``, most serious first."""
    order = {"danger": 0, "warning": 1, "info": 2}
    advice = jiefen().dispatcher.case_advice(case)
    return sorted(advice, key=lambda a: order.get(a.severity, 3))


def recommended_mediators(case, limit: int = 5) -> list:
    """The ``limit`` best eligible mediators for ``case``, each with its reasons."""
    from app.services.recommend import recommend

    return recommend(case).top(limit)


def litigation_track_label(code) -> str:
    """Small claims / fast-track / ordinary / arbitration in the reader's language."""
    from app.models.case import LITIGATION_TRACKS

    return LITIGATION_TRACKS.get(code, code)


def case_actions(case) -> list:
    """The lifecycle actions possible from the case's state."""
    from app.lifecycle.machine import available

    return available(case.status)


SESSION_LABELS = {
    "appointment": _l("Appointment added"),
    "appointment_cancelled": _l("Appointment cancelled"),
    "session": _l("Session recorded"),
    "attachment": _l("Files added"),
}


def timeline_label(event) -> str:
    """A timeline entry in the reader's language: the action, and the move it made."""
    from app.lifecycle.machine import ACTIONS
    from app.models.case import CASE_STATES
    from app.models.lifecycle import CONSENT_SUBJECTS

    if event.kind == "transition" and event.action in ACTIONS:
        label = str(ACTIONS[event.action].label)
    elif event.kind == "assignment":
        from app.lifecycle.assignment import TIMELINE_LABELS

        label = str(TIMELINE_LABELS.get(event.action, event.action))
    elif event.kind in ("session", "document"):
        label = str(SESSION_LABELS.get(event.action, event.action))
    elif event.kind in ("agreement", "confirmation", "visit"):
        from app.lifecycle.outcome import EVENT_LABELS

        label = str(EVENT_LABELS.get(event.action, event.action))
    elif event.kind == "referral":
        from app.lifecycle.referrals import TIMELINE_LABELS as REFERRAL_LABELS

        label = str(REFERRAL_LABELS.get(event.action, event.action))
    elif event.kind == "deadline" and event.action == "period_extended":
        label = gettext("Mediation period extended by %(n)s days (the parties agree)", n=(event.data or {}).get("days"))
    elif event.kind == "deadline" and event.action.startswith("period_"):
        from app.lifecycle.suspension import describe  # a start recorded, a suspension, a resumption

        label = describe(event)
    elif event.kind == "consent":
        label = gettext("Consent: %(subject)s", subject=CONSENT_SUBJECTS.get(event.action, event.action))
    elif event.kind == "responsibility":
        from app.lifecycle.responsibility import describe

        label = describe(event)
    elif event.kind == "risk":
        from app.lifecycle.risk import describe as describe_risk  # 风险研判

        label = describe_risk(event)
    elif event.kind == "screening" and event.action == "from_hazard":
        label = gettext("Registered from a hazard found in screening")
    elif event.action == "registered" or event.to_state == "registered":
        label = gettext("Registered")
    else:
        label = event.action
    if event.from_state and event.to_state and event.from_state != event.to_state:
        label += f"（{CASE_STATES.get(event.from_state, event.from_state)} → {CASE_STATES.get(event.to_state, event.to_state)}）"
    return label


def case_deadlines(case) -> list:
    """The case's deadlines, most urgent first (the one engine in app/lifecycle)."""
    from app.lifecycle.deadlines import case_deadlines as compute

    return compute(case)


# A period's length as Chinese court pages write it (30日, 30个工作日): the number and unit
# translate together, since a measure word sits between them in some units and not others.
PERIOD_LENGTHS = {
    "days": _l("%(n)d days"),
    "working days": _l("%(n)d working days"),
    "hours": _l("%(n)d hours"),
    "months": _l("%(n)d months"),
    "years": _l("%(n)d years"),
}


def period_length(deadline) -> str:
    """"(30 working days)" — full-width brackets in Chinese — with any agreed extension."""
    length = str(PERIOD_LENGTHS.get(deadline.unit, PERIOD_LENGTHS["days"])) % {"n": deadline.length}
    extension = gettext(", extended by %(n)d days by agreement", n=deadline.extended_by) if deadline.extended_by else ""
    return gettext("(%(length)s%(extension)s)", length=length, extension=extension)


def suspension_reason(code: str):
    """A suspension's reason in the reader's language (the core's one list)."""
    from app.lifecycle.suspension import SUSPENSION_REASONS

    return SUSPENSION_REASONS.get(code, "—")


def is_minor(party) -> bool:
    """Under the dated age of majority (民法典 第17条, setting ``core.full_age_years``)."""
    from app.services.settings import SettingMissing, setting_int

    if party.age is None:
        return False
    try:
        return party.age < setting_int(AGE_OF_MAJORITY)
    except SettingMissing:
        return False


def case_referrals(case) -> list:
    """The case's referrals to partners, newest first."""
    from app.lifecycle.referrals import referrals_of_case

    return referrals_of_case(case)


def case_referral_files(case) -> dict:
    """referral id → the documents the partner answered it with, for all of the case's
    referrals in one query."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models.mediation import Attachment

    files: dict = {}
    query = select(Attachment).where(Attachment.case_id == case.id, Attachment.referral_id.is_not(None))
    for att in db.session.scalars(query.order_by(Attachment.id)):
        files.setdefault(att.referral_id, []).append(att)
    return files


def referral_status_label(code) -> str:
    """A referral's state in the reader's language."""
    from app.models.referral import REFERRAL_STATUS

    return REFERRAL_STATUS.get(code, code)


def install_template_helpers(app) -> None:
    """Expose the helpers to every template, and make every registered FAB view show its
    values readably (called once all views are registered)."""
    from app.views.readable import display_value, make_views_readable

    sm = app.appbuilder.sm
    make_views_readable(app.appbuilder)

    def is_menu_visible(item) -> bool:
        # FAB's server-rendered menu ignores `menu_cond` (only its menu API honours it):
        # a disabled plugin's entries must disappear here too.
        return item.should_render() and sm.has_access("menu_access", item.name)

    app.jinja_env.filters["is_menu_visible"] = is_menu_visible
    app.jinja_env.filters["person_name"] = person_name
    app.jinja_env.filters["filesizeformat"] = file_size
    app.jinja_env.filters["display_value"] = display_value
    app.jinja_env.globals.update(
        intake_rows=intake_rows,
        dispute_type_label=lambda code: jiefen().dispatcher.type_label(code),
        # A field's own message, not a list of a sub-form's messages.
        is_message=lambda e: not isinstance(e, (list, tuple, dict)),
        local_time=local_time,
        agreement_available=agreement_available,
        case_advice=case_advice,
        case_actions=case_actions,
        case_deadlines=case_deadlines,
        suspension_reason=suspension_reason,
        period_length=period_length,
        is_minor=is_minor,
        case_referrals=case_referrals,
        case_referral_files=case_referral_files,
        referral_status_label=referral_status_label,
        timeline_label=timeline_label,
        litigation_track_label=litigation_track_label,
        recommended_mediators=recommended_mediators,
        person_name=person_name,
        display_value=display_value,
    )
    from app.views.case_page import install_page_helpers  # the frame, the case page and the case list

    install_page_helpers(app)
