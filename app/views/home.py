"""The landing page: what needs doing, and a way in."""
from flask import redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db, jiefen
from app.models.case import Case
from app.services.scope import request_scope


class HomeView(IndexView):
    """Home for signed-in staff; anonymous visitors are sent to the login page."""

    index_template = "jiefen/home.html"

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        query = select(Case.dispute_type, func.count()).group_by(Case.dispute_type)
        scope = request_scope()
        if scope is not None:
            query = query.where(scope)
        counts = dict(db.session.execute(query).all())
        dispatcher = jiefen().dispatcher
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            types=dispatcher.enabled_types(),
            counts=counts,
            can_register=self.appbuilder.sm.has_access("can_add", "Case"),
        )
