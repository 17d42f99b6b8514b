"""Intake fields of a medical dispute, declared as data.

Health data (diagnosis, harm, the department that treated the patient) is sensitive personal
information under the Personal Information Protection Law art. 28, so those fields are
classified ``sensitive``.
"""
from __future__ import annotations

from app.plugins import IntakeField, _, not_before, only_when

APPRAISAL_STATUSES = (
    ("not_started", _("Not started")),
    ("applied", _("Applied for")),
    ("done", _("Done")),
)


treatment_end_after_start = not_before("treatment_start", _("The end of treatment cannot be before its start."))
appraisal_applied_after_treatment = not_before(
    "treatment_start", _("The appraisal cannot be applied for before the treatment started."))
appraisal_done_after_applied = not_before(
    "appraisal_applied_on", _("The appraisal cannot be finished before it was applied for."))


def status_needs_appraisal(value, data):
    """An appraisal applied for or done means an appraisal is needed."""
    if value in ("applied", "done") and not data.get("appraisal_needed"):
        return _("An appraisal has been applied for or done: tick \"Medical-damage appraisal needed\".")
    return None


done_date_needs_done_status = only_when(
    "appraisal_status", ("done",), _("Set the appraisal status to \"Done\" or leave the finishing date empty."))
# An appraisal applied for on a date cannot still be "not started".
applied_date_needs_status = only_when("appraisal_status", ("applied", "done"), _(
    "Set the appraisal status to \"Applied for\" or \"Done\", or leave the application date empty."))


MEDICAL_FIELDS = (
    IntakeField("hospital", _("Medical institution"), required=True, max_length=120,
                help=_("Full name of the hospital or clinic.")),
    IntakeField("department", _("Department"), classification="sensitive", max_length=60,
                help=_("The department reveals the kind of illness: health data is sensitive personal information.")),
    IntakeField("treatment_start", _("Treatment started on"), kind="date", required=True,
                not_in_future=True, classification="sensitive"),
    IntakeField("treatment_end", _("Treatment ended on"), kind="date", not_in_future=True,
                classification="sensitive", validators=(treatment_end_after_start,),
                help=_("Leave empty while the patient is still being treated.")),
    IntakeField("diagnosis", _("Diagnosis"), kind="textarea", classification="sensitive",
                max_length=2000),
    IntakeField("alleged_harm", _("Alleged harm"), kind="textarea", required=True,
                classification="sensitive", max_length=4000,
                help=_("What the patient side says went wrong and what harm it caused.")),
    IntakeField("appraisal_needed", _("Medical-damage appraisal needed"), kind="boolean",
                help=_("Tick when liability or causation must be established by a medical association or a forensic appraisal institution.")),
    IntakeField("appraisal_status", _("Appraisal status"), kind="choice",
                choices=APPRAISAL_STATUSES, validators=(status_needs_appraisal,)),
    IntakeField("appraisal_applied_on", _("Appraisal applied for on"), kind="date",
                not_in_future=True,
                validators=(appraisal_applied_after_treatment, applied_date_needs_status)),
    IntakeField("appraisal_done_on", _("Appraisal opinion received on"), kind="date",
                not_in_future=True,
                validators=(appraisal_done_after_applied, done_date_needs_done_status),
                help=_("These dates do not change the mediation period by themselves: to leave the appraisal's "
                       "time out, suspend the period on the case's deadline page with the reason “Appraisal or "
                       "assessment” and resume it when the opinion is received.")),
)

SAMPLE = {
    "hospital": "汕尾市城区某医院",
    "department": "骨科",
    "treatment_start": "2026-06-03",
    "treatment_end": "2026-06-21",
    "diagnosis": "右股骨颈骨折，行人工股骨头置换术",
    "alleged_harm": "患方认为术后切口感染未及时处理，导致二次手术并延长住院18天，要求医院赔偿医疗费、误工费、护理费等损失。",
    "appraisal_needed": True,
    "appraisal_status": "done",
    "appraisal_applied_on": "2026-08-10",
    "appraisal_done_on": "2026-09-28",
}
