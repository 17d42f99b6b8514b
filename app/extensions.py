"""Flask extensions shared by the whole app.

``db`` is created here but bound in ``create_app``; ``appbuilder`` is a proxy to the
``AppBuilder`` of the current app, because each app (every test builds its own) needs its
own AppBuilder: FAB keeps views and menus on that object.
"""
from flask import current_app
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from werkzeug.local import LocalProxy

db = get_sqla_class()()
migrate = Migrate()
csrf = CSRFProtect()
appbuilder = LocalProxy(lambda: current_app.appbuilder)


def jiefen():
    """The per-app Jiefen state: plugin manager, registry, dispatcher, case forms."""
    return current_app.extensions["jiefen"]
