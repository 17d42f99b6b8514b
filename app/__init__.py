"""Jiefen (解纷): the one-stop platform for the diversified resolution of disputes."""
from __future__ import annotations

from typing import Any, Mapping, Optional

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Build a Jiefen app: configuration, database, plugins, security, views.

    ``config`` overrides the environment-derived settings (tests pass their database URL
    here). Nothing is built at import time, so every call gives an independent app.
    """
    from flask_appbuilder import AppBuilder

    from app import models  # noqa: F401  (registers the core tables)
    from app.cli import register_cli
    from app.config import CORE_TRANSLATIONS, ROOT, build_config
    from app.database import configure_sqlite
    from app.errors import install_error_handlers
    from app.extensions import csrf, db, migrate
    from app.intake.case_form import build_case_form
    from app.plugins.dispatch import Dispatcher
    from app.plugins.manager import build_plugin_manager, collect_registry, excluded_plugins
    from app.state import JiefenState
    from app.api_limits import install_api_limits
    from app.fault_hooks import install_fault_hooks
    from app.idempotency import install_idempotency
    from app.input_guard import install_input_guard
    from app.headers import install_security_headers
    from app.templating import install_template_helpers
    from app.session_guard import install_session_guard
    from app.views.registry import install_plugin_guard, register_core_views, register_plugin_views
    from app.openapi import register_openapi

    settings = build_config()
    settings.update(config or {})
    app = Flask(__name__, instance_path=settings["JIEFEN_INSTANCE_PATH"])
    app.config.update(settings)
    from app.views.keys import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route: every <int:id> is bounded
    if app.config["JIEFEN_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["JIEFEN_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    pm = build_plugin_manager(
        exclude=excluded_plugins(app.config["JIEFEN_PLUGINS_EXCLUDE"]),
        extra_plugins=app.config.get("JIEFEN_EXTRA_PLUGINS", ()),
    )
    registry = collect_registry(pm)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        [str(CORE_TRANSLATIONS)] + registry.translation_dirs
    )

    with app.app_context():
        db.init_app(app)
        configure_sqlite(db.engine)
        from app.audit import install_audit

        install_audit(db.session)
        csrf.init_app(app)
        migrate.init_app(app, db, directory=str(ROOT / "app" / "migrations"))
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)

        state = JiefenState(
            pm=pm, registry=registry, dispatcher=Dispatcher(pm, registry, lambda: db.session)
        )
        state.case_forms = {
            code: build_case_form(code, registry.field_specs(code))
            for code in registry.dispute_types
        }
        app.extensions["jiefen"] = state

        register_core_views(app, appbuilder)
        register_plugin_views(app, appbuilder, state)
        register_openapi(appbuilder)
        install_plugin_guard(app, state)
        install_error_handlers(app)
        _refuse_oversized_bodies(app)
        install_security_headers(app)
        install_api_limits(app)
        install_idempotency(app)
        install_fault_hooks(app)  # testing mode only
        install_input_guard(app)
        install_template_helpers(app)
        install_session_guard(app)
        register_cli(app)
    return app


def _refuse_oversized_bodies(app: Flask) -> None:
    """Answer 413 before a view reads a body over ``MAX_CONTENT_LENGTH``: FAB's API
    decorator would otherwise turn the error raised inside the view into a 500."""
    from flask import abort, request

    @app.before_request
    def _check_length():
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and request.content_length and request.content_length > limit:
            abort(413)
