"""``/health``: a public liveness and database check for load balancers and monitoring."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db

health = Blueprint("health", __name__)


@health.route("/health")
def check():
    """200 with ``{"status": "ok"}`` when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure means "not healthy"; details go to the log only
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
