"""The OpenAPI document at ``/api/v1/_openapi``, served to every signed-in user.

Flask-AppBuilder builds an operation from each endpoint's docstring YAML and serves the
document only together with Swagger UI (``FAB_API_SWAGGER_UI``), which production keeps off.
Jiefen turns FAB's own registration off (``FAB_ADD_OPENAPI_VIEWS``) and registers
:class:`JiefenOpenApi` always: signed in by session cookie or bearer token, whatever the role.

What every operation shares is written once here rather than in each docstring: the error
answers (one ``Message`` shape), the request bodies (:mod:`app.openapi_operations`), the path
parameters (from the URL rules), 401/403 on protected operations, and on every POST the
optional ``Idempotency-Key`` header with 400/409/413/422.
"""
from __future__ import annotations

import copy
import functools
import re

from flask import current_app
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.api.manager import OpenApi, SwaggerView
from flask_jwt_extended import get_current_user, verify_jwt_in_request
from flask_login import current_user
from marshmallow import fields as ma_fields

from app.openapi_operations import OPERATIONS, PUBLIC_ENDPOINTS, STATIC_PATHS

MESSAGE = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {
            "description": "A sentence in the reader's language, or the problems by field.",
            "oneOf": [{"type": "string"}, {"type": "object"}],
        },
    },
}

# Error answers every API gives as ``{"message": …}`` (FAB's own say ``message`` is a string,
# but a refusal by field is an object).
ERRORS = {
    "400": "Bad request: the body or a parameter is malformed",
    "401": "Not signed in, or the token is no longer valid",
    "403": "The role does not allow this operation",
    "404": "No such record, or not within the caller's reach",
    "409": "The case changed since it was read (stale version), or the first request with the same "
           "Idempotency-Key has not answered yet",
    "413": "The body or upload is larger than allowed",
    "415": "The upload's content is not an accepted file type",
    "422": "Refused, with the reasons (or the Idempotency-Key was used for a different request)",
    "429": "Too many attempts; wait and try again",
    "500": "Fatal error (logged)",
    "503": "The storage or database is unavailable",
    "507": "The storage is full",
}

# flask-jwt-extended answers a missing, expired or wrong kind of token with ``{"msg": …}``.
JWT_PROBLEM = {"type": "object", "required": ["msg"], "properties": {"msg": {"type": "string"}}}
_JWT_CODES = ("401", "422")

IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Sending the same POST again with the same key answers the first answer again "
                   "and stores nothing new.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}

_RULE_ARG = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """A Werkzeug rule (``/case/<int:pk>``) as an OpenAPI path (``/case/{pk}``)."""
    return _RULE_ARG.sub(r"{\2}", rule)


def _error_schema(code: str) -> dict:
    """The body of an error answer: a ``Message``, or flask-jwt-extended's own on 401/422."""
    if code in _JWT_CODES:
        return {"anyOf": [{"$ref": "#/components/schemas/Message"}, {"$ref": "#/components/schemas/JwtProblem"}]}
    return {"$ref": "#/components/schemas/Message"}


def _error_ref(code: str) -> dict:
    return {"$ref": f"#/components/responses/{code}"}


