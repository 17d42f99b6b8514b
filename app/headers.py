"""Response headers every answer carries (issue 11, finding 13).

- Scripts run only from this server's files or inline blocks carrying the request's nonce
  (CSP ``script-src 'self' 'nonce-…'``): an injected ``<script>`` or event-handler attribute
  does not run. FAB's templates already print ``nonce="{{ baselib.get_nonce() }}"`` on every
  inline block when a ``csp_nonce`` function exists; this module provides it, and our own
  templates carry no inline handlers.
- No page may be framed by another site (``X-Frame-Options`` and CSP ``frame-ancestors``), and
  a page's resources and form posts stay on this server (CSP ``base-uri``/``form-action``/
  ``object-src``).
- Browsers never guess a content type (``nosniff``) and never send a page's address, which can
  carry a case id, to another site (``Referrer-Policy``).
- Nothing but static files is kept in a browser's or proxy's cache: case pages, exports and API
  answers hold personal data (``Cache-Control: no-store``).
"""
from __future__ import annotations

import secrets

from flask import Flask, g, request

BASE_CSP = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"


def csp_nonce() -> str:
    """This request's script nonce (made on first use; templates call it as ``csp_nonce()``)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def content_security_policy() -> str:
    """The policy of the current response: this site's scripts plus this request's nonce."""
    # Styles may stay inline: FAB's templates use style attributes, and CSS cannot run code.
    return (f"default-src 'self'; script-src 'self' 'nonce-{csp_nonce()}'; "
            f"style-src 'self' 'unsafe-inline'; img-src 'self' data:; {BASE_CSP}")


def install_security_headers(app: Flask) -> None:
    """Add the headers to every response of ``app`` and give templates ``csp_nonce()``."""
    app.add_template_global(csp_nonce, "csp_nonce")

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", content_security_policy())
        endpoint = request.endpoint or ""
        if endpoint != "static" and not endpoint.endswith(".static") and endpoint != "favicon.icon":
            headers["Cache-Control"] = "no-store"
        return response
