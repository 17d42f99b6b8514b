"""Primary keys as they arrive in URLs."""

MAX_PK = 2**63 - 1  # BIGINT range; SQLite overflows past it with a 500


def is_valid_pk(pk) -> bool:
    """True for a positive integer id the database can hold."""
    text = str(pk)
    # isascii: "²" is a digit to str.isdigit() but not to int().
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PK
