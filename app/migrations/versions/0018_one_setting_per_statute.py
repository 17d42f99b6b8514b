"""one setting per statute: the age of majority and the ordinary limitation period

Issue 12. The same legal number was declared twice: the age of majority (民法典 第17条) as
``core.full_age_years`` and ``family.full_age_years``; the 3-year ordinary limitation period
(民法典 第188条) as ``debt.limitation_years`` and ``property.limitation_years``. The core's
``core.full_age_years`` and the new ``core.limitation_years`` are now the one setting of each
statute, and the plugins read them (``app.plugins.AGE_OF_MAJORITY``, ``ORDINARY_LIMITATION``).

Upgrade keeps an administrator's dated changes: a row of an old key newer than that key's
declared default (the seeded row) moves to the core key, unless the core key already has a row
for that ``valid_from`` (the core's value stands; debt's rows are taken before property's).
The seeded default rows are not moved — the core declares its own, and ``seed_settings`` adds
``core.limitation_years`` (3 years from 2017-10-01) at start-up. Then every row of the old keys
is deleted, so the settings page lists no setting nobody reads.

Downgrade does nothing destructive, and restores nothing: the older code seeds its declared
defaults of the old keys again at start-up; rows moved to the core keys stay there (the older
code reads ``core.full_age_years`` too, and ignores ``core.limitation_years``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 10:30:00

"""
import datetime as dt

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# old key -> (core key, the valid_from of the old key's declared default, i.e. its seeded row)
MOVED_SETTINGS = (
    ('family.full_age_years', 'core.full_age_years', dt.date(2000, 1, 1)),
    ('debt.limitation_years', 'core.limitation_years', dt.date(2017, 10, 1)),
    ('property.limitation_years', 'core.limitation_years', dt.date(2000, 1, 1)),
)

setting = sa.table(
    'setting',
    sa.column('id', sa.Integer),
    sa.column('key', sa.String),
    sa.column('value', sa.String),
    sa.column('valid_from', sa.Date),
    sa.column('source', sa.Text),
    sa.column('needs_check', sa.Boolean),
    sa.column('note', sa.Text),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('created_by_fk', sa.Integer),
)
COPIED = ('value', 'valid_from', 'source', 'needs_check', 'note', 'created_at', 'created_by_fk')


def upgrade():
    conn = op.get_bind()
    for old_key, core_key, seeded_from in MOVED_SETTINGS:
        # Bounded: one key's dated rows, a handful per statute.
        rows = conn.execute(
            sa.select(*(setting.c[name] for name in COPIED))
            .where(setting.c.key == old_key, setting.c.valid_from > seeded_from)
            .order_by(setting.c.valid_from)
        ).mappings().all()
        for row in rows:
            taken = conn.execute(
                sa.select(setting.c.id).where(setting.c.key == core_key,
                                              setting.c.valid_from == row['valid_from'])
            ).first()
            if taken is None:
                conn.execute(setting.insert().values(key=core_key, **dict(row)))
    old_keys = [old for old, _core, _from in MOVED_SETTINGS]
    op.execute(setting.delete().where(setting.c.key.in_(old_keys)))


def downgrade():
    pass
