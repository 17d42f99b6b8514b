"""The one place that adds views to FAB: the core's own, then what plugins declared."""
from __future__ import annotations

import re

from flask import abort, redirect, request, url_for
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.lifecycle.assignment import offers_for_case
from app.models.lifecycle import OFFER_RESPONSES
from app.plugins.types import ViewSpec
from app.views.api import CaseApi
from app.views.assignment import register_assignment_views
from app.views.audit_log import register_audit_log_view
from app.views.outcome import register_outcome_views
from app.views.extension import register_extension_views
from app.views.deadline_steps import register_deadline_step_views
from app.views.referrals import register_referral_views
from app.views.sessions import register_session_views
from app.views.cases import CaseIntakeView, CaseModelView
from app.views.duty import register_duty_views
from app.views.mediator_login import register_mediator_login_views
from app.views.mediators import register_mediator_views
from app.views.mywork import register_mywork_views
from app.views.responsibility import register_responsibility_views
from app.views.favicon import favicon
from app.views.health import health
from app.views.workflow import CaseWorkflowApi, CaseWorkflowView
from app.views.organizations import OrganizationModelView
from app.views.places_admin import AreaModelView, MembershipModelView
from app.views.plugins_admin import PluginAdminView
from app.views.scope_filter import SCOPE
from app.views.settings_admin import SettingModelView
from app.views.templates_admin import AgreementTemplateAdminView

CASES = "Cases"
CASES_LABEL = _l("Cases")


def register_core_views(app, appbuilder) -> None:
    """Case pages, the case API, the plugin admin page and the health check."""
    from app.linkage.inbound import bp as linkage_inbound
    from app.views.linkage_admin import LinkageAdminView
    from app.views.outbox_admin import OutboxAdminView

    app.register_blueprint(health)
    app.register_blueprint(favicon)
    # Partners' systems call back here; the request authenticates by its signature.
    app.register_blueprint(linkage_inbound)
    appbuilder.add_view(OutboxAdminView, "Outbox", label=_l("Outbox"), icon="fa-paper-plane", category="Security")
    appbuilder.add_view(LinkageAdminView, "Linkage channels", label=_l("Linkage channels"), icon="fa-plug",
                        category="Security")
    appbuilder.add_view(
        CaseIntakeView,
        "Register a dispute",
        label=_l("Register a dispute"),
        icon="fa-plus",
        category=CASES,
        category_label=CASES_LABEL,
        category_icon="fa-folder-open",
    )
    appbuilder.add_view(
        CaseModelView,
        "All cases",
        label=_l("All cases"),
        icon="fa-list",
        category=CASES,
        category_label=CASES_LABEL,
    )
    appbuilder.add_api(CaseApi)
    appbuilder.add_view_no_menu(CaseWorkflowView)
    appbuilder.add_api(CaseWorkflowApi)
    register_assignment_views(appbuilder)
    register_outcome_views(appbuilder)
    register_session_views(appbuilder)
    register_referral_views(appbuilder)
    register_extension_views(appbuilder)
    register_deadline_step_views(appbuilder)
    from app.views.reveal import register_reveal_views  # masked personal data, shown on reveal

    register_reveal_views(appbuilder)
    appbuilder.add_view(
        PluginAdminView,
        "Plugins",
        label=_l("Plugins"),
        icon="fa-puzzle-piece",
        category="Security",
    )
    register_duty_views(appbuilder)
    register_mediator_views(appbuilder)
    register_mediator_login_views(appbuilder)
    # The case page's offers table (jiefen/case_offers.html).
    app.add_template_global(offers_for_case, "case_offers")
    app.add_template_global(lambda code: OFFER_RESPONSES.get(code, code), "offer_response_label")
    register_mywork_views(appbuilder)
    register_responsibility_views(appbuilder)
    appbuilder.add_view(
        AreaModelView, "Areas", label=_l("Areas"), icon="fa-map-marker", category="Security"
    )
    appbuilder.add_view(
        MembershipModelView, "Staff", label=_l("Staff"), icon="fa-id-badge", category="Security"
    )
    appbuilder.add_view(
        OrganizationModelView,
        "Organisations",
        label=_l("Organisations"),
        icon="fa-building",
        category="Security",
    )
    appbuilder.add_view(
        AgreementTemplateAdminView,
        "Agreement templates",
        label=_l("Agreement templates"),
        icon="fa-file-word-o",
        category="Security",
    )
    register_audit_log_view(appbuilder)
    appbuilder.add_view(
        SettingModelView,
        "Dated settings",
        label=_l("Dated settings"),
        icon="fa-calendar",
        category="Security",
    )
    from app.views.holidays_admin import register_holiday_views  # the State Council's notice, per year

    register_holiday_views(appbuilder)
    from app.views.dashboard import register_dashboard_views  # 数据看板, first under Statistics

    register_dashboard_views(appbuilder)
    from app.views.ledger import register_ledger_views  # 纠纷台账, under Statistics

    register_ledger_views(appbuilder)
    from app.views.evaluation import register_evaluation_views  # 考评 and 通报, under Statistics

    register_evaluation_views(appbuilder)
    from app.views.dispute_map import register_dispute_map_views  # 民情地图, under Statistics

    register_dispute_map_views(appbuilder)
    from app.views.screening import register_screening_views  # 排查专项, 矛盾隐患, 风险研判

    register_screening_views(appbuilder)
    from app.views.alerts import register_alert_views  # 预警: alerts, their API, sensitive periods

    register_alert_views(appbuilder)
    from app.views.meetings import register_meeting_views  # 联席研判, after screening and alerts

    register_meeting_views(appbuilder)


