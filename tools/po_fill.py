"""Fill catalogues after `make messages`.

    .venv/bin/python tools/po_fill.py en DIR...              # English: msgstr = msgid
    .venv/bin/python tools/po_fill.py zh MAPPING.json DIR... # Chinese from {msgid: msgstr}
    .venv/bin/python tools/po_fill.py missing DIR...         # list what is still untranslated

DIR is a translations folder (``translations`` or ``plugins/<name>/translations``).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

FOLDERS = {"en": "en", "zh": "zh_Hans_CN"}


def _rewrite(path: Path, fill) -> list[str]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if not message.string or message.fuzzy:
            value = fill(message.id)
            if value:
                message.string = value
                message.flags.discard("fuzzy")
            else:
                missing.append(message.id)
    with path.open("wb") as fh:
        write_po(fh, catalog, sort_output=True, no_location=True, width=76)
    return missing


def main(argv: list[str]) -> int:
    mode, rest = argv[0], argv[1:]
    mapping = {}
    if mode == "zh":
        mapping = json.loads(Path(rest[0]).read_text(encoding="utf-8"))
        rest = rest[1:]
    status = 0
    for folder in rest:
        langs = ["en", "zh"] if mode == "missing" else [mode]
        for lang in langs:
            po = Path(folder) / FOLDERS[lang] / "LC_MESSAGES" / "messages.po"
            fill = (lambda msgid: msgid) if (lang == "en" and mode == "en") else mapping.get
            if mode == "missing":
                fill = lambda msgid: None  # noqa: E731
            for msgid in _rewrite(po, fill):
                print(f"{po}: untranslated: {msgid!r}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
