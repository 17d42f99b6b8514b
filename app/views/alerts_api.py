"""The alerts API (``/api/v1/alerts/…``, JWT or session): list and read the alerts in the
caller's scope, acknowledge and resolve them.

An alert outside the caller's scope, and an area filter outside it, answer 404 exactly like a
missing one. A step needs the ``version`` the caller read: a stale one answers 409, and so
does an impossible step (resolving a resolved alert); a resolution needs a ``note`` (422).
"""
from __future__ import annotations

from flask import request
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_babel import gettext

from app.services.scope import current_user_obj
from app.views.case_access import json_object
from app.warnings import alerts as svc
from app.warnings.wording import alert_title, level_label, observed, rule_label, status_label

ALERT_PERMISSIONS = ["can_list", "can_show", "can_handle"]


def _named(obj) -> dict | None:
    return {"id": obj.id, "name": obj.name} if obj is not None else None


def alert_json(alert, user=None, full: bool = False) -> dict:
    """An alert as the API answers it: codes and figures, with the rule's name, the title and
    the labels in the caller's language; ``full`` adds the cases the caller may see and the notes."""
    out = {
        "id": alert.id,
        "rule": alert.rule,
        "plugin": alert.plugin,
        "rule_label": rule_label(alert.rule),
        "title": alert_title(alert),
        "level": alert.level,
        "level_label": level_label(alert.level),
        "status": alert.status,
        "status_label": status_label(alert.status),
        "details": {k: v for k, v in (alert.details or {}).items() if k != "observed"},
        "case_count": alert.case_count,
        "area": _named(alert.area),
        "organization": _named(alert.organization),
        "first_seen_at": svc.stored_time(alert.first_seen_at),
        "last_seen_at": svc.stored_time(alert.last_seen_at),
        "observed": observed(alert),
        "acknowledged_at": svc.stored_time(alert.acknowledged_at),
        "resolved_at": svc.stored_time(alert.resolved_at),
        "version": alert.version,
    }
    if full:
        shown, hidden = svc.evidence_for(user, alert)
        out["cases"] = [{"id": c.id, "case_no": c.case_no, "dispute_type": c.dispute_type, "status": c.status,
                         "title": c.title} for c in shown]
        out["cases_not_shown"] = hidden
        out["notes"] = [{"at": svc.stored_time(n.at), "action": n.action, "text": n.text,
                         "author": n.author.username if n.author is not None else None} for n in svc.notes_of(alert)]
    return out


def _int_arg(name: str, default: int, maximum: int) -> int | None:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        return None
    return min(int(raw), maximum)


class AlertApi(BaseApi):
    """``/api/v1/alerts/``: the early-warning alerts in the caller's scope."""

    resource_name = "alerts"
    class_permission_name = "Alert"
    base_permissions = ALERT_PERMISSIONS
    method_permission_name = {"get_list": "list", "get": "show", "acknowledge": "handle", "resolve": "handle"}
    allow_browser_login = True
    openapi_spec_tag = "Alerts"

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def get_list(self):
        """The alerts in the caller's scope, newest first, a page at a time.
        ---
        get:
          parameters:
          - in: query
            name: status
            schema:
              type: string
              enum: [live, open, acknowledged, resolved, all]
            description: live (open and acknowledged, the default), one status, or all
          - in: query
            name: rule
            schema:
              type: string
            description: a rule's code, e.g. core.spike or labour.employer_wages
          - in: query
            name: area
            schema:
              type: integer
            description: an area within the caller's scope (its alerts and those of the areas below)
          - in: query
            name: page
            schema:
              type: integer
              minimum: 0
          - in: query
            name: page_size
            schema:
              type: integer
              minimum: 1
              maximum: 100
          responses:
            200:
              description: One page of alerts and how many there are in all
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count:
                        type: integer
                      page:
                        type: integer
                      page_size:
                        type: integer
                      result:
                        type: array
                        items:
                          type: object
            400:
              description: A filter or the paging is malformed
            404:
              description: The area is unknown or outside the caller's scope
        """
        user = current_user_obj()
        page = _int_arg("page", 0, 10**6)
        size = _int_arg("page_size", svc.PAGE_SIZE, svc.MAX_PAGE_SIZE)
        if page is None or not size:
            return self.response_400(message=gettext("Give page and page_size as whole numbers."))
        try:
            filters = svc.parse_filters(user, request.args.get("status"), request.args.get("rule"),
                                        request.args.get("area"))
        except LookupError:
            return self.response_404()
        except ValueError as exc:
            return self.response_400(message=str(exc))
        rows, total = svc.alert_page(user, filters, page, size)
        return self.response(200, count=total, page=page, page_size=size,
                             result=[alert_json(a) for a in rows])

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def get(self, pk):
        """One alert: its figures, the cases behind it the caller may see (the others counted),
        its notes.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: The alert
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
        """
        user = current_user_obj()
        alert = svc.alert_for(user, pk)
        if alert is None:
            return self.response_404()
        return self.response(200, result=alert_json(alert, user, full=True))

    def _step(self, pk, step):
        user = current_user_obj()
        alert = svc.alert_for(user, pk)
        if alert is None:
            return self.response_404()
        body, error = json_object(self, gettext("Send a JSON object with the “version” you read."))
        if error:
            return error
        try:
            step(alert, user, str(body.get("note") or ""), body.get("version"))
        except svc.AlertStale:
            return self.response(409, message=str(svc.STALE))
        except svc.AlertRefused as exc:
            if exc.conflict:
                return self.response(409, message=" ".join(str(m) for ms in exc.reasons.values() for m in ms))
            return self.response_422(message=exc.reasons)
        except ValueError:
            return self.response_400(message=gettext("The version must be a whole number."))
        return self.response(200, result=alert_json(alert, user, full=True))

    @expose("/<int:pk>/acknowledge", methods=["POST"])
    @protect()
    @safe
    def acknowledge(self, pk):
        """Acknowledge an open alert: someone responsible is acting on it.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [version]
                  properties:
                    version:
                      type: integer
                      description: The alert's version as last read; a stale one answers 409.
                    note:
                      type: string
          responses:
            200:
              description: The alert, now acknowledged
            409:
              description: The version is stale, or the alert is no longer open
            422:
              description: No version was sent
        """
        return self._step(pk, svc.acknowledge)

    @expose("/<int:pk>/resolve", methods=["POST"])
    @protect()
    @safe
    def resolve(self, pk):
        """Resolve an open or acknowledged alert, saying how.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [version, note]
                  properties:
                    version:
                      type: integer
                      description: The alert's version as last read; a stale one answers 409.
                    note:
                      type: string
                      description: How the situation was resolved.
          responses:
            200:
              description: The alert, now resolved
            409:
              description: The version is stale, or the alert is already resolved
            422:
              description: No note, or no version
        """
        return self._step(pk, svc.resolve)
