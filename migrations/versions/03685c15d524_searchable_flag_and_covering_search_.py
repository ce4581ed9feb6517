"""searchable flag and covering search index

Revision ID: 03685c15d524
Revises: ebe0efc46d00
Create Date: 2026-11-23 16:16:01.873595

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '03685c15d524'
down_revision = 'ebe0efc46d00'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leader_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('searchable', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.drop_index(batch_op.f('ix_leader_profiles_public_lat_public_lng'))
        batch_op.create_index('ix_leader_profiles_searchable_public_point',
                              ['searchable', 'public_lat', 'public_lng', 'works_online'], unique=False)

    # Backfill: searchable means listed and the account active.
    profiles = sa.table('leader_profiles', sa.column('user_id', sa.Integer), sa.column('listed', sa.Boolean),
                        sa.column('searchable', sa.Boolean))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('active', sa.Boolean))
    active = sa.exists().where(users.c.id == profiles.c.user_id, users.c.active == sa.true())
    op.execute(profiles.update().values(
        searchable=sa.case((sa.and_(profiles.c.listed == sa.true(), active), sa.true()), else_=sa.false())))


def downgrade():
    with op.batch_alter_table('leader_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_leader_profiles_searchable_public_point')
        batch_op.create_index(batch_op.f('ix_leader_profiles_public_lat_public_lng'), ['public_lat', 'public_lng'], unique=False)
        batch_op.drop_column('searchable')
