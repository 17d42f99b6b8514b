"""What the API's operations take and answer, by endpoint, for the OpenAPI document.

Keys are Flask endpoints (``Class.method``, or ``Class.method.post`` when one endpoint serves
several methods). ``responses`` maps a status code to ``None`` (the shared ``Message`` answer
of :mod:`app.openapi`) or to a full response object. 401/403 on protected operations, 404 on
operations with path parameters and, on POSTs, the ``Idempotency-Key`` header with
400/409/413/422 are added by :mod:`app.openapi` to every operation and are not repeated here.
"""
from __future__ import annotations

VERSION = {"type": "integer", "description": "The case's version as last read; a stale one answers 409."}
TEXT = {"type": "string"}
DATE = {"type": "string", "format": "date"}
ID = {"type": "integer"}


def json_body(properties: dict, required=(), description: str = "") -> dict:
    """A JSON object request body."""
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    body = {"required": True, "content": {"application/json": {"schema": schema}}}
    if description:
        body["description"] = description
    return body


def ok(description: str, properties: dict | None = None, media: str = "application/json") -> dict:
    """A successful answer; JSON objects list their main properties."""
    if media != "application/json":
        return {"description": description, "content": {media: {"schema": {"type": "string", "format": "binary"}}}}
    schema = {"type": "object"}
    if properties:
        schema["properties"] = properties
    return {"description": description, "content": {"application/json": {"schema": schema}}}


STATE = {"status": TEXT, "version": {"type": "integer"}}
RESULT = {"result": {"type": "object"}}
RESULTS = {"result": {"type": "array", "items": {"type": "object"}}}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# kind: money | property | support | custody | personal_status | title | other (app.agreements.kinds)
TERMS = {"type": "array", "items": {"type": "object", "properties": {
    "text": TEXT, "manner": TEXT, "due": DATE, "kind": TEXT}}}

# 协议金额: the money agreed, for the ledgers; 0 to 10¹² with two decimals, null for none.
AMOUNT = {"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": True, "description": "The agreed amount in yuan (e.g. \"12500.00\"); "
          "left out of a revision it stays as stored."}

# Lifecycle steps: 400 malformed, 404 not visible, 409 stale version, 422 refused with reasons.
STEP = {"400": None, "404": None, "409": None, "422": None}

