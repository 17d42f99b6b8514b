"""``/``: where people land. Signed-in users go to My work — every role, partners included, so
there is one landing page — auditors, who have no queues, to the audit log, and anonymous
visitors to the login page."""
from flask import redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_login import current_user


class HomeView(IndexView):
    """FAB's index (``FAB_INDEX_VIEW``), also where FAB sends people after they sign in."""

    index_template = "jiefen/home.html"

    @expose("/")
    def index(self):
        """Redirect to My work or to the login page."""
        sm = self.appbuilder.sm
        if not current_user.is_authenticated:
            return redirect(url_for(sm.auth_view.__class__.__name__ + ".login"))
        if sm.has_access("can_index", "MyWork"):
            return redirect(url_for("MyWorkView.index"))
        if sm.has_access("can_list", "AuditLog"):
            return redirect(url_for("AuditLogView.index"))
        # Sending a user without My work there would bounce between the page and the login.
        return self.render_template(self.index_template, appbuilder=self.appbuilder)
