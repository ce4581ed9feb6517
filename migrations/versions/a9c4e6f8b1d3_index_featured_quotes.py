"""an index for the home page's featured quotes; drop the unused (listed, display_name) one

Revision ID: a9c4e6f8b1d3
Revises: e7f1c3a9b2d4
Create Date: 2026-12-01 17:05:00.000000

The home page asked for the newest featured quotes by reading every profile (106 ms at
100,000 leaders on SQLite); with this index it reads the featured rows, newest first, and
stops at the sixth. Nothing orders by (listed, display_name) any more (the lists use
name_key), and that index misled SQLite into reading every listed profile for a range of ids
(the sitemap's parts) instead of the range itself.
"""
from alembic import op

revision = 'a9c4e6f8b1d3'
down_revision = 'e7f1c3a9b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_leader_profiles_featured", "leader_profiles",
                    ["featured_quote", "updated_at", "id"])
    op.drop_index("ix_leader_profiles_listed_name", table_name="leader_profiles")


def downgrade():
    op.create_index("ix_leader_profiles_listed_name", "leader_profiles", ["listed", "display_name"])
    op.drop_index("ix_leader_profiles_featured", table_name="leader_profiles")
