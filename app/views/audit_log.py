"""The audit page (``/audit/``): who changed, downloaded or exported which case data, and when.

Read-only: there is no route that adds, edits or deletes a row (the table refuses it anyway).
Auditors and administrators filter by user, case, table, action and a period of China-time
days, page through newest first (keyset paging on the id: a page costs the same at row 10 as
at row 10 million, and no page counts the table), and export what they filtered as an Excel
workbook written row by row (openpyxl write-only mode, rows read in batches), itself audited.

**Case filter.** Every audit row carries ``case_id``, resolved when it is written (the case
itself, or the case of a party, agreement, signature, …; downloads and exports from their
details); the filter takes a case number or a case id and matches that column.
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile

from flask import request, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import Optional as Optional_, ValidationError

from app.audit import record_access
from app.audit_chain import TABLE
from app.extensions import db
from app.intake.fields import LocalisedDateField
from app.models.case import Case
from app.names import EMPTY, person_name
from app.services.classification import mask_numbers_in_text
from app.services.clock import court_zone, stored_utc, today
from app.views.readable import display_value

PAGE_SIZE = 50
EXPORT_BATCH = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TABLES = {
    "cases": _l("Case"), "party": _l("Party"), "consent": _l("Consent to mediation"),
    "assignment": _l("Mediator assignment"), "agreement": _l("Mediation agreement"),
    "agreed_term": _l("Agreed term"), "signature": _l("Signature"),
    "judicial_confirmation": _l("Judicial confirmation"), "return_visit": _l("Return visit"),
    "appointment": _l("Appointment"), "mediation_session": _l("Mediation session"),
    "attachment": _l("Attachment"), "mediator": _l("Mediator"), "membership": _l("Staff membership"),
    "setting": _l("Dated setting"), "plugin_state": _l("Plugin switch"), "referral": _l("Referral"),
    "organization": _l("Organisation"), "audit_event": _l("Audit log"),
}
ACTIONS = {
    "insert": _l("Row created"), "update": _l("Row changed"), "delete": _l("Row deleted"),
    "download": _l("File downloaded"), "export": _l("Data exported"), "draft": _l("Draft agreement made"),
    "reveal": _l("Personal data revealed"), "dupcheck": _l("Duplicate check matched cases out of sight"),
}
CHANNELS = {"web": _l("Web page"), "api": _l("API call"), "cli": _l("Command line")}
HIDDEN_VALUE = "[hidden]"
# Columns many audited tables share; the rest are named by the labels of the table's admin
# page where it has one, else by the column's own name.
FIELDS = {
    "id": _l("No."), "case_id": _l("Case"), "status": _l("Status"), "name": _l("Name"), "role": _l("Role"),
    "kind": _l("Kind"), "mobile": _l("Mobile"), "id_number": _l("ID number"), "address": _l("Address"),
    "version": _l("Version"), "area_id": _l("Area"), "organization_id": _l("Organisation"),
    "user_id": _l("User"), "created_by_fk": _l("Registered by"), "changed_by_fk": _l("Changed by"),
    "responsible_staff_id": _l("Responsible staff member"), "claim_amount": _l("Amount claimed"),
    "birth_date": _l("Date of birth"), "changed_at": _l("Last changed"), "created_at": _l("Created at"),
    "intake_data": _l("Intake details"), "linkage_mechanism": _l("Mechanism"), "linkage_settings": _l("Settings"),
}
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


class AuditFilterForm(FlaskForm):
    """The page's filters, read from the query string (GET: nothing is changed, so no CSRF)."""

    class Meta:
        csrf = False

    user = SelectField(_l("User"), validators=[Optional_()], validate_choice=True)
    case = StringField(_l("Case (number or id)"), validators=[Optional_()])
    table = SelectField(_l("Table"), validators=[Optional_()])
    action = SelectField(_l("Action"), validators=[Optional_()])
    start = LocalisedDateField(_l("From (China time)"), format="%Y-%m-%d", validators=[Optional_()])
    end = LocalisedDateField(_l("To (China time)"), format="%Y-%m-%d", validators=[Optional_()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = gettext("All")
        users = db.session.execute(select(User.id, User.first_name, User.last_name, User.username)
                                   .order_by(User.id)).all()
        self.user.choices = [("", everyone)] + [(str(u.id), person_name(u.first_name, u.last_name) or u.username)
                                                for u in users]
        self.table.choices = [("", everyone)] + sorted(((k, str(v)) for k, v in TABLES.items()), key=lambda c: c[1])
        self.action.choices = [("", everyone)] + [(k, str(v)) for k, v in ACTIONS.items()]
        self.case_id = None

    def validate_case(self, field):
        """A case number (汕城解…) or a case id of a case that exists."""
        text = (field.data or "").strip()
        if not text:
            return
        if re.fullmatch(r"\d{1,9}", text):
            self.case_id = int(text)
            return
        self.case_id = db.session.scalar(select(Case.id).where(Case.case_no == text[:40]))
        if self.case_id is None:
            raise ValidationError(gettext("No case has this number."))

    def validate_end(self, field):
        """The period does not end before it starts."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(gettext("The end date is before the start date."))


def _utc_midnight(day: dt.date) -> dt.datetime:
    """00:00 China time on ``day``, in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=court_zone()).astimezone(dt.timezone.utc)


def _filtered(form: AuditFilterForm):
    """The select for the rows the (valid) filters describe, newest first."""
    query = select(TABLE).order_by(TABLE.c.id.desc())
    if form.user.data:
        query = query.where(TABLE.c.actor_id == int(form.user.data))
    if form.case_id is not None:
        query = query.where(TABLE.c.case_id == form.case_id)
    if form.table.data:
        query = query.where(TABLE.c.table_name == form.table.data)
    if form.action.data:
        query = query.where(TABLE.c.action == form.action.data)
    if form.start.data:
        query = query.where(TABLE.c.at >= _utc_midnight(form.start.data))
    if form.end.data:
        query = query.where(TABLE.c.at < _utc_midnight(form.end.data + dt.timedelta(days=1)))
    return query


def _value(value) -> str:
    """A logged value as people read it: times in China time, nothing raw."""
    if value == HIDDEN_VALUE:
        return gettext("(not recorded)")
    if isinstance(value, str) and _ISO_TIME.fullmatch(value):
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return stored_utc(at).astimezone(court_zone()).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dict):
        return "；".join(f"{k}: {_value(v)}" for k, v in sorted(value.items())) or EMPTY
    if isinstance(value, list):
        return "、".join(_value(v) for v in value) or EMPTY
    # rows logged before free text was masked at write time may hold a clear number
    return mask_numbers_in_text(str(display_value(value)))


