"""an index of everyone by name

Revision ID: d5f9b3a7e1c2
Revises: c4e8a2f6d0b5
Create Date: 2026-12-01 20:10:00.000000

Without a place the directory lists everyone by name_key; with no index for that order a page
sorted every searchable profile (2.2 s at 1,000,000 leaders on SQLite). This one reads a page's
rows in order, and a broad filter walks it until the page is full.
"""
from alembic import op

revision = 'd5f9b3a7e1c2'
down_revision = 'c4e8a2f6d0b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_leader_profiles_by_name", "leader_profiles", ["searchable", "name_key", "id"])


def downgrade():
    op.drop_index("ix_leader_profiles_by_name", table_name="leader_profiles")
