"""user sessions kept on the server

Revision ID: b4c8e2f1a6d3
Revises: a7d3e91c2b58
Create Date: 2026-12-05 09:00:00.000000

Each login is a row; the session and remember-me cookies carry its token (stored here as a
SHA-256 hash), so logging out deletes the row and a copied cookie stops working. Sessions
made before this revision named a session version instead: they end, and people log in again.
A new table only: nothing else is rebuilt.
"""
import sqlalchemy as sa
from alembic import op

revision = 'b4c8e2f1a6d3'
down_revision = 'a7d3e91c2b58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.Column('browser', sa.String(length=40), nullable=False),
        sa.Column('platform', sa.String(length=40), nullable=False),
        sa.Column('network', sa.String(length=50), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash')),
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