OPERATIONS: dict[str, dict] = {
    # --- cases (FAB's ModelRestApi) -----------------------------------------------------
    "CaseApi.get_list": {"responses": {"400": None}},
    "CaseApi.info": {"responses": {"400": None, "200": ok("What the add form takes, the filters and the caller's permissions", {
        "add_columns": {"type": "array", "items": {"type": "object"}},
        "edit_columns": {"type": "array", "items": {"type": "object"}},
        "filters": {"type": "object"}, "permissions": {"type": "array", "items": TEXT},
        "add_title": TEXT, "edit_title": TEXT})}},
    "CaseApi.get": {"responses": {"400": None, "404": None}},
    "CaseApi.post": {
        "requestBody": json_body(
            {"dispute_type": TEXT, "title": TEXT, "description": TEXT, "area_id": ID, "organization_id": ID,
             "claim_amount": {"type": "string"}, "parties": {"type": "array", "items": {"type": "object"}},
             "intake": {"type": "object"}, "confirm_duplicates": {"type": "boolean"}},
            required=("dispute_type",),
            description="The intake of the dispute type (see each plugin's fields); validated like the web form.",
        ),
        "responses": {
            "201": ok("Registered", {"id": ID, "case_no": TEXT}),
            "409": {"description": "The same person appears in other open cases; send confirm_duplicates: true",
                    "content": {"application/json": {"schema": {"allOf": [
                        {"$ref": "#/components/schemas/Message"},
                        {"type": "object", "properties": {"duplicates": {"type": "array", "items": {"type": "object"}},
                                                          "other_open_cases": {"type": "integer"}}}]}}}},
            "422": None,
        },
    },
    "CaseApi.recommendations": {"responses": {"200": ok("Eligible mediators, best first", RESULTS)}},
    # --- workflow -------------------------------------------------------------------------
    "CaseWorkflowApi.consent": {
        "requestBody": json_body({"subject": TEXT, "channel": TEXT,
                                  "decisions": {"type": "object", "additionalProperties": {"type": "string",
                                                                                           "enum": ["given", "refused"]},
                                                "description": "party id → answer"}},
                                 required=("decisions",)),
        "responses": {"201": ok("The answers were recorded", {"recorded": {"type": "integer"}}), "400": None,
                      "422": None},
    },
    "CaseWorkflowApi.transition": {
        "requestBody": json_body({"action": TEXT, "version": VERSION, "note": TEXT, "track": TEXT, "case_no": TEXT},
                                 required=("action", "version")),
        "responses": {"200": ok("The case's new state and version", STATE), **STEP},
    },
    "AssignmentApi.assign": {
        "requestBody": json_body({"mediator_ids": {"type": "array", "items": ID}, "team_id": ID,
                                  "version": VERSION, "note": TEXT}, required=("mediator_ids", "version")),
        "responses": {"200": ok("The case's state and version, and the offers made", STATE), **STEP},
    },
    "AssignmentResponseApi.my_offers": {"responses": {"200": ok("Offers waiting for an answer, oldest first", RESULTS)}},
    "AssignmentResponseApi.accept": {"responses": {"200": ok("The case is now handled by the caller"), "404": None,
                                                   "422": None}},
    "AssignmentResponseApi.decline": {
        "requestBody": json_body({"reason": TEXT}, required=("reason",)),
        "responses": {"200": ok("The offer is declined"), "404": None, "422": None},
    },
    "ExtensionApi.get_extension": {"responses": {"200": ok("Whether the period may be extended now", RESULT)}},
    "ExtensionApi.extend": {
        "requestBody": json_body({"days": {"type": "integer", "description": "pre-filing only"}, "note": TEXT,
                                  "version": VERSION}, required=("version",)),
        "responses": {"200": ok("Extended", RESULT), **STEP},
    },
    "DeadlineStepApi.start": {
        "requestBody": json_body({"at": {"type": "string", "description": "YYYY-MM-DD; YYYY-MM-DD HH:MM (court "
                                         "time) for a period counted in hours"},
                                  "note": TEXT, "version": VERSION}, required=("at", "version"),
                                 description="When the event the period starts from happened; again to correct it."),
        "responses": {"200": ok("The period as it now stands, and the case's version", RESULT), **STEP},
    },
    "DeadlineStepApi.suspend": {
        "requestBody": json_body({"reason": {"type": "string", "enum": ["appraisal", "force_majeure", "illness", "other"]},
                                  "note": TEXT, "on": DATE, "version": VERSION}, required=("reason", "version"),
                                 description="Suspend the running period from ``on`` (today when absent)."),
        "responses": {"200": ok("The period as it now stands, and the case's version", RESULT), **STEP},
    },
    "DeadlineStepApi.resume": {
        "requestBody": json_body({"on": DATE, "note": TEXT, "version": VERSION}, required=("version",),
                                 description="Resume the suspended period on ``on`` (today when absent)."),
        "responses": {"200": ok("The period as it now stands, and the case's version", RESULT), **STEP},
    },
    "ResponsibilityApi.eligible": {"responses": {"200": ok("The responsible staff member and who may be chosen")}},
    "ResponsibilityApi.assign": {
        "requestBody": json_body({"user_id": ID, "version": VERSION, "note": TEXT}, required=("user_id", "version")),
        "responses": {"200": ok("The responsible staff member and the case's new version"), **STEP},
    },
    # --- sessions -------------------------------------------------------------------------
    "SessionApi.appointments": {
        "requestBody": json_body({"starts_at": {"type": "string", "format": "date-time"}, "mode": TEXT,
                                  "place": TEXT, "online_room": TEXT,
                                  "participants": {"type": "array", "items": TEXT}, "note": TEXT,
                                  "version": VERSION}, required=("starts_at", "mode", "version")),
        "responses": {"201": ok("The appointment's id, the case's state and version", STATE), **STEP, "413": None},
    },
    "SessionApi.sessions": {
        "requestBody": json_body({"held_at": {"type": "string", "format": "date-time"}, "mode": TEXT,
                                  "minutes": TEXT, "caucus_notes": TEXT, "appointment_id": ID,
                                  "version": VERSION}, required=("held_at", "mode", "version")),
        "responses": {"201": ok("The session's id, the case's state and version (never the caucus notes)", STATE),
                      **STEP, "413": None},
    },
    "SessionApi.attachments": {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file", "kind"],
            "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                           "kind": TEXT, "session_id": ID}}}}},
        "responses": {"201": ok("The files kept"), "404": None, "413": None, "415": None, "422": None,
                      "503": None, "507": None},
    },
    "SessionApi.attachment": {"responses": {"200": ok("The file, its original name in Content-Disposition",
                                                      media="*/*")}},
    # --- outcome --------------------------------------------------------------------------
    "OutcomeApi.agreement_docx": {"responses": {"200": ok("The stored agreement to sign", media=DOCX),
                                                "409": None}},
    "OutcomeApi.list_visits": {"responses": {"200": ok("Return visits, earliest first", RESULTS)}},
    "OutcomeApi.save_agreement": {
        "summary": "Store or revise the mediation agreement",
        "requestBody": json_body({"template_code": TEXT, "committee": TEXT, "mediator_name": TEXT, "drafted_on": DATE,
                                  "terms": TERMS, "amount": AMOUNT, "version": VERSION}, required=("terms", "version")),
        "responses": {"200": ok("The case's state and version, and the agreement", STATE), **STEP},
    },
    "OutcomeApi.oral_agreement": {
        "summary": "Record an oral agreement (no document; in effect on the day agreed)",
        "requestBody": json_body({"committee": TEXT, "mediator_name": TEXT, "agreed_on": DATE, "terms": TERMS,
                                  "amount": AMOUNT, "assent": {"type": "array", "items": ID,
                                             "description": "Ids of the parties who assented: every party it binds."},
                                  "version": VERSION}, required=("terms", "agreed_on", "assent", "version")),
        "responses": {"200": ok("The case's state and version, and the agreement", STATE), **STEP},
    },
    "OutcomeApi.sign": {
        "summary": "Record a signature of the agreement",
        "requestBody": json_body({"signed_on": DATE, "method": TEXT, "version": VERSION}, required=("version",)),
        "responses": {"200": ok("The case's state and version, and the agreement", STATE), **STEP},
    },
    "OutcomeApi.confirmation": {
        "summary": "Apply for judicial confirmation, or record the court's decision",
        "requestBody": json_body({"applied_on": DATE, "result": TEXT, "accepted_on": DATE, "decided_on": DATE,
                                  "enforcement_note": TEXT, "version": VERSION}, required=("version",),
                                 description="`applied_on` applies; `result` with its dates records the decision."),
        "responses": {"200": ok("The case's state and version, and the confirmation: the terms it covers, those "
                                "left out with the reason, and the fee", {
                                    **STATE, "covered_terms": {"type": "array", "items": ID},
                                    "left_out_terms": {"type": "array", "items": {"type": "object"}},
                                    "fee": TEXT, "fee_source": TEXT}), **STEP},
    },
    "OutcomeApi.visit": {
        "summary": "Record a return visit",
        "requestBody": json_body({"done_on": DATE, "method": TEXT, "terms_performed": TEXT, "satisfaction": TEXT,
                                  "notes": TEXT, "performed_term_ids": {"type": "array", "items": ID}}),
        "responses": {"200": ok("Whether a follow-up visit was planned"), **STEP},
    },
    "OutcomeApi.cancel_visit": {
        "summary": "Cancel a planned return visit",
        "requestBody": json_body({"reason": TEXT}),
        "responses": {"200": ok("Cancelled", STATE), **STEP},
    },
    # --- referrals: the sending side ------------------------------------------------------
    "ReferralSendApi.list_case_referrals": {"responses": {"200": ok("The case's referrals", RESULTS)}},
    "ReferralSendApi.send": {
        "requestBody": json_body({"partner_id": ID, "kind": TEXT, "purpose": TEXT, "legal_basis": TEXT,
                                  "shared_fields": {"type": "array", "items": TEXT}, "due_on": DATE},
                                 required=("partner_id", "kind", "purpose", "shared_fields")),
        "responses": {"201": ok("The referral", RESULT), "400": None, "422": None},
    },
    "ReferralSendApi.withdraw": {
        "requestBody": json_body({"note": TEXT, "version": VERSION}, required=("version",)),
        "responses": {"200": ok("Withdrawn", RESULT), **STEP},
    },
    "ReferralSendApi.complete": {
        "requestBody": json_body({"note": TEXT, "version": VERSION}, required=("version",)),
        "responses": {"200": ok("Completed", RESULT), **STEP},
    },
    # --- referrals: the partner's side ----------------------------------------------------
    "PartnerApi.list_referrals": {"responses": {"200": ok("The organisation's referrals, newest first", RESULTS),
                                                "404": None}},
    "PartnerApi.get_referral": {"responses": {"200": ok("The referral with exactly its shared fields", RESULT)}},
    "PartnerApi.accept": {
        "requestBody": json_body({"version": VERSION}, required=("version",)),
        "responses": {"200": ok("Accepted", RESULT), **STEP},
    },
    "PartnerApi.reject": {
        "requestBody": json_body({"reason": TEXT, "note": TEXT, "version": VERSION}, required=("reason", "version")),
        "responses": {"200": ok("Rejected", RESULT), **STEP},
    },
    "PartnerApi.answer": {
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "object", "required": ["text", "version"],
                                            "properties": {"text": TEXT, "version": VERSION}}},
            "multipart/form-data": {"schema": {"type": "object", "required": ["text", "version"],
                                               "properties": {"text": TEXT, "version": VERSION,
                                                              "files": {"type": "array", "items": {
                                                                  "type": "string", "format": "binary"}}}}},
        }},
        "responses": {"200": ok("Answered", RESULT), **STEP, "413": None, "415": None, "503": None, "507": None},
    },
    "PartnerApi.document": {"responses": {"200": ok("The file", media="*/*")}},
    "PartnerApi.statistics": {"responses": {"200": ok("Counts by status, overdue, average days to answer", RESULT),
                                            "404": None}},
    # --- mediator pool ----------------------------------------------------------------------
    "MediatorLoginApi.login": {"responses": {"422": None}},
    # --- FAB's own --------------------------------------------------------------------------
    "MenuApi.get_menu_data": {"responses": {"200": ok("The menu the caller may use")}},
    "SecurityApi.login": {"responses": {"400": None, "401": None, "422": None, "429": None}},
    "SecurityApi.refresh": {"responses": {"401": None, "422": None, "429": None}},
}

