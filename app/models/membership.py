"""Which organisation each user works for: the basis of what they may see."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, false
from sqlalchemy.orm import relationship


class Membership(Model):
    """A user belongs to one organisation (a centre, a court department, a partner)."""

    __tablename__ = "membership"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, unique=True)
    organization_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), nullable=False, index=True)
    title = Column(String(100))
    # The organisation's lead (中心负责人): may assign the staff member responsible for a case
    # in the organisation's scope (app/lifecycle/responsibility.py).
    lead = Column(Boolean, nullable=False, default=False, server_default=false())

    user = relationship("User", lazy="joined")
    organization = relationship("Organization", lazy="joined")

    def __repr__(self):
        return f"{self.user} @ {self.organization}"
