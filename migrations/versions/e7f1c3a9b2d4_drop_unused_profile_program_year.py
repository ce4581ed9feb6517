"""drop the unused profile_programs.year

Revision ID: e7f1c3a9b2d4
Revises: d6e2a8b0f4c1
Create Date: 2026-12-01 16:45:00.000000

Nothing ever wrote or read the year a program was completed: no form asks for it, no page shows
it. A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): nothing is rebuilt.
"""
import sqlalchemy as sa
from alembic import op

revision = 'e7f1c3a9b2d4'
down_revision = 'd6e2a8b0f4c1'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE profile_programs DROP COLUMN year")


def downgrade():
    op.add_column('profile_programs', sa.Column('year', sa.Integer(), nullable=True))