# Endpoints that need no signed-in user (they authenticate by password or signature).
PUBLIC_ENDPOINTS = {"SecurityApi.login", "SecurityApi.refresh", "linkage_inbound.receive"}

_PROBLEM = {"content": {"application/json": {"schema": {"type": "object", "properties": {"error": TEXT}}}}}

# Routes that are not FAB APIs (no docstring YAML): described whole.
STATIC_PATHS = {
    "/api/v1/linkage/inbound/{partner_code}": {
        "post": {
            "tags": ["Linkage"],
            "description": "A partner system's answer to a referral, authenticated by its HMAC signature "
                           "(see docs/linkage.md), not by a session.",
            "parameters": [
                {"in": "path", "name": "partner_code", "required": True, "schema": TEXT},
                {"in": "header", "name": "X-Jiefen-Signature", "required": True, "schema": TEXT},
                {"in": "header", "name": "X-Jiefen-Timestamp", "required": True, "schema": TEXT},
                {"in": "header", "name": "Idempotency-Key", "required": True,
                 "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,128}$"}},
            ],
            "requestBody": json_body({"referral_id": ID, "decision": TEXT}, required=("referral_id",)),
            "responses": {
                "202": ok("The decision is recorded", {"status": TEXT, "referral_status": TEXT}),
                **{code: {"description": text, **_PROBLEM} for code, text in (
                    ("400", "Malformed nonce or body"), ("401", "Unsigned, or the signature is wrong"),
                    ("404", "Unknown partner or referral"), ("409", "Replay of a nonce, or a conflict"),
                    ("413", "Body too large"), ("422", "The referral's state refuses the decision"))},
            },
        },
    },
}
