"""Appointments, sessions and attachments of a case: pages and downloads (the API is in
:mod:`app.views.sessions_api`).

Writing (appointments, sessions, uploads) needs the workflow's permission ("can_transition"
on "CaseWorkflow"); reading the record and downloading its files needs only "can_show" on
"Case", like the case page itself. Every path starts from a case the caller may see.
"""
from __future__ import annotations

import re

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateTimeLocalField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional as Opt

from app import form_drafts
from app.extensions import db
from app.lifecycle import sessions as svc
from app.models.case import Case
from app.models.mediation import APPOINTMENT_STATUS, ATTACHMENT_KINDS, MODES, Attachment
from app.services import clock, uploads
from app.session_guard import keep_drafts
from app.views.cases import CASE_PERMISSIONS
from app.views.keys import sent_version, requires_version
from app.views.case_access import attempt, visible_case
from app.views.workflow import WORKFLOW_PERMISSIONS

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _mode_choices():
    return [(k, str(v)) for k, v in MODES.items()]


def _kind_choices():
    return [(k, str(v)) for k, v in ATTACHMENT_KINDS.items()]


class AppointmentForm(FlaskForm):
    """When and how the parties meet the mediator, and who comes."""

    version = HiddenField()
    starts_at = DateTimeLocalField(_l("Date and time"), format=DATETIME_FORMATS, validators=[DataRequired()])
    mode = SelectField(_l("Mode"), choices=_mode_choices)
    place = StringField(_l("Place (in person)"), validators=[Opt(), Length(max=200)])
    online_room = StringField(_l("Room number or link (online, audio, video)"), validators=[Opt(), Length(max=200)])
    participants = TextAreaField(_l("Participants (one name per line)"), validators=[Opt(), Length(max=4000)])
    note = TextAreaField(_l("Note"), validators=[Opt(), Length(max=4000)])


class CancelForm(FlaskForm):
    """Why an appointment is cancelled."""

    note = StringField(_l("Reason for cancelling"), validators=[Opt(), Length(max=4000)])


class SessionForm(FlaskForm):
    """A session held: when, how, the minutes, the mediator's caucus notes and the files."""

    held_at = DateTimeLocalField(_l("Held at"), format=DATETIME_FORMATS, validators=[DataRequired()])
    mode = SelectField(_l("Mode"), choices=_mode_choices)
    appointment_id = SelectField(_l("Appointment"), choices=[("", "—")], validate_choice=False)
    minutes = TextAreaField(_l("Minutes (笔录)"), validators=[Opt(), Length(max=svc.MAX_TEXT)])
    caucus_notes = TextAreaField(_l("Caucus notes (背对背, seen only by you)"), validators=[Opt(), Length(max=svc.MAX_TEXT)])
    recordings = MultipleFileField(_l("Recordings"))
    documents = MultipleFileField(_l("Documents"))


class UploadForm(FlaskForm):
    """Files to keep with the case, of one kind, optionally with a session."""

    kind = SelectField(_l("Kind"), choices=_kind_choices)
    session_id = SelectField(_l("Session"), choices=[("", "—")], validate_choice=False)
    files = MultipleFileField(_l("Files"))


def _names(text: str) -> list[str]:
    return [n for n in re.split(r"[\n\r,，、;；]+", text or "") if n.strip()]


def uploaded_files(field_name: str, kind: str) -> list[tuple]:
    """The non-empty files of one form field, each paired with the kind it is kept as."""
    return [(f, kind) for f in request.files.getlist(field_name) if f and f.filename]


def records_page(view, case: Case, status: int = 200, upload_form=None):
    """The case's appointments, sessions and files; caucus notes only for its mediator."""
    sessions = svc.sessions_of(case)
    attachments = list(db.session.scalars(
        db.select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.uploaded_at, Attachment.id)
    ))
    form = upload_form or UploadForm(formdata=None)
    form.session_id.choices = [("", "—")] + [(str(s.id), svc.local_date(s.held_at).isoformat()) for s in sessions]
    return view.render_template(
        "jiefen/session_records.html", case=case, appointments=svc.appointments_of(case), sessions=sessions,
        attachments=attachments, caucus=svc.can_read_caucus(g.user, case), modes=MODES, statuses=APPOINTMENT_STATUS,
        kinds=ATTACHMENT_KINDS, upload_form=form, cancel_form=CancelForm(formdata=None),
        writer=view.appbuilder.sm.has_access("can_transition", "CaseWorkflow"),
    ), status


class CaseRecordsView(BaseView):
    """``/case/<id>/sessions`` and the downloads: read with the case's own permission."""

    route_base = "/case"
    class_permission_name = "Case"
    base_permissions = CASE_PERMISSIONS
    method_permission_name = {"records": "show", "download": "show"}

    @expose("/<pk>/sessions")
    @has_access
    def records(self, pk):
        """Appointments, sessions with their minutes, and the files of the case."""
        return records_page(self, visible_case(pk))

    @expose("/<pk>/attachments/<att_id>")
    @has_access
    def download(self, pk, att_id):
        """One file, if the case is visible and the file belongs to it."""
        resp = uploads.send_attachment(visible_case(pk), att_id)
        if resp is None:
            abort(404)
        return resp