def _admin_pages() -> tuple[dict, dict]:
    """(table, column) → the translated label, and → the formatter, that the table's admin page
    gives the column (built once per app)."""
    from flask import current_app

    cached = current_app.extensions.get("jiefen_audit_fields")
    if cached is None:
        labels, formatters = {}, {}
        for view in current_app.appbuilder.baseviews:
            table = getattr(getattr(getattr(view, "datamodel", None), "obj", None), "__tablename__", None)
            if not table:
                continue
            for column, label in (getattr(view, "label_columns", None) or {}).items():
                # FAB's own guess ("Area Id") is English; only a label the view chose is kept
                if str(label) != column.replace("_", " ").title():
                    labels.setdefault((table, column), label)
            for column, formatter in (getattr(view, "formatters_columns", None) or {}).items():
                formatters.setdefault((table, column), formatter)
        cached = current_app.extensions["jiefen_audit_fields"] = (labels, formatters)
    return cached


def _shown(formatter, value) -> str:
    """A logged value, through the admin page's formatter when it takes a plain value."""
    if formatter is not None and isinstance(value, (str, int)) and value != HIDDEN_VALUE:
        try:
            return str(display_value(formatter(value)))
        except Exception:  # a formatter written for the model's objects, not for logged values
            pass
    return _value(value)


def changes_text(table: str, action: str, changes) -> list[str]:
    """The changes as lines people read: ``field: old → new`` for an update, ``field: value`` else."""
    (labels, formatters), lines = _admin_pages(), []
    for key, value in sorted((changes or {}).items()):
        name = labels.get((table, key)) or FIELDS.get(key) or key
        shown = formatters.get((table, key))
        if action == "update" and isinstance(value, list) and len(value) == 2:
            lines.append(f"{name}: {_shown(shown, value[0])} → {_shown(shown, value[1])}")
        else:
            lines.append(f"{name}: {_shown(shown, value)}")
    return lines


