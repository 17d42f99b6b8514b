"""The WSGI app the fault tests run under gunicorn: testing mode, fault hooks on, the
database and folders from the environment the test sets."""
import os

from app import create_app
from app.config import engine_options

_url = os.environ["JIEFEN_FAULT_DATABASE_URL"]
app = create_app({
    "TESTING": True,
    "JIEFEN_FAULT_HOOKS": True,
    "JIEFEN_FAULT_PAUSE_FILE": os.environ["JIEFEN_FAULT_PAUSE_FILE"],
    "SECRET_KEY": "fault-test-secret-key-not-for-production",
    "SQLALCHEMY_DATABASE_URI": _url,
    "SQLALCHEMY_ENGINE_OPTIONS": engine_options(_url),
    "JIEFEN_INSTANCE_PATH": os.environ["JIEFEN_FAULT_INSTANCE"],
    "RATELIMIT_ENABLED": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "JIEFEN_PLUGINS_EXCLUDE": "",
})
