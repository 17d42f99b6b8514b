"""agreement term kinds and oral agreements

Each agreed term gets a kind (app/agreements/kinds.py): a court confirms an agreement term
by term, so the kind decides what an application for judicial confirmation covers. Terms
already stored get the kind their wording names (support payments, visits, marriage and
adoption, payments of money), "other" for the rest — the same choice a mediator would make,
and "other" never hides a term from confirmation that was confirmable before.

An agreement is written or oral (People's Mediation Law art. 28); an oral one has no
template, and keeps an empty ``template_code``.

Columns are only added and dropped, never altered: on SQLite, altering ``agreement`` would
recreate it, and dropping the old table with foreign keys on deletes every term and signature
of every agreement (ON DELETE CASCADE).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 09:15:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# First match wins: status words before support (a divorce term may mention support too).
_GUESSES = (
    ("personal_status", ("离婚", "解除婚姻", "婚姻关系", "收养", "亲子关系")),
    ("support", ("抚养费", "赡养费", "扶养费")),
    ("custody", ("探望", "直接抚养", "抚养权")),
    ("money", ("人民币",)),
)


def upgrade():
    op.add_column('agreed_term', sa.Column('kind', sa.String(length=32), nullable=False, server_default='other'))
    op.add_column('agreement', sa.Column('form', sa.String(length=16), nullable=False, server_default='written'))
    term = sa.table('agreed_term', sa.column('kind', sa.String), sa.column('text', sa.Text))
    for kind, words in reversed(_GUESSES):  # reversed: the first match in _GUESSES is written last
        op.execute(term.update().where(sa.or_(*[term.c.text.like(f'%{w}%') for w in words])).values(kind=kind))


def downgrade():
    # An oral agreement is kept (its case, terms, signatures and visits refer to it): the older
    # schema cannot tell it apart, and has no document for it. ALTER TABLE … DROP COLUMN, not
    # a batch: SQLite (3.35+) drops the column in place, without recreating the table.
    op.execute('ALTER TABLE agreement DROP COLUMN form')
    op.execute('ALTER TABLE agreed_term DROP COLUMN kind')
