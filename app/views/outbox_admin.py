"""The "Outbox" admin page: deliveries to partners, their state, and re-sending dead ones.

A waiting row whose mechanism's plugin is disabled reads "paused" with the plugin's name: the
state follows the plugin's switch (``app.linkage.outbox.paused_mechanisms``), it is not stored.
"""
from __future__ import annotations

from flask import flash, redirect
from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.security import GuardedActionsMixin
from app.models.referral import OutboxMessage

STATUS_LABELS = {
    "pending": _l("Waiting"),
    "delivered": _l("Delivered"),
    "dead": _l("Failed (re-send by hand)"),
}


def status_label(status) -> str:
    """A stored status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))


def mechanism_label(name) -> str:
    """A mechanism as the Linkage channels page names it; its code when no plugin provides it."""
    from app.linkage.mechanisms import get_mechanism

    mech = get_mechanism(name)
    return str(mech.label) if mech is not None else str(name)


def event_label(event) -> str:
    """An outbox event as the case timeline words it."""
    from app.lifecycle.referrals import TIMELINE_LABELS

    return str(TIMELINE_LABELS.get(event, event))


class OutboxListWidget(ListWidget):
    """FAB's list, whose status cell says "paused" for a waiting row of a disabled plugin."""

    template = "jiefen/outbox_list_widget.html"

    def __call__(self, **kwargs):
        from app.linkage.outbox import paused_mechanisms

        kwargs["paused"] = paused_mechanisms()
        return super().__call__(**kwargs)


class OutboxShowWidget(ShowWidget):
    """FAB's show page, which says "paused" (and no next attempt) for a waiting row of a disabled plugin."""

    template = "jiefen/outbox_show_widget.html"

    def __call__(self, **kwargs):
        from app.linkage.outbox import paused_mechanisms

        kwargs["paused"] = paused_mechanisms()
        return super().__call__(**kwargs)


class OutboxAdminView(GuardedActionsMixin, ModelView):
    """Read-only list of outbox rows; dead rows can be re-sent (POST, CSRF-protected)."""

    datamodel = SQLAInterface(OutboxMessage)
    route_base = "/admin/outbox"
    class_permission_name = "Outbox"
    method_permission_name = {"list": "list", "show": "show", "resend": "resend"}
    include_route_methods = {"list", "show", "action_post"}
    list_title = _l("Outbox")
    list_widget = OutboxListWidget
    show_widget = OutboxShowWidget
    formatters_columns = {"status": status_label, "mechanism": mechanism_label, "event": event_label}
    # The payload holds the shared case fields: not shown in the list.
    list_columns = ["id", "referral_id", "mechanism", "event", "status", "attempts",
                    "next_attempt_at", "last_error", "delivered_at"]
    show_columns = ["id", "referral_id", "mechanism", "event", "status", "attempts",
                    "idempotency_key", "next_attempt_at", "last_error", "created_at", "delivered_at"]
    search_columns = ["status", "mechanism", "event", "referral_id"]
    base_order = ("id", "desc")
    label_columns = {
        "id": _l("No."),
        "referral_id": _l("Referral"),
        "mechanism": _l("Mechanism"),
        "event": _l("Event"),
        "status": _l("Status"),
        "attempts": _l("Attempts"),
        "idempotency_key": _l("Idempotency key"),
        "next_attempt_at": _l("Next attempt"),
        "last_error": _l("Last error"),
        "created_at": _l("Created"),
        "delivered_at": _l("Delivered"),
    }

    @action("resend", _l("Re-send"), _l("Put the selected dead deliveries back in the queue?"),
            "fa-repeat", single=False)
    def resend(self, items):
        from app.linkage.outbox import resend

        items = items if isinstance(items, list) else [items]
        done = [m.id for m in items if m is not None and m.status == "dead" and resend(m.id)]
        skipped = len(items) - len(done)
        if done:
            flash(gettext("%(n)d delivery(ies) queued again.", n=len(done)), "success")
        if skipped:
            flash(gettext("%(n)d row(s) skipped: only dead deliveries can be re-sent.", n=skipped), "warning")
        return redirect(self.get_redirect())
