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
