"""Joint analysis meetings (联席研判), the pages: the list (newest first, by year and
convening body), the minutes with what was discussed and the follow-ups, the forms to record
and edit a meeting, to add and remove items and tasks, the minutes as DOCX, and the owner's
page to report a follow-up done (``/meetings/tasks/<id>/done``).

Reads go through :mod:`app.services.meetings` (the reader's scope: another body's meeting
answers 404 like a missing one); writes through :mod:`app.services.meeting_records`.
"""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from app.audit import record_access
from app.extensions import appbuilder, db
from app.models.case import CASE_STATES
from app.models.meeting import MeetingTask
from app.names import person_name
from app.services import meeting_records as records
from app.services import meetings as reading
from app.services.clock import today
from app.services.meeting_minutes import DOCX_MIME, minutes_disposition, minutes_docx
from app.views.keys import is_valid_pk
from app.views.meeting_forms import DoneForm, ItemForm, MeetingForm, TaskForm, put_errors

STALE = _l("Someone else changed this meeting after you opened it. Nothing was changed; open the meeting "
           "again and redo your change.")
NO_CONVENER = _l("You may record the meetings of the centre or court body you work for. Ask an administrator "
                 "to file you under one (Security → Staff).")
MEETING_PERMISSIONS = ["can_list", "can_show", "can_add", "can_edit"]
TASK_PERMISSIONS = ["can_done"]
TASK_TAGS = {"done": "green", "overdue": "red", "open": "blue"}
# Pages of other helpers' records, when installed: (endpoint, argument name).
SUBJECT_PAGES = {
    "alert": [("AlertView.show", "pk"), ("AlertModelView.show", "pk")],
    "hazard": [("HazardView.show", "pk"), ("HazardModelView.show", "pk")],
}


def _int_arg(name: str):
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 10 else None


def subject_url(kind: str, pk: int):
    """The page of an item's case, alert or hazard (``None`` when there is none to link to)."""
    if kind == "case":
        return url_for("CaseModelView.show", pk=pk)
    for endpoint, arg in SUBJECT_PAGES.get(kind, []):
        try:
            return url_for(endpoint, **{arg: pk})
        except BuildError:
            continue
    return None


def subject_rows(seen) -> list[dict]:
    """The visible items as the page shows them."""
    rows = []
    for item in seen.shown:
        kind = reading.item_kind(item)
        number, text = reading.subject_text(item)
        pk = item.case_id or item.alert_id or item.hazard_id
        status = CASE_STATES.get(item.case.status, "") if kind == "case" else ""
        rows.append({"item": item, "kind": kind, "kind_label": reading.ITEM_KINDS[kind], "number": number,
                     "text": text, "status": status, "url": subject_url(kind, pk)})
    return rows


def meeting_tasks(meeting) -> list[MeetingTask]:
    """The meeting's follow-ups with their owners, earliest due first (one statement, bounded)."""
    return list(db.session.scalars(
        select(MeetingTask).where(MeetingTask.meeting_id == meeting.id).options(selectinload(MeetingTask.owner))
        .order_by(MeetingTask.due_on, MeetingTask.id).limit(reading.MAX_TASKS)))


def _owner_label(user, org) -> str:
    return f"{person_name(user)}（{org.name}）"


def item_form(formdata=None) -> ItemForm:
    """The add-an-item form with its kinds."""
    form = ItemForm(formdata=formdata)
    form.kind.choices = [(k, str(v)) for k, v in reading.ITEM_KINDS.items()]
    return form


def task_form(meeting, formdata=None) -> TaskForm:
    """The add-a-follow-up form with the people at the meeting's bodies."""
    form = TaskForm(formdata=formdata)
    form.owner_id.choices = [("", "—")] + [(str(u.id), _owner_label(u, o)) for u, o in reading.owner_choices(meeting)]
    return form


def meeting_form(user, formdata=None, meeting=None) -> MeetingForm:
    """The minutes' form with the bodies ``user`` records for and every body that may take part."""
    form = MeetingForm(formdata=formdata)
    bodies = reading.conveners(user)
    if meeting is not None and meeting.organization is not None and meeting.organization not in bodies:
        bodies = [meeting.organization] + bodies  # an administrator's earlier choice stays offered
    form.organization_id.choices = ([] if len(bodies) == 1 else [("", "—")]) + [(str(o.id), o.name) for o in bodies]
    form.participant_ids.choices = [(str(o.id), o.name) for o in reading.participant_choices()]
    return form


