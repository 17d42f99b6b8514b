"""A FAB base filter that applies the case scope on every list, detail and API read."""
from flask_appbuilder.models.filters import BaseFilter

from app.services.scope import request_scope


class CaseScopeFilter(BaseFilter):
    """Limit a case query to what the current user may see (out of scope → not found)."""

    name = "Visible to the current user"
    arg_name = "scope"

    def apply(self, query, value):
        clause = request_scope()
        return query if clause is None else query.filter(clause)


# Use as: base_filters = [SCOPE]
SCOPE = ["id", CaseScopeFilter, None]


class OrganizationScopeFilter(BaseFilter):
    """Limit a query to rows of the organisations the current user acts for
    (``app/services/org_scope.py``); ``value`` builds the clause, ``None`` meaning no limit.
    Out of scope reads as not found, so show, edit and delete answer 404."""

    name = "Of the organisations the current user acts for"
    arg_name = "org_scope"

    def apply(self, query, value):
        clause = value()
        return query if clause is None else query.filter(clause)


def organization_scope(clause_factory) -> list:
    """A base-filter entry (``base_filters = [organization_scope(...)]``, also usable in
    ``*_query_rel_fields``) from a function returning a WHERE clause or ``None``."""
    return ["id", OrganizationScopeFilter, clause_factory]
