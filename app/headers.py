"""Response headers every answer carries (issue 11, finding 13).

- No page may be framed by another site (``X-Frame-Options`` and CSP ``frame-ancestors``), and
  a page's resources and form posts stay on this server (CSP ``base-uri``/``form-action``/
  ``object-src``). Scripts are not yet restricted: FAB's templates still carry inline script
  without a nonce, so ``script-src`` waits for them.
- Browsers never guess a content type (``nosniff``) and never send a page's address, which can
  carry a case id, to another site (``Referrer-Policy``).
- Nothing but static files is kept in a browser's or proxy's cache: case pages, exports and API
  answers hold personal data (``Cache-Control: no-store``).
"""
from __future__ import annotations

from flask import Flask, request

CSP = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"


def install_security_headers(app: Flask) -> None:
    """Add the headers to every response of ``app``."""

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", CSP)
        endpoint = request.endpoint or ""
        if endpoint != "static" and not endpoint.endswith(".static") and endpoint != "favicon.icon":
            headers["Cache-Control"] = "no-store"
        return response
