"""latitude bands for the radius search

Revision ID: cc026109d7db
Revises: 03685c15d524
Create Date: 2026-11-23 16:29:02.709951

"""
import math

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'cc026109d7db'
down_revision = '03685c15d524'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leader_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat_band', sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_leader_profiles_searchable_public_point'))
        batch_op.create_index('ix_leader_profiles_search_band', ['searchable', 'lat_band', 'public_lng', 'public_lat', 'works_online'], unique=False)

    # Backfill: the band is floor(public_lat), computed here so it is the same on every database.
    profiles = sa.table('leader_profiles', sa.column('id', sa.Integer), sa.column('public_lat', sa.Float),
                        sa.column('lat_band', sa.Integer))
    connection = op.get_bind()
    rows = connection.execute(sa.select(profiles.c.id, profiles.c.public_lat)
                              .where(profiles.c.public_lat.is_not(None))).all()
    if rows:
        connection.execute(profiles.update().where(profiles.c.id == sa.bindparam('row_id'))
                           .values(lat_band=sa.bindparam('band')),
                           [{'row_id': id_, 'band': math.floor(lat)} for id_, lat in rows])


def downgrade():
    with op.batch_alter_table('leader_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_leader_profiles_search_band')
        batch_op.create_index(batch_op.f('ix_leader_profiles_searchable_public_point'), ['searchable', 'public_lat', 'public_lng', 'works_online'], unique=False)
        batch_op.drop_column('lat_band')

