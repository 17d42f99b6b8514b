"""Who drafted or exported which agreement, in which form.

An agreement's print view and Word document carry the parties' full ID numbers, mobiles and
addresses, so each one made is logged like a download (:func:`app.audit.record_access`):
``draft`` while the agreement is not yet in effect (still being signed), ``export`` once it is.
The log names the case and the form (``print`` or ``docx``), never the document's content.
"""
from __future__ import annotations

FORMS = ("print", "docx")


def record_agreement_access(case, agreement, form: str) -> None:
    """Log one print view or Word document of ``agreement`` of ``case`` handed to the caller."""
    from app.audit import record_access

    if form not in FORMS:
        raise ValueError(f"unknown agreement form {form!r}")
    action = "export" if agreement.effective_on else "draft"
    record_access("agreement", agreement.id, action, {"case_id": case.id, "as": form})
