"""``/favicon.ico``: browsers ask for it on every page, whatever the layout links."""
from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

favicon = Blueprint("favicon", __name__)


@favicon.route("/favicon.ico")
def icon():
    """The app's icon from its own static files (built by tools/build_favicon.py), cached a day."""
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)
