"""The role → permission matrix, as code. ``jiefen setup`` makes the database match it.

FAB's ``Admin`` role silently gains every new permission; it is the break-glass account.
Day-to-day roles get exactly what is listed here.
"""
from __future__ import annotations

from flask import current_app

# (permission, view or menu). "plugin case lists" are added per loaded plugin below.
ROLE_MATRIX: dict[str, list[tuple[str, str]]] = {
    # 窗口登记员 / 专职调解员: registers and reads cases.
    "Clerk": [
        # 考评 and 通报 (app/views/evaluation.py, bulletins.py): its scope's evaluation; a court
        # body's clerk also drafts and issues bulletins (app/reports/bulletin.py), a centre's reads issued ones
        ("can_read", "Evaluation"),
        ("can_read", "Bulletin"),
        ("can_edit", "Bulletin"),
        ("menu_access", "Statistics"),
        ("menu_access", "Evaluation"),
        ("menu_access", "Bulletins"),
        # 数据看板 (app/views/dashboard.py): its scope's figures, on the page and by the API
        ("can_read", "Dashboard"),
        ("can_read", "ReportSummary"),
        ("menu_access", "Statistics"),
        ("menu_access", "Dashboard"),
        # 纠纷台账 (app/views/ledger.py): the ledger of its report scope, page, workbook and API
        ("can_read", "Ledger"),
        ("menu_access", "Dispute ledger"),
        ("can_list", "Case"),
        ("can_show", "Case"),
        ("can_add", "Case"),
        ("menu_access", "Cases"),
        ("menu_access", "All cases"),
        ("menu_access", "Register a dispute"),
        ("can_transition", "CaseWorkflow"),
        ("can_respond", "AssignmentResponse"),
        ("can_index", "MyWork"),
        ("menu_access", "My work"),
        # the lead or court rule decides on each case (app/lifecycle/responsibility.py)
        ("can_assign", "CaseResponsible"),
        ("can_this_form_get", "ResetMyPasswordView"),
        ("can_this_form_post", "ResetMyPasswordView"),
        ("can_userinfo", "UserDBModelView"),
        # sees the mediator pool and the recommendations on a case
        ("can_list", "Mediator"),
        ("can_show", "Mediator"),
        ("menu_access", "Mediation"),
        ("menu_access", "Mediator pool"),
        # keeps the judges' duty roster for the centres (审管办 / window staff)
        ("can_list", "DutyRoster"),
        ("can_edit", "DutyRoster"),
        ("menu_access", "Judges"),
        ("menu_access", "Duty roster"),
        # registers the parties and calls them: may reveal masked personal data, with a reason
        ("can_reveal", "PersonalData"),
        # 民情地图 (app/views/dispute_map.py): the map of the reader's scope
        ("can_read", "DisputeMap"),
        ("menu_access", "Statistics"),
        ("menu_access", "Dispute map"),
        # 联席研判 (app/views/meetings.py): records the meetings its body convenes
        ("can_list", "JointMeeting"),
        ("can_show", "JointMeeting"),
        ("can_add", "JointMeeting"),
        ("can_edit", "JointMeeting"),
        ("menu_access", "Warning"),
        ("menu_access", "Joint analysis meetings"),
        # reports done the follow-ups a joint analysis meeting gave it (its My work)
        ("can_done", "MeetingTask"),
        # 排查专项 and 矛盾隐患 (app/views/screening.py, hazards.py): a centre records its hazards
        # and reports on its campaign tasks; district clerks also create campaigns (checked in
        # app/services/screening.py); 风险研判: rates its cases' risk (app/views/risk.py)
        ("can_list", "ScreeningCampaign"),
        ("can_show", "ScreeningCampaign"),
        ("can_add", "ScreeningCampaign"),
        ("can_report", "ScreeningCampaign"),
        ("can_list", "Hazard"),
        ("can_show", "Hazard"),
        ("can_add", "Hazard"),
        ("can_edit", "Hazard"),
        ("menu_access", "Screening campaigns"),
        ("menu_access", "Hazards"),
        ("can_rate", "CaseRisk"),
        # 预警 (app/views/alerts.py): the alerts of its report scope, page and API; acknowledges
        # and resolves them
        ("can_list", "Alert"),
        ("can_show", "Alert"),
        ("can_handle", "Alert"),
        ("menu_access", "Warning"),
        ("menu_access", "Alerts"),
    ],
    # 联动单位: answers the referrals sent to its organisation; no access to full case pages.
    "Partner": [
        # its own referral figures from the summary API (app/views/dashboard.py); no dashboard page
        ("can_read", "ReportSummary"),
        ("can_respond", "Referral"),
        # lands on My work: the referrals waiting for the agency
        ("can_index", "MyWork"),
        ("menu_access", "My work"),
        ("menu_access", "Partner"),
        ("menu_access", "Partner referrals"),
        ("menu_access", "Partner statistics"),
        ("can_this_form_get", "ResetMyPasswordView"),
        ("can_this_form_post", "ResetMyPasswordView"),
        ("can_userinfo", "UserDBModelView"),
        # reports done the follow-ups a joint analysis meeting gave it (its My work)
        ("can_done", "MeetingTask"),
    ],
    # 调解员: a pool mediator with a login. Answers offers and works the cases offered to or
    # assigned to them (appointments, sessions, the agreement and its signatures); the scope
    # (app/services/scope.py) keeps every other case out of sight.
    "Mediator": [
        ("can_index", "MyWork"),
        ("menu_access", "My work"),
        ("can_respond", "AssignmentResponse"),
        ("can_list", "Case"),
        ("can_show", "Case"),
        ("menu_access", "Cases"),
        ("menu_access", "All cases"),
        ("can_transition", "CaseWorkflow"),
        # calls the parties of the cases in their scope: may reveal, with a reason
        ("can_reveal", "PersonalData"),
        ("can_this_form_get", "ResetMyPasswordView"),
        ("can_this_form_post", "ResetMyPasswordView"),
        ("can_userinfo", "UserDBModelView"),
        # reports done the follow-ups a joint analysis meeting gave it (its My work)
        ("can_done", "MeetingTask"),
    ],
    # 值班法官: reads cases and the roster, records guidance and consultations.
    "Judge": [
        # 数据看板 (app/views/dashboard.py): the district's figures, on the page and by the API
        ("can_read", "Dashboard"),
        ("can_read", "ReportSummary"),
        ("menu_access", "Statistics"),
        ("menu_access", "Dashboard"),
        # 纠纷台账 (app/views/ledger.py): the ledger of its report scope, page, workbook and API
        ("can_read", "Ledger"),
        ("menu_access", "Dispute ledger"),
        ("can_index", "MyWork"),
        ("menu_access", "My work"),
        ("can_assign", "CaseResponsible"),
        ("can_list", "Case"),
        ("can_show", "Case"),
        ("menu_access", "Cases"),
        ("menu_access", "All cases"),
        ("can_list", "DutyRoster"),
        ("can_list", "GuidanceLog"),
        ("can_show", "GuidanceLog"),
        ("can_add", "GuidanceLog"),
        ("can_edit", "GuidanceLog"),
        ("menu_access", "Judges"),
        ("menu_access", "Duty roster"),
        ("menu_access", "Guidance and consultations"),
        ("can_this_form_get", "ResetMyPasswordView"),
        ("can_this_form_post", "ResetMyPasswordView"),
        ("can_userinfo", "UserDBModelView"),
        # 民情地图 (app/views/dispute_map.py): the map of the reader's scope
        ("can_read", "DisputeMap"),
        ("menu_access", "Statistics"),
        ("menu_access", "Dispute map"),
        # 联席研判 (app/views/meetings.py): reads the meetings of its scope and the minutes
        ("can_list", "JointMeeting"),
        ("can_show", "JointMeeting"),
        ("menu_access", "Warning"),
        ("menu_access", "Joint analysis meetings"),
        # reports done the follow-ups a joint analysis meeting gave it (its My work)
        ("can_done", "MeetingTask"),
        # 预警 (app/views/alerts.py): the alerts of its report scope, page and API (reads, acts on none)
        ("can_list", "Alert"),
        ("can_show", "Alert"),
        ("menu_access", "Warning"),
        ("menu_access", "Alerts"),
    ],
    # 领导 (district leadership, 综治 leaders): reads statistics, ledgers, alerts, the map and
    # bulletins across the district, and the cases behind them; changes no case.
    "Leadership": [
        # 考评 and 通报: the district's evaluation; reads and downloads bulletins, drafts none
        ("can_read", "Evaluation"),
        ("can_read", "Bulletin"),
        ("menu_access", "Statistics"),
        ("menu_access", "Evaluation"),
        ("menu_access", "Bulletins"),
        # 数据看板 (app/views/dashboard.py): the district's figures, on the page and by the API
        ("can_read", "Dashboard"),
        ("can_read", "ReportSummary"),
        ("menu_access", "Statistics"),
        ("menu_access", "Dashboard"),
        # 纠纷台账 (app/views/ledger.py): the ledger of its report scope, page, workbook and API
        ("can_read", "Ledger"),
        ("menu_access", "Dispute ledger"),
        ("can_index", "MyWork"),
        ("menu_access", "My work"),
        ("can_list", "Case"),
        ("can_show", "Case"),
        ("menu_access", "Cases"),
        ("menu_access", "All cases"),
        ("can_this_form_get", "ResetMyPasswordView"),
        ("can_this_form_post", "ResetMyPasswordView"),
        ("can_userinfo", "UserDBModelView"),
        # 民情地图 (app/views/dispute_map.py): the map of the reader's scope
        ("can_read", "DisputeMap"),
        ("menu_access", "Statistics"),
        ("menu_access", "Dispute map"),
        # 联席研判 (app/views/meetings.py): reads the meetings of its scope and the minutes
        ("can_list", "JointMeeting"),
        ("can_show", "JointMeeting"),
        ("menu_access", "Warning"),
        ("menu_access", "Joint analysis meetings"),
        # reports done the follow-ups a joint analysis meeting gave it (its My work)
        # 排查专项 and 矛盾隐患: reads every campaign's progress and every hazard
        ("can_list", "ScreeningCampaign"),
        ("can_show", "ScreeningCampaign"),
        ("can_list", "Hazard"),
        ("can_show", "Hazard"),
        ("menu_access", "Screening campaigns"),
        ("menu_access", "Hazards"),
        # 预警 (app/views/alerts.py): the alerts of its report scope, page and API (reads, acts on none)
        ("can_list", "Alert"),
        ("can_show", "Alert"),
        ("menu_access", "Warning"),
        ("menu_access", "Alerts"),
    ],
    # 审计员: reads the audit log and exports it; no case pages, no writes.
    "Auditor": [
        ("can_list", "AuditLog"),
        ("can_download", "AuditLog"),  # the Excel export
        ("menu_access", "Security"),
        ("menu_access", "Audit log"),
        ("can_this_form_get", "ResetMyPasswordView"),
        ("can_this_form_post", "ResetMyPasswordView"),
        ("can_userinfo", "UserDBModelView"),
    ],
}


def role_grants(role: str) -> set[tuple[str, str]]:
    """The grants ``role`` should have in this app, plugin case lists included."""
    grants = set(ROLE_MATRIX[role])
    if role in ("Clerk", "Judge"):
        for plugin, spec in current_app.extensions["jiefen"].registry.views:
            if spec.kind == "case_list":
                grants.add(("menu_access", f"{plugin}.{spec.name}"))
    return grants


def sync_roles(sm) -> None:
    """Create each role of the matrix and give it exactly the listed grants."""
    for role_name in ROLE_MATRIX:
        role = sm.find_role(role_name) or sm.add_role(role_name)
        wanted = []
        for permission, view in sorted(role_grants(role_name)):
            pv = sm.add_permission_view_menu(permission, view)
            if pv is not None:
                wanted.append(pv)
        role.permissions = wanted
    sm.session.commit()
