"""indexes from a focus area and from a program to their profiles

Revision ID: c4e8a2f6d0b5
Revises: b2d7e4a1c9f3
Create Date: 2026-12-01 18:25:00.000000

Searching by focus area or program without a place asked every profile whether it had it
(525 ms for a focus area held by 16,901 of 100,000 leaders on SQLite); these indexes let the
search read the profiles that have it instead (53 ms).
"""
from alembic import op

revision = 'c4e8a2f6d0b5'
down_revision = 'b2d7e4a1c9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_profile_focus_areas_area", "profile_focus_areas", ["focus_area_id", "profile_id"])
    op.create_index("ix_profile_programs_program", "profile_programs", ["program_id", "profile_id"])


def downgrade():
    op.drop_index("ix_profile_programs_program", table_name="profile_programs")
    op.drop_index("ix_profile_focus_areas_area", table_name="profile_focus_areas")