class MeetingView(BaseView):
    """``/meetings/list/``, ``/meetings/show/<id>``, ``/meetings/add``, ``/meetings/edit/<id>``,
    the items and tasks of a meeting, and ``/meetings/<id>/minutes.docx``."""

    route_base = "/meetings"
    default_view = "list"
    class_permission_name = "JointMeeting"
    base_permissions = MEETING_PERMISSIONS
    method_permission_name = {
        "list": "list", "show": "show", "minutes": "show", "add": "add", "edit": "edit",
        "add_item": "edit", "remove_item": "edit", "add_task": "edit", "remove_task": "edit",
    }

    # --- reading ------------------------------------------------------------------------------

    def _meeting(self, pk):
        meeting = reading.visible_meeting(pk, g.user)
        if meeting is None:
            abort(404)
        return meeting

    def _editable(self, pk):
        meeting = self._meeting(pk)
        if not reading.may_edit(g.user, meeting):
            abort(404)
        return meeting

    @expose("/list/")
    @has_access
    def list(self):
        """The meetings the reader may see, newest first, 25 a page, by year and convening body."""
        year, body = _int_arg("year"), _int_arg("organization")
        page = _int_arg("page") or 0
        listing = reading.meeting_page(g.user, year=year, organization_id=body, page=page)
        args = {k: v for k, v in (("year", year), ("organization", body)) if v is not None}
        return self.render_template(
            "jiefen/meeting_list.html", listing=listing, years=reading.meeting_years(g.user),
            bodies=reading.convening_bodies(g.user), year=year, body=body, args=args,
            may_record=appbuilder.sm.has_access("can_add", "JointMeeting") and reading.may_record(g.user))

    def _show(self, meeting, *, items=None, tasks=None, status=200):
        seen = reading.discussed(meeting, g.user)
        editable = reading.may_edit(g.user, meeting) and appbuilder.sm.has_access("can_edit", "JointMeeting")
        return self.render_template(
            "jiefen/meeting_show.html", meeting=meeting, seen=seen, subjects=subject_rows(seen),
            tasks=meeting_tasks(meeting), today=today(), editable=editable,
            participants=sorted(meeting.participants, key=lambda o: (o.name, o.id)),
            item_form=items if items is not None else (item_form() if editable else None),
            task_form=tasks if tasks is not None else (task_form(meeting) if editable else None),
            done_form=DoneForm(formdata=None), task_status=reading.task_status, task_tags=TASK_TAGS,
            task_labels=reading.TASK_STATUS, person_name=person_name), status

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """The minutes: facts, bodies, what was discussed (named if the reader may see it), decisions, follow-ups."""
        return self._show(self._meeting(pk))

    @expose("/<pk>/minutes.docx")
    @has_access
    def minutes(self, pk):
        """The minutes as a Word document, with what the reader may see (logged as a download)."""
        meeting = self._meeting(pk)
        seen = reading.discussed(meeting, g.user)
        data = minutes_docx(meeting, seen, meeting_tasks(meeting), today())
        record_access("joint_meeting", meeting.id, "download", {
            "case_ids": sorted(i.case_id for i in seen.shown if i.case_id)})
        return Response(data, mimetype=DOCX_MIME, headers={"Content-Disposition": minutes_disposition(meeting)})

    # --- the minutes' facts --------------------------------------------------------------------

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """Record a meeting; a refusal shows the form again with what was typed."""
        if not reading.may_record(g.user):
            flash(str(NO_CONVENER), "warning")
            return self.render_template("jiefen/meeting_form.html", form=None, meeting=None), 403
        form = meeting_form(g.user, request.form if request.method == "POST" else None)
        status = 200
        if request.method == "GET":
            form.held_on.data = today()
            if len(form.organization_id.choices) == 1:
                form.organization_id.data = form.organization_id.choices[0][0]
        elif form.validate():
            try:
                meeting = records.record_meeting(g.user, form.facts())
            except records.MeetingRefused as exc:
                put_errors(form, exc.errors)
                status = 422
            else:
                flash(gettext("The meeting is recorded. Add what was discussed and the follow-ups."), "success")
                return redirect(url_for("MeetingView.show", pk=meeting.id))
        else:
            status = 422
        if status == 422:
            flash(gettext("Please correct the fields marked in red."), "danger")
        return self.render_template("jiefen/meeting_form.html", form=form, meeting=None), status

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """Change the facts; refused when someone else saved the meeting since it was read."""
        meeting = self._editable(pk)
        form = meeting_form(g.user, request.form if request.method == "POST" else None, meeting)
        status = 200
        if request.method == "GET":
            form.version.data = str(meeting.version)
            for name in ("held_on", "title", "place", "chair", "summary", "decisions"):
                getattr(form, name).data = getattr(meeting, name)
            form.organization_id.data = str(meeting.organization_id or "")
            form.participant_ids.data = [str(o.id) for o in meeting.participants]
        elif form.validate():
            try:
                records.update_meeting(g.user, meeting, form.facts(), form.version.data)
            except records.MeetingRefused as exc:
                put_errors(form, exc.errors)
                for message in exc.errors.get("version", []):
                    flash(str(message), "danger")
                status = 422
            except records.StaleMeeting:
                flash(str(STALE), "warning")
                db.session.expire_all()
                status = 409
            else:
                flash(gettext("The minutes are saved."), "success")
                return redirect(url_for("MeetingView.show", pk=meeting.id))
        else:
            status = 422
        if status == 422:
            flash(gettext("Please correct the fields marked in red."), "danger")
        return self.render_template("jiefen/meeting_form.html", form=form, meeting=meeting), status

    # --- items and tasks -------------------------------------------------------------------------

    @expose("/show/<pk>/items", methods=["POST"])
    @has_access
    def add_item(self, pk):
        """Put a case, alert or hazard on the list; a refusal shows the page again with what was typed."""
        meeting = self._editable(pk)
        form = item_form(request.form)
        if form.validate():
            try:
                records.add_item(g.user, meeting, form.kind.data, form.reference.data, form.note.data or "")
            except records.MeetingRefused as exc:
                put_errors(form, exc.errors)
            else:
                flash(gettext("Added to what the meeting discussed."), "success")
                return redirect(url_for("MeetingView.show", pk=meeting.id, _anchor="items"))
        flash(gettext("Please correct the fields marked in red."), "danger")
        return self._show(meeting, items=form, status=422)

    @expose("/show/<pk>/items/<iid>/remove", methods=["POST"])
    @has_access
    def remove_item(self, pk, iid):
        """Take an item off the list."""
        meeting = self._editable(pk)
        if not is_valid_pk(iid):
            abort(404)
        try:
            records.remove_item(g.user, meeting, int(iid))
        except LookupError:
            abort(404)
        flash(gettext("Removed from what the meeting discussed."), "success")
        return redirect(url_for("MeetingView.show", pk=meeting.id, _anchor="items"))

    @expose("/show/<pk>/tasks", methods=["POST"])
    @has_access
    def add_task(self, pk):
        """Give a follow-up; a refusal shows the page again with what was typed, nothing stored."""
        meeting = self._editable(pk)
        form = task_form(meeting, request.form)
        if form.validate():
            try:
                task = records.add_task(g.user, meeting, form.text.data, form.owner_id.data, form.due_on.data)
            except records.MeetingRefused as exc:
                put_errors(form, exc.errors)
            else:
                flash(gettext("The follow-up is on %(name)s's My work until it is done.",
                              name=person_name(task.owner)), "success")
                return redirect(url_for("MeetingView.show", pk=meeting.id, _anchor="tasks"))
        flash(gettext("Please correct the fields marked in red."), "danger")
        return self._show(meeting, tasks=form, status=422)

    @expose("/show/<pk>/tasks/<tid>/remove", methods=["POST"])
    @has_access
    def remove_task(self, pk, tid):
        """Take back a follow-up not yet done."""
        meeting = self._editable(pk)
        if not is_valid_pk(tid):
            abort(404)
        try:
            records.remove_task(g.user, meeting, int(tid))
        except LookupError:
            abort(404)
        except records.MeetingRefused as exc:
            for message in exc.errors.get("task", []):
                flash(str(message), "danger")
        else:
            flash(gettext("The follow-up is taken back."), "success")
        return redirect(url_for("MeetingView.show", pk=meeting.id, _anchor="tasks"))


