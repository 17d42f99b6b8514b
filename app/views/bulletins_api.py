"""Bulletins (通报) by API: ``/api/v1/bulletins/`` — list, create, read, edit, regenerate, issue,
document — through :mod:`app.reports.bulletin`, as the pages (:mod:`app.views.bulletins`).

A bulletin out of the caller's reach answers 404; a caller who may not draft 403; any change
to an issued bulletin or with a stale version 409; a refusal 422 with the reason by field.
"""
from __future__ import annotations

from flask import Response, request
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_babel import gettext

from app.reports import bulletin as service
from app.reports.bulletin_docx import DOCX_MIME, disposition
from app.services.scope import current_user_obj
from app.views.bulletins import MAX_PAGE_SIZE, NOT_YOURS, PAGE_SIZE, PERMISSION, bulletin_json
from app.views.case_access import json_object


class BulletinApi(BaseApi):
    """``/api/v1/bulletins/``: list, create, read, edit, regenerate, issue, document."""

    route_base = "/api/v1/bulletins"
    resource_name = "bulletins"
    class_permission_name = PERMISSION
    base_permissions = ["can_read", "can_edit"]
    method_permission_name = {"list_bulletins": "read", "get_bulletin": "read", "document": "read",
                              "create": "edit", "edit": "edit", "regenerate": "edit", "issue": "edit"}
    openapi_spec_tag = "Bulletins"

    def _own(self, pk):
        return service.bulletin_in_sight(pk, current_user_obj())

    def _change(self, pk, call):
        bulletin = self._own(pk)
        if bulletin is None:
            return self.response_404()
        if not service.may_draft(current_user_obj()):
            return self.response(403, message=str(NOT_YOURS))
        body, error = json_object(self, gettext("Send a JSON object with the “version”."))
        if error:
            return error
        try:
            call(bulletin, body)
        except service.BulletinIssued:
            return self.response(409, message=str(service.ISSUED))
        except service.BulletinStale:
            return self.response(409, message=str(service.STALE))
        except service.BulletinRefused as exc:
            return self.response_422(message={exc.field: [str(exc.message)]})
        return self.response(200, result=bulletin_json(bulletin))

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def list_bulletins(self):
        """The bulletins the caller may read, newest first (figures left out).
        ---
        get:
          parameters:
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
              description: one page of bulletins and how many there are
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count:
                        type: integer
                      result:
                        type: array
                        items:
                          type: object
            400:
              description: the page or page size is not a whole number in range
        """
        raw_page, raw_size = request.args.get("page", "0"), request.args.get("page_size", str(PAGE_SIZE))
        if not (raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7 and raw_size.isascii()
                and raw_size.isdigit() and 0 < int(raw_size) <= MAX_PAGE_SIZE):
            return self.response_400(message=gettext("The page must be a whole number from 0 and the page size "
                                                     "from 1 to %(n)d.", n=MAX_PAGE_SIZE))
        rows, total = service.page_of(current_user_obj(), int(raw_page), int(raw_size))
        return self.response(200, count=total, result=[
            {k: v for k, v in bulletin_json(b).items() if k not in ("figures", "body")} for b in rows])

    @expose("/", methods=["POST"])
    @protect()
    @safe
    def create(self):
        """A draft: ``{"period", "level", "title", "body"}`` (title and text optional); its
        figures are frozen now.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [period, level]
                  properties:
                    period:
                      type: string
                    level:
                      type: string
                      enum: [department, centre, mediator, judge]
                    title:
                      type: string
                    body:
                      type: string
          responses:
            201:
              description: the draft
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
        """
        if not service.may_draft(current_user_obj()):
            return self.response(403, message=str(NOT_YOURS))
        body, error = json_object(self, gettext("Send a JSON object with the “period” and the “level”."))
        if error:
            return error
        try:
            bulletin = service.create(body.get("period"), body.get("level"), current_user_obj(),
                                      body.get("title"), body.get("body"))
        except service.BulletinRefused as exc:
            return self.response_422(message={exc.field: [str(exc.message)]})
        return self.response(201, result=bulletin_json(bulletin))

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def get_bulletin(self, pk):
        """One bulletin with its frozen figures.
        ---
        get:
          responses:
            200:
              description: the bulletin
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
        """
        bulletin = self._own(pk)
        if bulletin is None:
            return self.response_404()
        return self.response(200, result=bulletin_json(bulletin))

    @expose("/<int:pk>/edit", methods=["POST"])
    @protect()
    @safe
    def edit(self, pk):
        """A draft's new title and text: ``{"title", "body", "version"}``; 409 once issued.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [title, version]
                  properties:
                    title:
                      type: string
                    body:
                      type: string
                    version:
                      type: integer
          responses:
            200:
              description: the bulletin as saved
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
        """
        return self._change(pk, lambda b, body: service.update(
            b, current_user_obj(), body.get("title"), body.get("body"), body.get("version")))

    @expose("/<int:pk>/regenerate", methods=["POST"])
    @protect()
    @safe
    def regenerate(self, pk):
        """Freeze a draft's figures again: ``{"version"}``; 409 once issued.
        ---
        post:
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
          responses:
            200:
              description: the bulletin with its new figures
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
        """
        return self._change(pk, lambda b, body: service.regenerate(b, current_user_obj(), body.get("version")))

    @expose("/<int:pk>/issue", methods=["POST"])
    @protect()
    @safe
    def issue(self, pk):
        """Issue a draft: ``{"version"}``; its DOCX is archived and it is read-only from then on.
        ---
        post:
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
          responses:
            200:
              description: the issued bulletin
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
        """
        return self._change(pk, lambda b, body: service.issue(b, current_user_obj(), body.get("version")))

    @expose("/<int:pk>/document", methods=["GET"])
    @protect()
    @safe
    def document(self, pk):
        """The DOCX: as archived when issued, a preview marked as a draft before.
        ---
        get:
          responses:
            200:
              description: the Word document
              content:
                application/vnd.openxmlformats-officedocument.wordprocessingml.document:
                  schema:
                    type: string
                    format: binary
        """
        bulletin = self._own(pk)
        if bulletin is None:
            return self.response_404()
        return Response(service.document(bulletin), mimetype=DOCX_MIME,
                        headers={"Content-Disposition": disposition(bulletin)})
