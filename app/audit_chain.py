"""The hash chain of the audit log: appending rows to it, and checking it.

Each ``audit_event`` row stores ``seq`` (1, 2, 3, … without holes), ``prev_hash`` (the
``row_hash`` of the row before it; 64 zeros for the first) and ``row_hash``: SHA-256 over the
canonical form of its own fields plus ``prev_hash`` (:func:`canonical`). Changing a row breaks
its hash; removing one leaves a gap in ``seq`` and a broken link; the database triggers of
migration 0010 refuse UPDATE and DELETE in the first place, so the chain is there for what
goes around them (a superuser, a restored or edited backup).

**One chain, many writers.** Rows come from every gunicorn worker and from two paths (the
``after_flush`` hook and :func:`app.audit.record_access`). Reading the last hash and inserting
the next row must not interleave:

* PostgreSQL: the inserting transaction takes ``pg_advisory_xact_lock(CHAIN_LOCK)`` before it
  reads the last row. The lock is held until that transaction commits or rolls back, so
  transactions that write audit rows are serialised from their first audited flush to their
  commit. That is the cost: audited writes of the whole installation queue behind each other
  for the rest of each such transaction (milliseconds in a request; a long CLI job holding an
  audited transaction open makes web writers wait). The unique index on ``seq`` stops a fork
  should anything slip past the lock (e.g. a REPEATABLE READ transaction reading a stale last
  row): the insert then fails instead of writing a second row 42.
* SQLite: one writer at a time. The ``after_flush`` hook runs after the flush's own
  INSERT/UPDATE/DELETE, so its transaction already holds the write lock;
  :func:`chain_transaction` (``record_access``) starts with ``BEGIN IMMEDIATE`` to take it
  before reading.

The canonical form is the same whichever database the row went through: the time as UTC
with microseconds (SQLite hands it back naive, PostgreSQL in the session's zone), ``changes``
as sorted-key JSON with whole floats written as integers (JSONB gives ``1e20`` back as an
integer).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from sqlalchemy import func, insert, select

from app.models.audit import AuditEvent

GENESIS = "0" * 64
# Any constant shared by every process of the installation ("JFAUDIT" in ASCII).
CHAIN_LOCK = 0x4A464155444954
HASHED = ("seq", "at", "actor_id", "via", "table_name", "row_id", "case_id", "action", "changes", "prev_hash")
TABLE = AuditEvent.__table__


def plain_json(value):
    """``value`` as JSON-ready data that reads back identically from SQLite JSON and PostgreSQL
    JSONB (string keys, lists for tuples, whole floats as integers)."""
    if isinstance(value, dict):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical_time(value: dt.datetime) -> str:
    """A stored timestamp as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (naive = UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row) -> bytes:
    """The bytes a row's hash is taken over: its fields and ``prev_hash`` as sorted-key JSON."""
    data = {key: row[key] for key in HASHED}
    data["at"] = canonical_time(data["at"])
    data["changes"] = plain_json(data["changes"] or {})
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def row_digest(row) -> str:
    """SHA-256 (hex) of :func:`canonical` ``(row)``."""
    return hashlib.sha256(canonical(row)).hexdigest()


def lock_chain(conn) -> None:
    """Serialise chain writers on PostgreSQL until this transaction ends (see module doc)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK)))


def append(conn, rows: list[dict]) -> None:
    """Insert ``rows`` (``at``, ``actor_id``, ``via``, ``table_name``, ``row_id``, ``case_id``,
    ``action``, ``changes``) at the end of the chain, inside the caller's transaction."""
    lock_chain(conn)
    last = conn.execute(select(TABLE.c.seq, TABLE.c.row_hash).order_by(TABLE.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.row_hash) if last else (0, GENESIS)
    chained = []
    for row in rows:
        seq += 1
        at = row["at"]
        at = at.astimezone(dt.timezone.utc) if at.tzinfo is not None else at.replace(tzinfo=dt.timezone.utc)
        item = {**row, "at": at, "changes": plain_json(row.get("changes") or {}), "seq": seq, "prev_hash": prev}
        item.setdefault("case_id", None)
        item["row_hash"] = prev = row_digest(item)
        chained.append(item)
    conn.execute(insert(TABLE), chained)


@contextmanager
def chain_transaction(engine) -> Iterator:
    """A connection in a transaction of its own that may :func:`append`; commits on success.

    On SQLite it begins with ``BEGIN IMMEDIATE``: the write lock is taken before the last hash is
    read, not at the INSERT (another writer could commit in between).
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :func:`verify_chain`: ``first_broken_id`` and ``reason`` are set when not ok."""

    ok: bool
    checked: int
    first_broken_id: Optional[int] = None
    reason: Optional[str] = None


def verify_chain(conn, batch_size: int = 2000, progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Walk the chain in id order, ``batch_size`` rows at a time (constant memory), and stop at
    the first row whose hash, link to the row before, or place in the sequence is wrong.

    ``conn`` is a SQLAlchemy connection or session; ``progress(checked)`` is called after each batch.
    """
    checked, last_id, seq, prev = 0, 0, 0, GENESIS
    columns = [TABLE.c.id, *(TABLE.c[name] for name in HASHED), TABLE.c.row_hash]
    while True:
        rows = conn.execute(
            select(*columns).where(TABLE.c.id > last_id).order_by(TABLE.c.id).limit(batch_size)
        ).mappings().all()
        if not rows:
            return VerifyResult(True, checked)
        for row in rows:
            if row["seq"] != seq + 1:
                reason = (f"gap: sequence number {row['seq']} follows {seq}"
                          f" ({'rows missing before it' if row['seq'] > seq + 1 else 'out of order'})")
                return VerifyResult(False, checked, row["id"], reason)
            if row["prev_hash"] != prev:
                return VerifyResult(False, checked, row["id"],
                                    "prev link broken: prev_hash is not the hash of the row before")
            if row_digest(row) != row["row_hash"]:
                return VerifyResult(False, checked, row["id"],
                                    "hash mismatch: the row was changed after it was written")
            seq, prev, last_id = row["seq"], row["row_hash"], row["id"]
            checked += 1
        if progress is not None:
            progress(checked)
