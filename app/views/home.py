"""The landing page: what needs doing, and a way in."""
from flask import redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db, jiefen
from app.models.case import Case
from app.lifecycle.referrals import partner_org_id
from app.services.partner_reports import partner_statistics, waiting_referrals
from app.services.scope import request_scope
from app.services.settings import today


class HomeView(IndexView):
    """Home for signed-in staff; anonymous visitors are sent to the login page."""

    index_template = "jiefen/home.html"

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        org_id = partner_org_id(current_user)
        if org_id is not None:
            return self._partner_home(org_id)
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

    def _partner_home(self, org_id: int):
        """A partner agency's staff start from the referrals waiting for them."""
        from app.models.organization import Organization
        from app.models.referral import REFERRAL_KINDS, REFERRAL_STATUS

        waiting = waiting_referrals(org_id)
        return self.render_template(
            "jiefen/home_partner.html", appbuilder=self.appbuilder, org=db.session.get(Organization, org_id),
            stats=partner_statistics(org_id), waiting=waiting, kinds=REFERRAL_KINDS,
            statuses=REFERRAL_STATUS, today=today(),
        )
