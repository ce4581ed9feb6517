"""the blog's published posts by date: an index of those alone

Revision ID: b7c3e9d1f4a6
Revises: 7a67c013d733
Create Date: 2026-12-06 21:50:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b7c3e9d1f4a6'
down_revision = '7a67c013d733'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_proposals_live", "proposals", ["published_at", "id"],
                    sqlite_where=sa.text("state = 'published'"),
                    postgresql_where=sa.text("state = 'published'"))


def downgrade():
    op.drop_index("ix_proposals_live", table_name="proposals")