class MeetingTaskView(BaseView):
    """``/meetings/tasks/<id>/done``: the owner reports a follow-up done, with a note."""

    route_base = "/meetings/tasks"
    # what the role pages call this permission's view (app/views/permission_labels.py)
    title = _l("Follow-ups from joint analysis meetings")
    class_permission_name = "MeetingTask"
    base_permissions = TASK_PERMISSIONS
    method_permission_name = {"done": "done"}

    @expose("/<tid>/done", methods=["GET", "POST"])
    @has_access
    def done(self, tid):
        """GET: the follow-up and the note to write; POST: report it done (a second report changes nothing)."""
        task = reading.own_task(tid, g.user)
        if task is None:
            abort(404)
        back = request.values.get("back") == "meeting"
        form = DoneForm(formdata=request.form if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            if form.validate():
                try:
                    changed = records.mark_done(g.user, task, form.note.data)
                except records.MeetingRefused as exc:
                    put_errors(form, exc.errors)
                    status = 422
                else:
                    flash(gettext("The follow-up is done.") if changed
                          else gettext("This follow-up was already reported done."), "success")
                    if back and reading.visible_meeting(task.meeting_id, g.user) is not None:
                        return redirect(url_for("MeetingView.show", pk=task.meeting_id, _anchor="tasks"))
                    return redirect(url_for("MyWorkView.index"))
            else:
                status = 422
            if status == 422:
                flash(gettext("Please correct the fields marked in red."), "danger")
        meeting = task.meeting
        readable = (appbuilder.sm.has_access("can_show", "JointMeeting")
                    and reading.visible_meeting(meeting.id, g.user) is not None)
        return self.render_template("jiefen/meeting_task_done.html", task=task, meeting=meeting, form=form,
                                    readable=readable, back=back, today=today(),
                                    status_label=reading.TASK_STATUS[reading.task_status(task, today())],
                                    tag=TASK_TAGS[reading.task_status(task, today())]), status


def register_meeting_views(appbuilder) -> None:
    """The meetings under "Screening and warning", the owner's task page, and the API."""
    from app.views.meetings_api import MeetingApi, MeetingTaskApi

    appbuilder.add_view(MeetingView, "Joint analysis meetings", label=_l("Joint analysis meetings"),
                        icon="fa-users", category="Warning", category_label=_l("Screening and warning"),
                        category_icon="fa-bell")
    appbuilder.add_view_no_menu(MeetingTaskView)
    appbuilder.add_api(MeetingApi)
    appbuilder.add_api(MeetingTaskApi)
