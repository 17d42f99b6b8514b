"""Stand-in for ``tests/untranslated.py`` until it exists: the English and raw text that must
not appear on a Chinese page — Flask-AppBuilder's own strings that have no zh translation in
the project, and raw Python values shown as data."""
from __future__ import annotations

import re

import lxml.html

# Whole texts (a button, a label, a cell, an option) that are English on a Chinese page.
KNOWN_ENGLISH = {
    "Add", "Edit", "Delete", "Show", "Search", "Save", "Back", "Cancel", "OK", "Refresh", "Filter",
    "List Users", "List Groups", "List Roles", "Add Setting", "Groups", "Actions", "Record Count",
    "Are you sure?", "Confirmation", "No records found", "User info", "Reset my password",
    "Language", "Logout", "Login", "Sign In", "Username", "Password", "Page not found",
    "Not Found", "Forbidden", "Internal Server Error", "Method Not Allowed", "Bad Request",
}
# Raw values: Python's, a blank select choice, byte counts.
RAW = re.compile(r"^(True|False|None|__None|\[\]|Groups \[\])$|\b\d+ Bytes\b")
# Start of FAB's English help texts on the user form.
ENGLISH_SENTENCES = ("It's not a good policy", "The user group on the application", "The user's password")


def _texts(doc) -> list[str]:
    """Every visible text of the page: text nodes, button values, placeholders, titles."""
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    out = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for text in (element.text, element.tail):
            if text and text.strip():
                out.append(text.strip())
        if element.tag in ("input", "button") and element.get("type") in ("submit", "button", "reset"):
            if element.get("value"):
                out.append(element.get("value").strip())
        for attr in ("placeholder", "title", "aria-label"):
            if element.get(attr):
                out.append(element.get(attr).strip())
    return out


def untranslated_in(html: str) -> list[str]:
    """The English or raw texts on ``html`` (a Chinese page), each once, in page order."""
    found: list[str] = []
    doc = lxml.html.fromstring(html)
    for text in _texts(doc):
        text = re.sub(r"\s+", " ", text)
        if text in KNOWN_ENGLISH or RAW.search(text) or text.startswith(ENGLISH_SENTENCES):
            if text not in found:
                found.append(text)
    return found
