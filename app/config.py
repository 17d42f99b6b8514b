"""Configuration, read from the environment when the app is created (never at import)."""
from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from flask_appbuilder.security.manager import AUTH_DB

ROOT = Path(__file__).resolve().parent.parent
CORE_TRANSLATIONS = ROOT / "translations"


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(name: str, default: bool) -> bool:
    """An on/off variable; a value that is neither stops start-up rather than guessing."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={value!r}: use one of {', '.join(_TRUE + _FALSE)}")


def instance_path() -> Path:
    """Where the SQLite database and the generated secret key live."""
    return Path(os.environ.get("JIEFEN_INSTANCE_PATH", ROOT / "instance")).resolve()


def secret_key(instance: Path) -> str:
    """``JIEFEN_SECRET_KEY``, or a key generated once and kept in the instance folder."""
    key = os.environ.get("JIEFEN_SECRET_KEY")
    if key:
        return key
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once must not both write a key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def database_url(instance: Path) -> str:
    """``JIEFEN_DATABASE_URL``, or SQLite in the instance folder."""
    url = os.environ.get("JIEFEN_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{instance / 'jiefen.db'}"


def engine_options(url: str) -> dict:
    """Connection-pool settings per database."""
    # hide_parameters: a logged database error must not carry ID numbers or names.
    if url.startswith("postgresql"):
        # psycopg prepares after 5 runs and PostgreSQL may then pick a worse generic plan
        # (fab-notes.md): keep statements unprepared.
        # pool_pre_ping replaces connections a PostgreSQL restart killed; connect_timeout makes
        # an unreachable server a quick 503 instead of a request that hangs
        # (tests/test_fault_pg_restart.py).
        return {
            "pool_pre_ping": True,
            "hide_parameters": True,
            "connect_args": {"prepare_threshold": None, "connect_timeout": 10},
        }
    return {"hide_parameters": True}


def _hosts(value: str) -> list[str] | None:
    """A comma-separated list of host names, or ``None`` when empty (Flask: no check)."""
    hosts = [h.strip() for h in value.split(",") if h.strip()]
    return hosts or None


def build_config() -> dict:
    """The configuration of a Jiefen app, from the environment."""
    instance = instance_path()
    url = database_url(instance)
    return {
        "JIEFEN_INSTANCE_PATH": str(instance),
        "SECRET_KEY": secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "JIEFEN_PLUGINS_EXCLUDE": os.environ.get("JIEFEN_PLUGINS_EXCLUDE", ""),
        "JIEFEN_CASE_NO_PREFIX": os.environ.get("JIEFEN_CASE_NO_PREFIX", "汕城解"),
        # Number of reverse proxies in front of Jiefen whose X-Forwarded-* headers to trust
        # (rate limits count per real client address, not per proxy).
        "JIEFEN_PROXY_COUNT": int(os.environ.get("JIEFEN_PROXY_COUNT", "0")),
        # The host names this server answers to (comma-separated, e.g. "jiefen.court.lan"):
        # any other Host header is a 400, and redirects after login go only there.
        # Empty (development): any host, redirects only to the request's own host.
        "TRUSTED_HOSTS": _hosts(os.environ.get("JIEFEN_TRUSTED_HOSTS", "")),
        "FAB_SAFE_REDIRECT_HOSTS": _hosts(os.environ.get("JIEFEN_TRUSTED_HOSTS", "")) or [],
        # Read only by `flask check-deploy` (app/cli_deploy.py): how production is laid out.
        "JIEFEN_BEHIND_PROXY": _flag("JIEFEN_BEHIND_PROXY", True),
        "JIEFEN_BEHIND_TLS": _flag("JIEFEN_BEHIND_TLS", True),
        "JIEFEN_WORKERS": os.environ.get("JIEFEN_WORKERS", ""),
        "APP_NAME": "解纷 Jiefen",
        "APP_THEME": "",  # bootswatch themes import Google Fonts: stay offline
        "APP_ICON": "",
        "FAB_INDEX_VIEW": "app.views.home.HomeView",
        "FAB_SECURITY_MANAGER_CLASS": "app.security.JiefenSecurityManager",
        # Tables come from migrations; permissions are synced at deploy (jiefen setup).
        "FAB_CREATE_DB": False,
        "FAB_UPDATE_PERMS": False,
        "FAB_API_SWAGGER_UI": False,
        # FAB serves the OpenAPI document only with Swagger UI: Jiefen serves it to every
        # signed-in user itself (app/openapi.py).
        "FAB_ADD_OPENAPI_VIEWS": False,
        "FAB_API_SHOW_STACKTRACE": False,
        "FAB_ADD_SECURITY_API": False,
        "FAB_API_MAX_PAGE_SIZE": 100,
        # Every password a person types: ten characters, not common, not the username.
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,
        "FAB_PASSWORD_COMPLEXITY_VALIDATOR": _password_policy,
        "AUTH_TYPE": AUTH_DB,
        "AUTH_USER_REGISTRATION": False,
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": os.environ.get("JIEFEN_LOGIN_RATE_LIMIT", "10 per minute"),
        "RATELIMIT_ENABLED": _flag("JIEFEN_RATELIMIT", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("JIEFEN_RATELIMIT_STORAGE", "memory://"),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": {
            "zh_CN": {"flag": "cn", "name": "简体中文"},
            "en": {"flag": "gb", "name": "English"},
        },
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("JIEFEN_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("JIEFEN_COOKIE_SECURE", True),
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=8),
        # A signed-in session ends after this long without a request, and this long after login
        # (app/session_guard.py); a refresh token lives no longer than a session.
        "JIEFEN_SESSION_IDLE_MINUTES": int(os.environ.get("JIEFEN_SESSION_IDLE_MINUTES", "30")),
        "JIEFEN_SESSION_ABSOLUTE_HOURS": int(os.environ.get("JIEFEN_SESSION_ABSOLUTE_HOURS", "12")),
        "JWT_REFRESH_TOKEN_EXPIRES": dt.timedelta(hours=int(os.environ.get("JIEFEN_SESSION_ABSOLUTE_HOURS", "12"))),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Linkage: webhook deliveries, the outbox worker, e-mail to partners.
        "JIEFEN_WEBHOOK_TIMEOUT": float(os.environ.get("JIEFEN_WEBHOOK_TIMEOUT", "5")),
        "JIEFEN_OUTBOX_MAX_ATTEMPTS": int(os.environ.get("JIEFEN_OUTBOX_MAX_ATTEMPTS", "8")),
        # how long an API client's Idempotency-Key answers a retry (app/idempotency.py)
        "JIEFEN_IDEMPOTENCY_TTL_HOURS": float(os.environ.get("JIEFEN_IDEMPOTENCY_TTL_HOURS", "24")),
        # Hosts, addresses or networks (comma-separated, e.g. "hook.police.lan,10.20.0.0/16") that
        # webhooks may reach although they are loopback, private or link-local
        # (app/linkage/address_guard.py); empty: public addresses only.
        "JIEFEN_WEBHOOK_ALLOWED_HOSTS": os.environ.get("JIEFEN_WEBHOOK_ALLOWED_HOSTS", ""),
        # Uploaded DOCX/XLSX are refused before opening above these (app/validation/office_files.py).
        "JIEFEN_OFFICE_MAX_MEMBERS": int(os.environ.get("JIEFEN_OFFICE_MAX_MEMBERS", "200")),
        "JIEFEN_OFFICE_MAX_UNPACKED": int(float(os.environ.get("JIEFEN_OFFICE_MAX_UNPACKED_MB", "20")) * 1024 * 1024),
        "JIEFEN_OFFICE_MAX_RATIO": int(os.environ.get("JIEFEN_OFFICE_MAX_RATIO", "100")),
        "JIEFEN_SMTP_HOST": os.environ.get("JIEFEN_SMTP_HOST", ""),
        "JIEFEN_SMTP_PORT": int(os.environ.get("JIEFEN_SMTP_PORT", "25")),
        "JIEFEN_SMTP_USER": os.environ.get("JIEFEN_SMTP_USER", ""),
        "JIEFEN_SMTP_PASSWORD": os.environ.get("JIEFEN_SMTP_PASSWORD", ""),
        "JIEFEN_SMTP_FROM": os.environ.get("JIEFEN_SMTP_FROM", ""),
        "JIEFEN_SMTP_STARTTLS": _flag("JIEFEN_SMTP_STARTTLS", False),
        "PROPAGATE_EXCEPTIONS": False,
    }


def _password_policy(password: str) -> None:
    """FAB's password hook, resolved when called (``app.passwords``)."""
    from app.passwords import check_password

    check_password(password)
