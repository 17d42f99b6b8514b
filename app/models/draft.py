"""Form drafts: what a user typed into a long form whose POST could not be accepted because
the session or the form's CSRF token had expired, kept until the user is back."""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String

from app.models.types import JsonDocument, utcnow


class FormDraft(Model):
    """One refused POST's fields, reachable only through the id kept in the poster's session.

    ``user_id`` is the signed-in user when known (an idle or ended session); it is empty when
    the browser's session cookie itself had expired. Drafts live a day at most.
    """

    __tablename__ = "form_draft"

    id = Column(String(64), primary_key=True)  # random, never shown in a page or a URL
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"))
    path = Column(String(255), nullable=False)  # the form's own page
    fields = Column(JsonDocument, nullable=False, default=dict)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