class _Lookups:
    """Names of the users and numbers of the cases on one batch of rows (two queries a batch)."""

    def __init__(self, rows):
        actors = {r.actor_id for r in rows if r.actor_id is not None}
        cases = {r.case_id for r in rows if r.case_id is not None}
        self.users = {u.id: person_name(u) for u in db.session.execute(
            select(User.id, User.first_name, User.last_name, User.username).where(User.id.in_(actors)))}
        self.cases = dict(db.session.execute(select(Case.id, Case.case_no).where(Case.id.in_(cases))).all())

    def row(self, r) -> dict:
        """One audit row as the page and the export show it."""
        at = stored_utc(r.at).astimezone(court_zone())
        return {
            "id": r.id,
            "time": at.strftime("%Y-%m-%d %H:%M:%S"),
            "user": (self.users.get(r.actor_id, EMPTY) if r.actor_id is not None
                     else gettext("(system)") if r.via == "cli" else gettext("(not signed in)")),
            "channel": str(CHANNELS.get(r.via, r.via)),
            "table": str(TABLES.get(r.table_name, r.table_name)),
            "row": r.row_id if r.row_id is not None else EMPTY,
            "case": self.cases.get(r.case_id, r.case_id) if r.case_id is not None else EMPTY,
            "action": str(ACTIONS.get(r.action, r.action)),
            "changes": changes_text(r.table_name, r.action, r.changes),
        }


def _headers() -> list[str]:
    return [gettext("No."), gettext("Time (China time)"), gettext("User"), gettext("Channel"), gettext("Table"),
            gettext("Row"), gettext("Case"), gettext("Action"), gettext("Changes")]


class AuditLogView(BaseView):
    """The audit log for auditors and administrators: filter, page, export."""

    route_base = "/audit"
    default_view = "index"
    class_permission_name = "AuditLog"
    base_permissions = ["can_list", "can_download"]
    method_permission_name = {"index": "list", "export": "download"}

    @expose("/")
    @has_access
    def index(self):
        """One page of the filtered rows, newest first; ``before`` is the id the page starts below."""
        form = AuditFilterForm(formdata=request.args)
        rows, older = [], None
        if form.validate():
            query = _filtered(form)
            before = request.args.get("before", "")
            if before.isdigit() and len(before) <= 12:
                query = query.where(TABLE.c.id < int(before))
            found = db.session.execute(query.limit(PAGE_SIZE + 1)).all()
            lookups = _Lookups(found[:PAGE_SIZE])
            rows = [lookups.row(r) for r in found[:PAGE_SIZE]]
            older = rows[-1]["id"] if len(found) > PAGE_SIZE else None
        args = {k: v for k, v in request.args.items() if k != "before" and k in form._fields}
        return self.render_template("jiefen/audit_log.html", form=form, rows=rows, older=older, args=args,
                                    headers=_headers(), paged="before" in request.args)

    @expose("/export.xlsx")
    @has_access
    def export(self):
        """The filtered rows as an .xlsx workbook, newest first (an invalid filter exports nothing)."""
        form = AuditFilterForm(formdata=request.args)
        if not form.validate():
            return self.index()
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(gettext("Audit log")[:31])
        header = []
        for title in _headers():
            cell = WriteOnlyCell(ws, value=title)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        query, count, last = _filtered(form), 0, None
        while True:
            batch = db.session.execute(
                (query.where(TABLE.c.id < last) if last else query).limit(EXPORT_BATCH)).all()
            if not batch:
                break
            lookups = _Lookups(batch)
            for r in batch:
                row = lookups.row(r)
                ws.append([_text_cell(ws, v) for v in (row["id"], row["time"], row["user"], row["channel"],
                                                       row["table"], row["row"], row["case"], row["action"],
                                                       "\n".join(row["changes"]))])
            count += len(batch)
            last = batch[-1].id
        out = tempfile.TemporaryFile()  # on disk, not in memory; removed when closed
        wb.save(out)
        out.seek(0)
        record_access("audit_event", None, "export", {"filters": _described(form), "rows": count})
        name = gettext("Audit log") + f" {today().isoformat()}.xlsx"
        return send_file(out, as_attachment=True, download_name=name, mimetype=XLSX, max_age=0)


def _text_cell(ws, value):
    """A write-only cell; text that looks like a formula stays text (app/services/spreadsheet.py)."""
    from openpyxl.cell import WriteOnlyCell

    from app.services.spreadsheet import FORMULA_STARTS, cell_value

    value = cell_value(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell


def _described(form: AuditFilterForm) -> dict:
    """The filters of an export, for its own audit row."""
    out = {name: form[name].data for name in ("user", "table", "action") if form[name].data}
    if form.case_id is not None:
        out["case_id"] = form.case_id
    for name in ("start", "end"):
        if form[name].data:
            out[name] = form[name].data.isoformat()
    return out


def register_audit_log_view(appbuilder) -> None:
    """The page, under the administration menu (Auditor and Admin see it)."""
    appbuilder.add_view(AuditLogView, "Audit log", label=_l("Audit log"), icon="fa-history", category="Security")
