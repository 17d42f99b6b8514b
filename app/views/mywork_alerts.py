"""My work: "New alerts" — the open alerts of the reader's area, newest first, for the people
responsible for it: a centre's clerks (their area), district and court clerks (the district),
and leadership. Scoped like the alert pages (:func:`app.warnings.alerts.scope_clause`)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.models.warning import Alert
from app.services.clock import court_day
from app.views.mywork_queues import Desk, Item, QueueSpec
from app.warnings import alerts as svc
from app.warnings.wording import area_label, alert_title, rule_label


def _responsible(desk: Desk) -> bool:
    """Clerks of a centre, of the district or of the court, and leadership."""
    return ("Clerk" in desk.roles and not desk.is_partner) or "Leadership" in desk.roles


def _open_alerts(desk: Desk):
    return (select(Alert).where(Alert.status == "open", svc.scope_clause(desk.user))
            .options(selectinload(Alert.area), selectinload(Alert.organization))
            .order_by(Alert.first_seen_at.desc(), Alert.id.desc()))


def _alert_item(desk: Desk, row) -> Item:
    alert = row[0]
    return Item(url=url_for("AlertView.show", pk=alert.id), label=rule_label(alert.rule), text=alert_title(alert),
                meta=gettext("%(area)s · first seen %(day)s", area=area_label(alert), day=court_day(alert.first_seen_at).isoformat()),
                action=_l("Open the alert"), css=f"alert-{alert.level}")


ALERTS = QueueSpec("alerts", _l("New alerts"), _l("No open alert in your area."), _responsible, _open_alerts,
                   _alert_item, scoped=False,
                   note=_l("Raised by the early-warning scan; acknowledge an alert when you act on it."))