def _class_name(plugin: str, spec: ViewSpec) -> str:
    words = re.split(r"[^0-9a-zA-Z]+", f"{plugin} {spec.name}")
    return "Plugin" + "".join(w.capitalize() for w in words if w) + "View"


def build_case_list_view(plugin: str, spec: ViewSpec) -> type:
    """A case list of one dispute type, as a class of its own (FAB keys views by class)."""
    return type(
        _class_name(plugin, spec),
        (CaseModelView,),
        {
            "route_base": f"/plugins/{plugin}/{spec.name}",
            "base_filters": [SCOPE, ["dispute_type", FilterEqual, spec.dispute_type]],
            "list_title": spec.label,
        },
    )


def register_plugin_views(app, appbuilder, state) -> None:
    """Build every view plugins declared and remember which plugin owns which blueprint."""
    dispatcher = state.dispatcher
    for plugin, spec in state.registry.views:
        cond = (lambda p: lambda: dispatcher.is_enabled(p))(plugin)
        if spec.kind == "case_list":
            view = build_case_list_view(plugin, spec)
            appbuilder.add_view(
                view,
                f"{plugin}.{spec.name}",
                label=spec.label,
                icon=spec.icon,
                category=spec.category or CASES,
                category_label=CASES_LABEL if (spec.category or CASES) == CASES else spec.category,
                menu_cond=cond,
            )
            state.guarded_blueprints[view.__name__] = plugin
        elif spec.kind == "blueprint":
            bp = spec.blueprint
            app.register_blueprint(bp, url_prefix=f"/plugins/{plugin}")
            state.guarded_blueprints[bp.name] = plugin
            state.login_required_blueprints.add(bp.name)
            if spec.label:
                first = next(
                    (r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(bp.name + ".")),
                    None,
                )
                if first:
                    appbuilder.add_link(
                        f"{plugin}.{spec.name}",
                        href=first,
                        label=spec.label,
                        icon=spec.icon,
                        category=spec.category or CASES,
                        category_label=CASES_LABEL,
                        cond=cond,
                    )
        else:
            raise ValueError(f"plugin {plugin!r}: unknown view kind {spec.kind!r}")


def install_plugin_guard(app, state) -> None:
    """Routes of a disabled plugin answer 404; plugin blueprints need a signed-in user."""

    @app.before_request
    def _guard_plugin_routes():
        bp = request.blueprint
        plugin = state.guarded_blueprints.get(bp) if bp else None
        if plugin is None:
            return None
        if not state.dispatcher.is_enabled(plugin):
            abort(404)
        if bp in state.login_required_blueprints and not current_user.is_authenticated:
            return redirect(url_for(app.appbuilder.sm.auth_view.__class__.__name__ + ".login", next=request.path))
        return None
