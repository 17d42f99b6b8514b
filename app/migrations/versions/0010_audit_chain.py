"""audit log append-only and hash-chained

Adds ``case_id``, ``seq``, ``prev_hash`` and ``row_hash`` to ``audit_event``, chains the rows
already there (in id order) so ``flask audit verify`` passes on an upgraded database, adds
the audit page's indexes, and installs triggers that refuse UPDATE and DELETE (and TRUNCATE
on PostgreSQL).

SQLite drops a table's triggers when batch mode rebuilds it: a later migration that alters
``audit_event`` in batch mode must create them again (``create_triggers`` below).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# tables whose rows name their case; agreed terms and signatures reach it through the agreement
WITH_CASE_ID = ("party", "consent", "assignment", "appointment", "mediation_session", "attachment", "agreement",
                "judicial_confirmation", "return_visit", "referral")
VIA_AGREEMENT = ("agreed_term", "signature")
INDEXES = (("ix_audit_case", ["case_id", "id"], False), ("ix_audit_actor", ["actor_id", "id"], False),
           ("ix_audit_action", ["action", "id"], False), ("ix_audit_at", ["at"], False),
           ("uq_audit_seq", ["seq"], True))
BATCH = 1000

audit = sa.table(
    "audit_event",
    sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)), sa.column("actor_id", sa.Integer),
    sa.column("via", sa.String), sa.column("table_name", sa.String), sa.column("row_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("changes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.column("case_id", sa.Integer), sa.column("seq", sa.Integer), sa.column("prev_hash", sa.String),
    sa.column("row_hash", sa.String),
)


def create_triggers(dialect: str) -> None:
    """The append-only guard: UPDATE, DELETE (and TRUNCATE on PostgreSQL) raise an error."""
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP "
            "USING ERRCODE = 'restrict_violation'; END; $$"
        )
        op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
        op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                       f"BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: {verb} refused'); END")


def drop_triggers(dialect: str) -> None:
    """Remove what :func:`create_triggers` made."""
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def _resolve_cases(conn) -> None:
    """Fill ``case_id`` of the rows there are from the rows they describe, where those still exist."""
    conn.execute(sa.text("UPDATE audit_event SET case_id = row_id WHERE table_name = 'cases'"))
    for table in WITH_CASE_ID:
        conn.execute(sa.text(
            f"UPDATE audit_event SET case_id = (SELECT t.case_id FROM {table} t WHERE t.id = audit_event.row_id) "
            f"WHERE table_name = '{table}' AND case_id IS NULL"))
    for table in VIA_AGREEMENT:
        conn.execute(sa.text(
            f"UPDATE audit_event SET case_id = (SELECT a.case_id FROM {table} t JOIN agreement a "
            f"ON a.id = t.agreement_id WHERE t.id = audit_event.row_id) "
            f"WHERE table_name = '{table}' AND case_id IS NULL"))


def _case_from_changes(changes):
    """A deleted row's case, from what its insert (or a download's details) recorded."""
    value = (changes or {}).get("case_id")
    if isinstance(value, list) and value:
        value = value[-1]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _chain_existing(conn) -> None:
    """Chain the rows written before this revision, in id order, a batch at a time."""
    from app.audit_chain import GENESIS, row_digest

    seq, prev, last_id = 0, GENESIS, 0
    while True:
        rows = conn.execute(
            sa.select(audit).where(audit.c.id > last_id).order_by(audit.c.id).limit(BATCH)).mappings().all()
        if not rows:
            return
        updates = []
        for row in rows:
            seq += 1
            item = dict(row)
            item["seq"], item["prev_hash"] = seq, prev
            if item["case_id"] is None:
                item["case_id"] = _case_from_changes(item["changes"])
            item["row_hash"] = prev = row_digest(item)
            updates.append({"_id": row["id"], "case_id": item["case_id"], "seq": seq, "prev_hash": item["prev_hash"],
                            "row_hash": item["row_hash"]})
            last_id = row["id"]
        conn.execute(
            audit.update().where(audit.c.id == sa.bindparam("_id")).values(
                case_id=sa.bindparam("case_id"), seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev_hash"),
                row_hash=sa.bindparam("row_hash")),
            updates)


def upgrade():
    conn = op.get_bind()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        # a running old worker must not add unchained rows while they are being chained
        op.execute("LOCK TABLE audit_event IN EXCLUSIVE MODE")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    _resolve_cases(conn)
    _chain_existing(conn)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)
        for name, columns, unique in INDEXES:
            batch_op.create_index(name, columns, unique=unique)
    create_triggers(dialect)


def downgrade():
    drop_triggers(op.get_bind().dialect.name)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        for name, _columns, _unique in INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
        batch_op.drop_column('case_id')
