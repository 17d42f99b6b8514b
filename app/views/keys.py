"""Primary keys and versions as they arrive in URLs and forms."""

MAX_PK = 2**63 - 1  # BIGINT range; SQLite overflows past it with a 500


def is_valid_pk(pk) -> bool:
    """True for a positive integer id the database can hold."""
    text = str(pk)
    # isascii: "²" is a digit to str.isdigit() but not to int().
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PK


def sent_version(raw):
    """The hidden version as sent; a tampered value reads as stale rather than a 500."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() else -1
