"""grid cells count leaders for the radius search

Revision ID: 5b1e2c7d9a40
Revises: cc026109d7db
Create Date: 2026-11-23 18:05:00.000000

The search index moves from whole-degree latitude bands to the finest cells of the grid in
app/geo/cells.py (1/32 degree), and leader_cells counts searchable leaders per cell at every
level, kept by triggers.
"""
import math

import sqlalchemy as sa
from alembic import op

FINEST = 5  # app/geo/cells.py when this migration was written
# The grid as this revision made it, frozen here: later changes to app.geo.cells must not
# change what this migration computes.
PER_DEGREE = 1 << FINEST
ROWS, COLUMNS = 180 * PER_DEGREE, 360 * PER_DEGREE


def cell_of(lat: float, lng: float) -> tuple[int, int]:
    y = min(ROWS - 1, max(0, math.floor((lat + 90.0) * PER_DEGREE)))
    x = min(COLUMNS - 1, max(0, math.floor((lng + 180.0) * PER_DEGREE)))
    return y, x


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
    op.create_table(
        'leader_points',
        sa.Column('cell_y', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('cell_x', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lng', sa.Float(), nullable=False),
        sa.Column('leaders', sa.Integer(), nullable=False),
        sa.Column('online', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('cell_y', 'cell_x', 'lat', 'lng', name=op.f('pk_leader_points')),
        sqlite_with_rowid=False,
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

    # Then the counts, level by level, the points, and the triggers that keep them from now on.
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
    points = sa.table('leader_points', sa.column('cell_y', sa.Integer), sa.column('cell_x', sa.Integer),
                      sa.column('lat', sa.Float), sa.column('lng', sa.Float), sa.column('leaders', sa.Integer),
                      sa.column('online', sa.Integer))
    online = sa.func.sum(sa.case((profiles.c.works_online == sa.true(), 1), else_=0))
    connection.execute(points.insert().from_select(
        ['cell_y', 'cell_x', 'lat', 'lng', 'leaders', 'online'],
        sa.select(profiles.c.cell_y, profiles.c.cell_x, profiles.c.public_lat, profiles.c.public_lng,
                  sa.func.count(), online)
        .where(profiles.c.searchable == sa.true(), profiles.c.cell_y.is_not(None))
        .group_by(profiles.c.cell_y, profiles.c.cell_x, profiles.c.public_lat, profiles.c.public_lng)))
    for statement in TRIGGERS.get(connection.dialect.name, []):
        op.execute(statement)


def downgrade():
    connection = op.get_bind()
    for statement in DROP_TRIGGERS.get(connection.dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table('leader_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_leader_profiles_search_cell')
        batch_op.add_column(sa.Column('lat_band', sa.Integer(), nullable=True))
        batch_op.create_index('ix_leader_profiles_search_band',
                              ['searchable', 'lat_band', 'public_lng', 'public_lat', 'works_online'], unique=False)
        batch_op.drop_column('name_key')
        batch_op.drop_column('cell_x')
        batch_op.drop_column('cell_y')
    op.drop_table('leader_points')
    op.drop_table('leader_cells')
    profiles = sa.table('leader_profiles', sa.column('public_lat', sa.Float), sa.column('lat_band', sa.Integer))
    connection.execute(profiles.update().where(profiles.c.public_lat.is_not(None))
                       .values(lat_band=sa.cast(sa.func.floor(profiles.c.public_lat), sa.Integer)))


# The triggers as app/models/directory.py (COUNT_TRIGGERS) wrote them for this revision:
# frozen here, so later changes to the model never change what this migration does.
TRIGGERS = {'postgresql': ['CREATE OR REPLACE FUNCTION leader_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$ '
                "BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO leader_cells (level, y, x, leaders, online) "
                'SELECT level, y, x, sum(leaders), sum(online) FROM (SELECT level AS level, NEW.cell_y >> (5 '
                '- level) AS y, NEW.cell_x >> (5 - level) AS x, +1 AS leaders, +(CASE WHEN NEW.works_online '
                'THEN 1 ELSE 0 END) AS online FROM generate_series(0, 5) AS levels (level) WHERE '
                'NEW.searchable AND NEW.cell_y IS NOT NULL) AS deltas GROUP BY level, y, x HAVING '
                'sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY level, y, x ON CONFLICT (level, y, x) DO '
                'UPDATE SET leaders = leader_cells.leaders + excluded.leaders, online = leader_cells.online '
                '+ excluded.online; INSERT INTO leader_points (cell_y, cell_x, lat, lng, leaders, online) '
                'SELECT cell_y, cell_x, lat, lng, sum(leaders), sum(online) FROM (SELECT NEW.cell_y AS '
                'cell_y, NEW.cell_x AS cell_x, NEW.public_lat AS lat, NEW.public_lng AS lng, +1 AS leaders, '
                '+(CASE WHEN NEW.works_online THEN 1 ELSE 0 END) AS online WHERE NEW.searchable AND '
                'NEW.cell_y IS NOT NULL) AS deltas GROUP BY cell_y, cell_x, lat, lng HAVING sum(leaders) <> '
                '0 OR sum(online) <> 0 ORDER BY cell_y, cell_x, lat, lng ON CONFLICT (cell_y, cell_x, lat, '
                'lng) DO UPDATE SET leaders = leader_points.leaders + excluded.leaders, online = '
                "leader_points.online + excluded.online; ELSIF TG_OP = 'DELETE' THEN INSERT INTO "
                'leader_cells (level, y, x, leaders, online) SELECT level, y, x, sum(leaders), sum(online) '
                'FROM (SELECT level AS level, OLD.cell_y >> (5 - level) AS y, OLD.cell_x >> (5 - level) AS '
                'x, -1 AS leaders, -(CASE WHEN OLD.works_online THEN 1 ELSE 0 END) AS online FROM '
                'generate_series(0, 5) AS levels (level) WHERE OLD.searchable AND OLD.cell_y IS NOT NULL) AS '
                'deltas GROUP BY level, y, x HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY level, y, '
                'x ON CONFLICT (level, y, x) DO UPDATE SET leaders = leader_cells.leaders + '
                'excluded.leaders, online = leader_cells.online + excluded.online; INSERT INTO leader_points '
                '(cell_y, cell_x, lat, lng, leaders, online) SELECT cell_y, cell_x, lat, lng, sum(leaders), '
                'sum(online) FROM (SELECT OLD.cell_y AS cell_y, OLD.cell_x AS cell_x, OLD.public_lat AS lat, '
                'OLD.public_lng AS lng, -1 AS leaders, -(CASE WHEN OLD.works_online THEN 1 ELSE 0 END) AS '
                'online WHERE OLD.searchable AND OLD.cell_y IS NOT NULL) AS deltas GROUP BY cell_y, cell_x, '
                'lat, lng HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY cell_y, cell_x, lat, lng ON '
                'CONFLICT (cell_y, cell_x, lat, lng) DO UPDATE SET leaders = leader_points.leaders + '
                'excluded.leaders, online = leader_points.online + excluded.online; DELETE FROM '
                'leader_points WHERE cell_y = OLD.cell_y AND cell_x = OLD.cell_x AND lat = OLD.public_lat '
                'AND lng = OLD.public_lng AND leaders <= 0; ELSE INSERT INTO leader_cells (level, y, x, '
                'leaders, online) SELECT level, y, x, sum(leaders), sum(online) FROM (SELECT level AS level, '
                'OLD.cell_y >> (5 - level) AS y, OLD.cell_x >> (5 - level) AS x, -1 AS leaders, -(CASE WHEN '
                'OLD.works_online THEN 1 ELSE 0 END) AS online FROM generate_series(0, 5) AS levels (level) '
                'WHERE OLD.searchable AND OLD.cell_y IS NOT NULL UNION ALL SELECT level AS level, NEW.cell_y '
                '>> (5 - level) AS y, NEW.cell_x >> (5 - level) AS x, +1 AS leaders, +(CASE WHEN '
                'NEW.works_online THEN 1 ELSE 0 END) AS online FROM generate_series(0, 5) AS levels (level) '
                'WHERE NEW.searchable AND NEW.cell_y IS NOT NULL) AS deltas GROUP BY level, y, x HAVING '
                'sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY level, y, x ON CONFLICT (level, y, x) DO '
                'UPDATE SET leaders = leader_cells.leaders + excluded.leaders, online = leader_cells.online '
                '+ excluded.online; INSERT INTO leader_points (cell_y, cell_x, lat, lng, leaders, online) '
                'SELECT cell_y, cell_x, lat, lng, sum(leaders), sum(online) FROM (SELECT OLD.cell_y AS '
                'cell_y, OLD.cell_x AS cell_x, OLD.public_lat AS lat, OLD.public_lng AS lng, -1 AS leaders, '
                '-(CASE WHEN OLD.works_online THEN 1 ELSE 0 END) AS online WHERE OLD.searchable AND '
                'OLD.cell_y IS NOT NULL UNION ALL SELECT NEW.cell_y AS cell_y, NEW.cell_x AS cell_x, '
                'NEW.public_lat AS lat, NEW.public_lng AS lng, +1 AS leaders, +(CASE WHEN NEW.works_online '
                'THEN 1 ELSE 0 END) AS online WHERE NEW.searchable AND NEW.cell_y IS NOT NULL) AS deltas '
                'GROUP BY cell_y, cell_x, lat, lng HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY '
                'cell_y, cell_x, lat, lng ON CONFLICT (cell_y, cell_x, lat, lng) DO UPDATE SET leaders = '
                'leader_points.leaders + excluded.leaders, online = leader_points.online + excluded.online; '
                'DELETE FROM leader_points WHERE cell_y = OLD.cell_y AND cell_x = OLD.cell_x AND lat = '
                'OLD.public_lat AND lng = OLD.public_lng AND leaders <= 0; END IF; RETURN NULL; END $$',
                'CREATE TRIGGER leader_counts_sync AFTER INSERT OR DELETE OR UPDATE OF searchable, cell_y, '
                'cell_x, public_lat, public_lng, works_online ON leader_profiles FOR EACH ROW EXECUTE '
                'FUNCTION leader_counts_sync()'],
 'sqlite': ['CREATE TRIGGER leader_counts_on_insert AFTER INSERT ON leader_profiles BEGIN INSERT INTO '
            'leader_cells (level, y, x, leaders, online) SELECT level, y, x, sum(leaders), sum(online) FROM '
            '(SELECT level AS level, NEW.cell_y >> (5 - level) AS y, NEW.cell_x >> (5 - level) AS x, +1 AS '
            'leaders, +(CASE WHEN NEW.works_online THEN 1 ELSE 0 END) AS online FROM (SELECT 0 AS level '
            'UNION ALL SELECT 1 AS level UNION ALL SELECT 2 AS level UNION ALL SELECT 3 AS level UNION ALL '
            'SELECT 4 AS level UNION ALL SELECT 5 AS level) AS levels WHERE NEW.searchable AND NEW.cell_y IS '
            'NOT NULL) AS deltas GROUP BY level, y, x HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY '
            'level, y, x ON CONFLICT (level, y, x) DO UPDATE SET leaders = leader_cells.leaders + '
            'excluded.leaders, online = leader_cells.online + excluded.online; INSERT INTO leader_points '
            '(cell_y, cell_x, lat, lng, leaders, online) SELECT cell_y, cell_x, lat, lng, sum(leaders), '
            'sum(online) FROM (SELECT NEW.cell_y AS cell_y, NEW.cell_x AS cell_x, NEW.public_lat AS lat, '
            'NEW.public_lng AS lng, +1 AS leaders, +(CASE WHEN NEW.works_online THEN 1 ELSE 0 END) AS online '
            'WHERE NEW.searchable AND NEW.cell_y IS NOT NULL) AS deltas GROUP BY cell_y, cell_x, lat, lng '
            'HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY cell_y, cell_x, lat, lng ON CONFLICT '
            '(cell_y, cell_x, lat, lng) DO UPDATE SET leaders = leader_points.leaders + excluded.leaders, '
            'online = leader_points.online + excluded.online; END',
            'CREATE TRIGGER leader_counts_on_delete AFTER DELETE ON leader_profiles BEGIN INSERT INTO '
            'leader_cells (level, y, x, leaders, online) SELECT level, y, x, sum(leaders), sum(online) FROM '
            '(SELECT level AS level, OLD.cell_y >> (5 - level) AS y, OLD.cell_x >> (5 - level) AS x, -1 AS '
            'leaders, -(CASE WHEN OLD.works_online THEN 1 ELSE 0 END) AS online FROM (SELECT 0 AS level '
            'UNION ALL SELECT 1 AS level UNION ALL SELECT 2 AS level UNION ALL SELECT 3 AS level UNION ALL '
            'SELECT 4 AS level UNION ALL SELECT 5 AS level) AS levels WHERE OLD.searchable AND OLD.cell_y IS '
            'NOT NULL) AS deltas GROUP BY level, y, x HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY '
            'level, y, x ON CONFLICT (level, y, x) DO UPDATE SET leaders = leader_cells.leaders + '
            'excluded.leaders, online = leader_cells.online + excluded.online; INSERT INTO leader_points '
            '(cell_y, cell_x, lat, lng, leaders, online) SELECT cell_y, cell_x, lat, lng, sum(leaders), '
            'sum(online) FROM (SELECT OLD.cell_y AS cell_y, OLD.cell_x AS cell_x, OLD.public_lat AS lat, '
            'OLD.public_lng AS lng, -1 AS leaders, -(CASE WHEN OLD.works_online THEN 1 ELSE 0 END) AS online '
            'WHERE OLD.searchable AND OLD.cell_y IS NOT NULL) AS deltas GROUP BY cell_y, cell_x, lat, lng '
            'HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY cell_y, cell_x, lat, lng ON CONFLICT '
            '(cell_y, cell_x, lat, lng) DO UPDATE SET leaders = leader_points.leaders + excluded.leaders, '
            'online = leader_points.online + excluded.online; DELETE FROM leader_points WHERE cell_y = '
            'OLD.cell_y AND cell_x = OLD.cell_x AND lat = OLD.public_lat AND lng = OLD.public_lng AND '
            'leaders <= 0; END',
            'CREATE TRIGGER leader_counts_on_update AFTER UPDATE OF searchable, cell_y, cell_x, public_lat, '
            'public_lng, works_online ON leader_profiles BEGIN INSERT INTO leader_cells (level, y, x, '
            'leaders, online) SELECT level, y, x, sum(leaders), sum(online) FROM (SELECT level AS level, '
            'OLD.cell_y >> (5 - level) AS y, OLD.cell_x >> (5 - level) AS x, -1 AS leaders, -(CASE WHEN '
            'OLD.works_online THEN 1 ELSE 0 END) AS online FROM (SELECT 0 AS level UNION ALL SELECT 1 AS '
            'level UNION ALL SELECT 2 AS level UNION ALL SELECT 3 AS level UNION ALL SELECT 4 AS level UNION '
            'ALL SELECT 5 AS level) AS levels WHERE OLD.searchable AND OLD.cell_y IS NOT NULL UNION ALL '
            'SELECT level AS level, NEW.cell_y >> (5 - level) AS y, NEW.cell_x >> (5 - level) AS x, +1 AS '
            'leaders, +(CASE WHEN NEW.works_online THEN 1 ELSE 0 END) AS online FROM (SELECT 0 AS level '
            'UNION ALL SELECT 1 AS level UNION ALL SELECT 2 AS level UNION ALL SELECT 3 AS level UNION ALL '
            'SELECT 4 AS level UNION ALL SELECT 5 AS level) AS levels WHERE NEW.searchable AND NEW.cell_y IS '
            'NOT NULL) AS deltas GROUP BY level, y, x HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY '
            'level, y, x ON CONFLICT (level, y, x) DO UPDATE SET leaders = leader_cells.leaders + '
            'excluded.leaders, online = leader_cells.online + excluded.online; INSERT INTO leader_points '
            '(cell_y, cell_x, lat, lng, leaders, online) SELECT cell_y, cell_x, lat, lng, sum(leaders), '
            'sum(online) FROM (SELECT OLD.cell_y AS cell_y, OLD.cell_x AS cell_x, OLD.public_lat AS lat, '
            'OLD.public_lng AS lng, -1 AS leaders, -(CASE WHEN OLD.works_online THEN 1 ELSE 0 END) AS online '
            'WHERE OLD.searchable AND OLD.cell_y IS NOT NULL UNION ALL SELECT NEW.cell_y AS cell_y, '
            'NEW.cell_x AS cell_x, NEW.public_lat AS lat, NEW.public_lng AS lng, +1 AS leaders, +(CASE WHEN '
            'NEW.works_online THEN 1 ELSE 0 END) AS online WHERE NEW.searchable AND NEW.cell_y IS NOT NULL) '
            'AS deltas GROUP BY cell_y, cell_x, lat, lng HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER '
            'BY cell_y, cell_x, lat, lng ON CONFLICT (cell_y, cell_x, lat, lng) DO UPDATE SET leaders = '
            'leader_points.leaders + excluded.leaders, online = leader_points.online + excluded.online; '
            'DELETE FROM leader_points WHERE cell_y = OLD.cell_y AND cell_x = OLD.cell_x AND lat = '
            'OLD.public_lat AND lng = OLD.public_lng AND leaders <= 0; END']}
DROP_TRIGGERS = {'postgresql': ['DROP TRIGGER IF EXISTS leader_counts_sync ON leader_profiles',
                'DROP FUNCTION IF EXISTS leader_counts_sync()'],
 'sqlite': ['DROP TRIGGER IF EXISTS leader_counts_on_insert',
            'DROP TRIGGER IF EXISTS leader_counts_on_delete',
            'DROP TRIGGER IF EXISTS leader_counts_on_update']}