class SessionView(BaseView):
    """Making and cancelling appointments, recording sessions, uploading files."""

    route_base = "/case"
    class_permission_name = "CaseWorkflow"
    base_permissions = WORKFLOW_PERMISSIONS
    method_permission_name = {"appointment": "transition", "cancel": "transition",
                              "record": "transition", "upload": "transition"}

    @expose("/<pk>/appointment", methods=["GET", "POST"])
    @has_access
    @requires_version
    def appointment(self, pk):
        """GET: the appointment form; POST: make it, or re-show what was typed and why not."""
        case = visible_case(pk)
        form = AppointmentForm(formdata=request.form if request.method == "POST" else None)
        status = 200
        if request.method == "GET":
            form.version.data = str(case.version)
            form.participants.data = "\n".join([p.name for p in case.parties] + ([case.mediator.name] if case.mediator else []))
        elif not form.validate():
            status = 422
        else:
            status = attempt(lambda: svc.make_appointment(
                case, g.user, form.starts_at.data, form.mode.data, form.place.data, form.online_room.data,
                _names(form.participants.data), form.note.data, expected_version=sent_version(form.version.data)))
            if status is None:
                flash(gettext("The appointment is made."), "success")
                return redirect(url_for("CaseRecordsView.records", pk=case.id))
        return self.render_template("jiefen/appointment_form.html", case=case, form=form), status

    @expose("/<pk>/appointment/<appointment_id>/cancel", methods=["POST"])
    @has_access
    def cancel(self, pk, appointment_id):
        """Cancel a planned appointment, with the reason."""
        case = visible_case(pk)
        form = CancelForm(formdata=request.form)
        status = 422
        if form.validate():
            status = attempt(lambda: svc.cancel_appointment(case, appointment_id, g.user, form.note.data or ""))
            if status is None:
                flash(gettext("The appointment is cancelled."), "success")
                return redirect(url_for("CaseRecordsView.records", pk=case.id))
        return records_page(self, case, status)

    @expose("/<pk>/session", methods=["GET", "POST"])
    @has_access
    def record(self, pk):
        """GET: the session form; POST: record the session and its files, all or nothing."""
        case = visible_case(pk)
        # What was typed before the session or the form's token expired (app/session_guard.py).
        kept = form_drafts.take(request.path, g.user.id) if request.method == "GET" else None
        form = SessionForm(formdata=request.form if request.method == "POST" else (MultiDict(kept) if kept else None))
        planned = [a for a in svc.appointments_of(case) if a.status == "planned"]
        form.appointment_id.choices = [("", "—")] + [
            (str(a.id), f"{svc.local_date(a.starts_at).isoformat()} {MODES.get(a.mode, a.mode)}") for a in planned
        ]
        caucus = svc.can_read_caucus(g.user, case)
        status = 200
        if kept:
            flash(gettext("What you typed before is back in the form: check it and record the session."), "info")
        elif request.method == "GET":
            form.held_at.data = clock.now().replace(tzinfo=None, second=0, microsecond=0)
            chosen = next((a for a in planned if str(a.id) == request.args.get("appointment")), None)
            if chosen is not None:
                form.appointment_id.data, form.mode.data = str(chosen.id), chosen.mode
                # A session starts no earlier than its appointment: offer the appointment's time
                # once it has come, rather than "now" (which may be before it, and refused).
                if clock.stored_utc(chosen.starts_at) <= clock.utc_now():
                    form.held_at.data = clock.local_wall_time(chosen.starts_at)
        elif not form.validate():
            status = 422
        else:
            chosen = uploaded_files("recordings", "recording") + uploaded_files("documents", "document")
            # record_session removes the files from disk whenever it does not commit
            status = attempt(lambda: svc.record_session(
                case, g.user, form.held_at.data, form.mode.data, form.minutes.data, form.caucus_notes.data,
                form.appointment_id.data or None, files=uploads.prepare_all(chosen)))
            if status is None:
                flash(gettext("The session is recorded."), "success")
                return redirect(url_for("CaseRecordsView.records", pk=case.id))
            if chosen:
                flash(gettext("Files are not kept when a form is refused: choose them again."), "info")
        return self.render_template("jiefen/session_form.html", case=case, form=form, caucus=caucus), status

    @expose("/<pk>/attachments", methods=["POST"])
    @has_access
    def upload(self, pk):
        """Keep uploaded files with the case: all of them, or none with the reason."""
        case = visible_case(pk)
        form = UploadForm(formdata=request.form)
        if form.validate():
            rows = []
            status = attempt(lambda: rows.extend(
                uploads.store_for_case(case, uploaded_files("files", form.kind.data), form.session_id.data, g.user)))
            if status is not None:
                return records_page(self, case, status, form)
            flash(ngettext("%(num)s file kept with the case.", "%(num)s files kept with the case.", len(rows)), "success")
            return redirect(url_for("CaseRecordsView.records", pk=case.id))
        return records_page(self, case, 422, form)


def register_session_views(appbuilder) -> None:
    """The session pages, downloads and endpoints; no menu entries (reached from the case)."""
    appbuilder.add_view_no_menu(CaseRecordsView)
    appbuilder.add_view_no_menu(SessionView)
    keep_drafts("SessionView.record", ("held_at", "mode", "appointment_id", "minutes", "caucus_notes"),
                permission=("can_transition", "CaseWorkflow"))
    from app.views.sessions_api import SessionApi

    appbuilder.add_api(SessionApi)
