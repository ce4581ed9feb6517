"""grid cells count leaders for the radius search

Revision ID: 5b1e2c7d9a40
Revises: cc026109d7db
Create Date: 2026-11-23 18:05:00.000000

The search index moves from whole-degree latitude bands to the finest cells of the grid in
app/geo/cells.py (1/32 degree), and leader_cells counts searchable leaders per cell at every
level, kept by triggers.
"""
import sqlalchemy as sa
from alembic import op

from app.geo.cells import FINEST, cell_of
from app.models.directory import CELL_TRIGGERS, DROP_CELL_TRIGGERS

# revision identifiers, used by Alembic.
revision = '5b1e2c7d9a40'
down_revision = 'cc026109d7db'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'leader_cells',
        sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('y', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('x', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('leaders', sa.Integer(), nullable=False),
        sa.Column('online', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('level', 'y', 'x', name=op.f('pk_leader_cells')),
    )
    with op.batch_alter_table('leader_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cell_y', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cell_x', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('name_key', sa.String(length=255).with_variant(
            sa.String(length=255, collation='C'), 'postgresql'), server_default='', nullable=False))
        batch_op.drop_index('ix_leader_profiles_search_band')
        batch_op.drop_column('lat_band')

    # Backfill the cells and name keys with the same functions the application uses.
    profiles = sa.table('leader_profiles', sa.column('id', sa.Integer), sa.column('public_lat', sa.Float),
                        sa.column('public_lng', sa.Float), sa.column('cell_y', sa.Integer),
                        sa.column('cell_x', sa.Integer), sa.column('searchable', sa.Boolean),
                        sa.column('works_online', sa.Boolean), sa.column('display_name', sa.String),
                        sa.column('name_key', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(profiles.c.id, profiles.c.public_lat, profiles.c.public_lng,
                                        profiles.c.display_name)).all()
    if rows:
        connection.execute(
            profiles.update().where(profiles.c.id == sa.bindparam('row_id'))
            .values(cell_y=sa.bindparam('y'), cell_x=sa.bindparam('x'), name_key=sa.bindparam('key')),
            [{'row_id': id_, 'key': name.casefold(),
              **dict(zip(('y', 'x'), cell_of(lat, lng) if lat is not None and lng is not None else (None, None)))}
             for id_, lat, lng, name in rows])
    with op.batch_alter_table('leader_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_leader_profiles_search_cell',
                              ['searchable', 'cell_y', 'cell_x', 'public_lat', 'public_lng', 'name_key',
                               'works_online'], unique=False)

    # Then the counts, level by level, and the triggers that keep them from now on.
    cells = sa.table('leader_cells', sa.column('level', sa.Integer), sa.column('y', sa.Integer),
                     sa.column('x', sa.Integer), sa.column('leaders', sa.Integer), sa.column('online', sa.Integer))
    for level in range(FINEST + 1):
        shift = FINEST - level
        y, x = profiles.c.cell_y.op('>>')(shift), profiles.c.cell_x.op('>>')(shift)
        online = sa.func.sum(sa.case((profiles.c.works_online == sa.true(), 1), else_=0))
        connection.execute(cells.insert().from_select(
            ['level', 'y', 'x', 'leaders', 'online'],
            sa.select(sa.literal(level), y, x, sa.func.count(), online)
            .where(profiles.c.searchable == sa.true(), profiles.c.cell_y.is_not(None))
            .group_by(y, x)))
    for statement in CELL_TRIGGERS.get(connection.dialect.name, []):
        op.execute(statement)


def downgrade():
    connection = op.get_bind()
    for statement in DROP_CELL_TRIGGERS.get(connection.dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table('leader_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_leader_profiles_search_cell')
        batch_op.add_column(sa.Column('lat_band', sa.Integer(), nullable=True))
        batch_op.create_index('ix_leader_profiles_search_band',
                              ['searchable', 'lat_band', 'public_lng', 'public_lat', 'works_online'], unique=False)
        batch_op.drop_column('name_key')
        batch_op.drop_column('cell_x')
        batch_op.drop_column('cell_y')
    op.drop_table('leader_cells')
    profiles = sa.table('leader_profiles', sa.column('public_lat', sa.Float), sa.column('lat_band', sa.Integer))
    connection.execute(profiles.update().where(profiles.c.public_lat.is_not(None))
                       .values(lat_band=sa.cast(sa.func.floor(profiles.c.public_lat), sa.Integer)))
