"""The neighbour plugin (entry point ``jiefen.plugins: neighbour``), declared as data.

The type is one declaration, :data:`NEIGHBOUR`; the only hooks are the plugin's metadata and
the declaration itself. From the core this module imports only ``app.plugins``, the plugin API.
"""
from __future__ import annotations

import datetime as dt
import os

from app.plugins import (
    Advice,
    AgreementTemplate,
    AgreementTerm,
    DisputeType,
    LinkagePartner,
    PluginMetadata,
    ViewSpec,
    _,
    hookimpl,
)
from jiefen_neighbour import __version__
from jiefen_neighbour.fields import NEIGHBOUR_FIELDS, SAMPLE

CODE = "neighbour"
HERE = os.path.dirname(os.path.abspath(__file__))
# Issues that touch the property rights of the neighbouring homes.
PROPERTY_ISSUES = ("shared_wall", "passage", "encroachment")

# No deadline of its own: a neighbour case on the pre-filing track counts the core's one
# pre-filing mediation period (core.pre_filing_mediation, from the acceptance of mediation),
# like every other type. A type replaces a core rule only when the law sets it apart, and
# then says why (DeadlineRule.replaces and reason).

PARTNERS = (
    LinkagePartner(
        "community-committee",
        _("Residents' committee and its people's mediation committee"),
        kind="mediation_committee",
    ),
    LinkagePartner("street-office", _("Street office (comprehensive administration)")),
    LinkagePartner("property-management", _("Property-management company of the estate")),
)

AGREEMENT = AgreementTemplate(
    code="neighbour",
    label=_("Neighbour dispute mediation agreement"),
    path=os.path.join(HERE, "templates", "agreement.docx"),
    sample_terms=(
        AgreementTerm("被申请人黄丽娟委托有资质的施工单位重做其602房卫生间防水层，施工期间申请人林晓明予以配合",
                      "自行委托维修，物业服务中心现场见证", dt.date(2026, 12, 20), kind="property"),
        AgreementTerm("被申请人黄丽娟赔偿申请人林晓明502房天花板及墙面修复费用人民币3600元",
                      "银行转账", dt.date(2026, 12, 31), kind="money"),
        AgreementTerm("维修完成后三个月内再次渗水的，由物业服务中心组织双方共同查明原因，按本协议确定的原则处理",
                      "物业服务中心组织复查", dt.date(2027, 3, 31), kind="other"),
    ),
    # No due dates here: the mediator sets them for each case.
    suggested_terms=(
        AgreementTerm("被申请人停止____（噪声、渗漏、占用等）行为，并采取____措施防止再次发生",
                      "自行整改，物业服务企业或社区居委会见证", None, kind="property"),
        AgreementTerm("被申请人赔偿申请人修复费用人民币____元", "银行转账", None, kind="money"),
        AgreementTerm("双方今后按照团结互助、公平合理的原则处理相邻关系，发生争议先行协商或者申请社区人民调解委员会调解",
                      "", None, kind="other"),
    ),
)


# -- screening advice: each rule reads the read-only case and returns advice or None ----------
def local_first(case):
    """Most neighbour disputes are settled on site by the committee or the estate's company."""
    if case.intake_data.get("local_help"):
        return None
    return [Advice(
        "neighbour.local_first",
        _("Nobody local has stepped in yet: ask the residents' committee or the "
          "property-management company to visit; most neighbour disputes are settled on site."),
        source="人民调解法 第8条",
    )]


def issue_advice(case):
    """What matters for the issue at hand: property rights, a leak's source, noise."""
    kind = case.intake_data.get("issue_kind")
    if kind in PROPERTY_ISSUES:
        return [Advice(
            "neighbour.property_rights",
            _("Walls, passages and encroachment touch property rights: look at both "
              "property certificates, and report unauthorised building to the street office."),
            severity="warning",
            source="民法典 第288条至第296条",
        )]
    if kind == "water_leak":
        return [Advice(
            "neighbour.find_the_leak",
            _("Have the property-management company find where the water comes from "
              "before discussing who pays."),
            source="民法典 第296条",
        )]
    if kind == "noise":
        return [Advice(
            "neighbour.noise_police",
            _("Noise that goes on after warnings and mediation can be reported to the police."),
            source="噪声污染防治法；治安管理处罚法",
        )]
    return None


NEIGHBOUR = DisputeType(
    code=CODE,
    label=_("Neighbour dispute"),
    description=_("Disputes between neighbours over noise, water leaks, shared walls "
                  "and passages, encroachment, trees and parking."),
    category="neighbourhood",
    order=80,
    fields=NEIGHBOUR_FIELDS,
    sample=SAMPLE,
    templates=(AGREEMENT,),
    partners=PARTNERS,
    advice=(local_first, issue_advice),
    views=(ViewSpec(name="cases", label=_("Neighbour disputes"), icon="fa-home"),),
)


@hookimpl
def plugin_metadata():
    """Version, the core versions this plugin is written for, and its catalogues."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Disputes between neighbours: noise, leaks, shared walls and passages."),
        author="Jiefen example",
        translations=os.path.join(HERE, "translations"),
    )


@hookimpl
def register_dispute_types():
    """The neighbour plugin owns one type, declared as data."""
    return [NEIGHBOUR]