def _path_parameters(rule) -> list[dict]:
    params = []
    for match in _RULE_ARG.finditer(rule.rule):
        converter, name = match.groups()
        schema = {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"}
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
    return params


def _merge_operation(operation: dict, rule, method: str) -> None:
    """Complete one generated operation from the central table and the rule itself."""
    described = copy.deepcopy(OPERATIONS.get(f"{rule.endpoint}.{method}") or OPERATIONS.get(rule.endpoint) or {})
    responses = operation.setdefault("responses", {})
    for code, answer in described.pop("responses", {}).items():
        responses[str(code)] = _error_ref(str(code)) if answer is None else answer
    operation.update(described)
    for param in operation.get("parameters", []):
        if isinstance(param, dict) and param.get("in") == "path":
            param["required"] = True  # FAB's docstrings leave it out; OpenAPI requires it
    documented = {(p.get("in"), p.get("name")) for p in operation.get("parameters", []) if isinstance(p, dict)}
    params = [p for p in _path_parameters(rule) if ("path", p["name"]) not in documented]
    if params:
        operation["parameters"] = params + operation.get("parameters", [])
    if rule.arguments:
        responses.setdefault("404", _error_ref("404"))
    if rule.endpoint not in PUBLIC_ENDPOINTS:
        operation["security"] = [{"jwt": []}]
        responses.setdefault("401", _error_ref("401"))
        responses.setdefault("403", _error_ref("403"))
    if method == "post" and rule.endpoint not in PUBLIC_ENDPOINTS:
        operation.setdefault("parameters", []).append({"$ref": "#/components/parameters/IdempotencyKey"})
        for code in ("400", "409", "413", "422"):
            responses.setdefault(code, _error_ref(code))
    for code, answer in list(responses.items()):
        if str(code) in ERRORS and isinstance(answer, dict) and "$ref" not in answer:
            # a docstring's bare description: the body is still a Message
            answer.setdefault("content", {"application/json": {"schema": _error_schema(str(code))}})


def _decimal_fields(app) -> set[str]:
    """Names of the decimal fields of the model APIs: they answer strings ("19300.50")."""
    names = set()
    for view in app.appbuilder.baseviews:
        for attr in ("list_model_schema", "show_model_schema"):
            schema = getattr(view, attr, None)
            for name, field in (getattr(schema, "fields", None) or {}).items():
                if isinstance(field, ma_fields.Decimal):
                    names.add(name)
    return names


def _fix_fab_schemas(node, decimals: set[str] = frozenset()) -> None:
    """What FAB documents wrongly: ids as strings (Jiefen's are integers), unset relations
    as never null, decimals (sent as strings) as numbers."""
    if isinstance(node, list):
        for item in node:
            _fix_fab_schemas(item, decimals)
        return
    if not isinstance(node, dict):
        return
    props = node.get("properties")
    if isinstance(props, dict):
        required = set(node.get("required", ()))
        for name, prop in props.items():
            if name in decimals and isinstance(prop, dict) and prop.get("type") == "number":
                prop.update(type="string", pattern=r"^-?\d+(\.\d+)?$")
            # FAB nests a many-to-one relation without allow_none: an unset one answers null
            if isinstance(prop, dict) and "$ref" in prop and name not in required:
                props[name] = {"allOf": [prop], "nullable": True}
        if props.get("ids", {}).get("type") == "array":
            props["ids"]["items"] = {"type": "integer"}
        if props.get("id", {}).get("type") == "string":
            props["id"]["type"] = "integer"
    for value in node.values():
        _fix_fab_schemas(value, decimals)


def complete_document(doc: dict, app, version: str) -> dict:
    """Add what the docstrings leave out to FAB's document: shared components, bodies,
    path parameters and every status code the endpoints really answer."""
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["Message"] = MESSAGE
    components.setdefault("parameters", {})["IdempotencyKey"] = IDEMPOTENCY_KEY
    components["schemas"]["JwtProblem"] = JWT_PROBLEM
    components["responses"] = {code: {"description": text, "content": {"application/json": {
        "schema": _error_schema(code)}}} for code, text in ERRORS.items()}
    components.setdefault("securitySchemes", {})["jwt"] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    paths = doc.setdefault("paths", {})
    for path, operations in STATIC_PATHS.items():
        paths.setdefault(path, copy.deepcopy(operations))
    decimals = _decimal_fields(app)
    _fix_fab_schemas(paths, decimals)
    _fix_fab_schemas(components["schemas"], decimals)
    prefix = f"/api/{version}/"
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        path = paths.get(openapi_path(rule.rule))
        if path is None:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = path.get(method.lower())
            if operation is not None:
                _merge_operation(operation, rule, method.lower())
    return doc


def signed_in(view):
    """Let any signed-in user through (browser session or bearer token); 401 otherwise.

    A malformed or expired token is answered by flask-jwt-extended's handlers, as on every
    other API route.
    """
    @functools.wraps(view)
    def wrapper(self, *args, **kwargs):
        if current_user.is_authenticated:
            return view(self, *args, **kwargs)
        verify_jwt_in_request(optional=True)
        if get_current_user() is None:
            return self.response_401()
        return view(self, *args, **kwargs)

    return wrapper


class JiefenOpenApi(OpenApi):
    """FAB's OpenAPI view for every signed-in user, its document completed by this module."""

    class_permission_name = "OpenApi"

    @expose("/<version>/_openapi")
    @signed_in
    @safe
    def get(self, version):
        """The OpenAPI document of one API version.
        ---
        get:
          description: The OpenAPI document of one API version, for any signed-in user
          parameters:
          - in: path
            schema:
              type: string
            name: version
            required: true
          responses:
            200:
              description: The OpenAPI document
              content:
                application/json:
                  schema:
                    type: object
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        spec = self._create_api_spec(version)
        apis = [v for v in current_app.appbuilder.baseviews if isinstance(v, BaseApi) and v.version == version]
        if not apis:
            return self.response_404()
        for api in apis:
            api.add_api_spec(spec)
        return self.response(200, **complete_document(spec.to_dict(), current_app, version))


def register_openapi(appbuilder) -> None:
    """The document always; Swagger UI only where ``FAB_API_SWAGGER_UI`` asks for it."""
    appbuilder.add_api(JiefenOpenApi)
    if current_app.config.get("FAB_API_SWAGGER_UI", False):
        appbuilder.add_view_no_menu(SwaggerView)
