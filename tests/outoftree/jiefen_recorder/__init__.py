"""An out-of-tree plugin used by the test suite: it implements every hook, records each
call, and owns the dispute type ``boundary`` (相邻边界纠纷).

It imports only ``app.plugins``, like any third-party plugin must; the tests install it
through a real ``jiefen.plugins`` entry point (a dist-info folder on ``sys.path``).
"""
import os

from flask import Blueprint

from app.plugins import (
    Advice,
    AgreementTemplate,
    DeadlineRule,
    DisputeType,
    IntakeField,
    LinkagePartner,
    PluginMetadata,
    SettingDefault,
    ViewSpec,
    _,
    hookimpl,
)

__version__ = "9.9.1"
CODE = "boundary"
CALLS: list[str] = []
VETO = {"reason": None}

guide = Blueprint("recorder_guide", __name__)


@guide.route("/guide")
def guide_page():
    CALLS.append("guide_page")
    return "boundary dispute guide"


@hookimpl
def register_dispute_types():
    return [DisputeType(code=CODE, label=_("Boundary dispute"), description="test", order=5)]


@hookimpl
def intake_fields(dispute_type):
    if dispute_type != CODE:
        return None
    return [
        IntakeField("wall_length", _("Wall length (m)"), kind="decimal", required=True),
        IntakeField("neighbours_agree", _("Neighbours agree to mediate"), kind="boolean"),
    ]


@hookimpl
def sample_intake(dispute_type):
    return {"wall_length": "12.5", "neighbours_agree": True} if dispute_type == CODE else None


@hookimpl
def agreement_templates(dispute_type):
    CALLS.append("agreement_templates")
    if dispute_type != CODE:
        return None
    return [AgreementTemplate("boundary", "Boundary agreement", os.path.abspath(__file__))]


@hookimpl
def plugin_metadata():
    return PluginMetadata(version="9.9.1", requires_core=">=0.1")


@hookimpl
def register_settings():
    return [SettingDefault("boundary.days", 30, "Boundary days", source="test rule", unit="days")]


@hookimpl
def linkage_partners(dispute_type):
    CALLS.append("linkage_partners")
    if dispute_type != CODE:
        return None
    return [LinkagePartner("land-office", "Land office")]


@hookimpl
def deadlines(case):
    CALLS.append("deadlines")
    return [DeadlineRule("boundary.days", "Boundary", "boundary.days", "created_at")]


@hookimpl
def diversion_advice(case):
    CALLS.append("diversion_advice")
    return [Advice("boundary.advice", "Walk the boundary together.")]


@hookimpl
def validate_transition(case, from_state, to_state, actor):
    CALLS.append(f"validate_transition:{from_state}->{to_state}")
    return VETO["reason"]


@hookimpl
def on_transition(case, from_state, to_state):
    # Accepts fewer arguments than the spec declares: hooks may grow.
    CALLS.append(f"on_transition:{from_state}->{to_state}")


@hookimpl
def register_views():
    return [
        ViewSpec(name="cases", label=_("Boundary disputes"), dispute_type=CODE),
        ViewSpec(name="guide", label="Guide", kind="blueprint", blueprint=guide),
    ]


@hookimpl
def translation_directories():
    return [os.path.join(os.path.dirname(__file__), "translations")]
