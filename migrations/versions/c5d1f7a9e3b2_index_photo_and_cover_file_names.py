"""index photo and cover file names

Revision ID: c5d1f7a9e3b2
Revises: b4c8e2f1a6d3
Create Date: 2026-12-05 12:00:00.000000

A photo or cover is served only while its profile may be seen or its post is published, so
each request looks its file name up. Plain CREATE INDEX: nothing is rebuilt (rebuilding
leader_profiles on SQLite would drop its triggers).
"""
from alembic import op

revision = 'c5d1f7a9e3b2'
down_revision = 'b4c8e2f1a6d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_leader_profiles_photo'), 'leader_profiles', ['photo'], unique=False)
    op.create_index(op.f('ix_proposals_cover_image'), 'proposals', ['cover_image'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_proposals_cover_image'), table_name='proposals')
    op.drop_index(op.f('ix_leader_profiles_photo'), table_name='leader_profiles')
