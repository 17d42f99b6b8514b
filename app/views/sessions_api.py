"""The API of appointments, sessions and attachments: ``/api/v1/case/<id>/appointments``,
``…/sessions`` and ``…/attachments`` — the same services and checks as the pages."""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from app.lifecycle import sessions as svc
from app.services import uploads
from app.services.scope import current_user_obj
from app.views.case_access import api_attempt, case_in_sight, json_object
from app.views.keys import sent_version, requires_version
from app.views.sessions import uploaded_files
from app.views.workflow import WORKFLOW_PERMISSIONS


def _when(value):
    """An ISO 8601 date-time from JSON (naive = local time), or ``None``."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _text(body: dict, key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


class SessionApi(BaseApi):
    """``/api/v1/case/<id>/appointments``, ``…/sessions``, ``…/attachments``."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "CaseWorkflow"
    base_permissions = WORKFLOW_PERMISSIONS
    method_permission_name = {"appointments": "transition", "sessions": "transition",
                              "attachments": "transition", "attachment": "transition"}
    openapi_spec_tag = "Case workflow"

    def _body(self):
        """The JSON object sent, or the response refusing it (400, or 413 past MAX_CONTENT_LENGTH)."""
        body, error = json_object(self)
        return error or body

    @expose("/<int:pk>/appointments", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def appointments(self, pk):
        """Make an appointment: ``{"starts_at", "mode", "place", "online_room", "participants", "note", "version"}``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            201:
              description: the appointment's id, the case's state and version
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        body = self._body()
        if not isinstance(body, dict):
            return body
        made = []
        refused = api_attempt(self, "appointment", lambda: made.append(svc.make_appointment(
            case, current_user_obj(), _when(body.get("starts_at")), body.get("mode"), _text(body, "place"),
            _text(body, "online_room"), body.get("participants"), _text(body, "note"),
            expected_version=sent_version(body.get("version")))))
        return refused or self.response(201, id=made[0].id, status=case.status, version=case.version)

    @expose("/<int:pk>/sessions", methods=["POST"])
    @protect()
    @safe
    def sessions(self, pk):
        """Record a session: ``{"held_at", "mode", "minutes", "caucus_notes", "appointment_id"}``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            201:
              description: the session's id, the case's state and version (never the caucus notes)
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        body = self._body()
        if not isinstance(body, dict):
            return body
        held = []
        refused = api_attempt(self, "session", lambda: held.append(svc.record_session(
            case, current_user_obj(), _when(body.get("held_at")), body.get("mode"), _text(body, "minutes"),
            _text(body, "caucus_notes"), body.get("appointment_id"))))
        return refused or self.response(201, id=held[0].id, status=case.status, version=case.version)

    @expose("/<int:pk>/attachments", methods=["POST"])
    @protect()
    @safe
    def attachments(self, pk):
        """Upload files (multipart: ``file`` one or more, ``kind``, optional ``session_id``).
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            201:
              description: the files kept
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        try:
            kind = request.form.get("kind", "")
            rows = uploads.store_for_case(case, uploaded_files("file", kind), request.form.get("session_id"), current_user_obj())
        except RequestEntityTooLarge:
            return self.response(413, message=gettext("The upload is larger than the server accepts."))
        except uploads.UploadRefused as exc:
            if exc.status == 422:
                return self.response_422(message={"file": [exc.reason]})
            return self.response(exc.status, message=exc.reason)
        return self.response(201, attachments=[
            {"id": r.id, "original_name": r.original_name, "kind": r.kind, "content_type": r.content_type,
             "size": r.size, "sha256": r.sha256} for r in rows
        ])

    @expose("/<int:pk>/attachments/<int:att_id>", methods=["GET"])
    @protect()
    @safe
    def attachment(self, pk, att_id):
        """Download a file of the case.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          - in: path
            name: att_id
            schema:
              type: integer
          responses:
            200:
              description: the file, with its original name in Content-Disposition
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        resp = uploads.send_attachment(case, att_id)
        return resp if resp is not None else self.response_404()
