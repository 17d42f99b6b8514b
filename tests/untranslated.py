"""What must never show on a Chinese page: English left over from Flask-AppBuilder or from
our own views, and raw values (``True``, ``None``, ``__None``, internal setting keys).

One list for the page walk (``tests/test_zh_pages.py``) and the browser tests: both call
``untranslated_in(html)`` on a page rendered in zh_CN and fail on what it returns.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

# English words and phrases Flask-AppBuilder or a view without a title of its own puts on a
# page. Matched as whole words in the text a reader sees (not in scripts, styles or URLs).
ENGLISH = (
    "List", "Add", "Edit", "Show", "Delete", "Cancel", "OK", "Search", "Save", "Back",
    "Actions", "Record Count", "No records found", "Groups", "Group", "Users", "User",
    "Roles", "Role", "Refresh", "Select Value", "Statistics", "Not a valid choice",
    "Are you sure", "Contains", "Start with", "Not In", "Bytes", "KiB", "Database Error",
    "Page not found", "Forbidden", "Not Found", "Internal Server Error", "Access is Denied",
    "Permission", "Permissions", "menu access", "Yes", "No", "True", "False", "None",
    "Back to the start page", "Write the user", "The user's", "It's not a good policy",
    "The user group on the application", "Filter", "Confirmation", "Reset my password",
    "Language", "Logout", "Login", "Sign In", "Username", "Password", "User info",
    "Method Not Allowed", "Bad Request",
)
# Raw values in the markup itself: a cell, an option or a label showing Python's repr.
RAW_MARKUP = (
    re.compile(r">\s*(True|False|None|\[\])\s*<"),
    # WTForms' empty choice shown as its value, also inside FAB's search form (kept as
    # JSON in a script until a filter is added): only the value attribute may say __None.
    re.compile(r"(?:>|\\u003e)\s*__None\s*(?:<|\\u003c)"),
)
# An empty Python list shown as a value: "Groups []".
EMPTY_LIST = re.compile(r"\[\s*\]")
# A dated setting's internal key, e.g. core.small_claims_wage, in text a reader sees.
SETTING_KEY = re.compile(
    r"(?<![A-Za-z0-9_.])(?:core|family|property|traffic|debt|consumer|medical|labour|neighbour)\.[a-z_]{3,}(?![A-Za-z0-9_])"
)
# Hosts a page may not load from: the app must work offline.
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//([^/"':]+)[^"']*""", re.I)
LOOPBACK = {"localhost", "127.0.0.1"}  # the test and browser-test servers
OUTSIDE_WORDS = ("gstatic", "googleapis", "cdn.", "cdnjs", "jsdelivr", "unpkg")

# Whole words by Latin letters only: Chinese text runs straight into English ("参数List").
_WORDS = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(re.escape(w) for w in sorted(ENGLISH, key=len, reverse=True)) + r")(?![A-Za-z])"
)
# Attributes whose text a reader sees (hover text, placeholders, button captions).
_SEEN_ATTRIBUTES = {"title", "placeholder", "alt", "data-placeholder", "aria-label"}


class _Text(HTMLParser):
    """Collects the text a reader sees: text nodes outside scripts and styles, and the
    attributes shown as hover text, placeholders or captions."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if value and (name in _SEEN_ATTRIBUTES or (tag == "input" and name == "value"
                                                       and dict(attrs).get("type") in ("submit", "button"))):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    """The pieces of text a reader sees on ``html``."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.parts


def untranslated_in(html: str, host: str | None = None) -> list[str]:
    """Everything on a zh_CN page that is English, a raw value or loaded from outside.

    ``host`` (e.g. ``jiefen.example``) is the app's own: absolute links to it, as to the
    loopback servers tests run, are fine.
    Returns a list of short findings (empty when the page is clean), each quoting what
    was found so a failure says where to look.
    """
    found: list[str] = []
    for text in visible_text(html):
        for m in _WORDS.finditer(text):
            found.append(f"English {m.group(0)!r} in {text[:80]!r}")
        if EMPTY_LIST.search(text):
            found.append(f"raw empty list in {text[:80]!r}")
        for m in SETTING_KEY.finditer(text):
            found.append(f"setting key {m.group(0)!r} in {text[:80]!r}")
    for pattern in RAW_MARKUP:
        for m in pattern.finditer(html):
            found.append(f"raw value {m.group(0)!r}")
    own = LOOPBACK | ({host.split(":")[0]} if host else set())
    for m in OUTSIDE.finditer(html):
        if m.group(1).lower() not in own:
            found.append(f"outside host {m.group(0)!r}")
    lowered = html.lower()
    for word in OUTSIDE_WORDS:
        if word in lowered:
            found.append(f"outside host {word!r}")
    return found
