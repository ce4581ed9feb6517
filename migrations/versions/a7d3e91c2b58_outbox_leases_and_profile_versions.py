"""outbox leases and Message-IDs; profile versions

Revision ID: a7d3e91c2b58
Revises: 5b1e2c7d9a40
Create Date: 2026-12-01 10:30:00.000000

A message claimed for sending records when (claimed_at), so a claim whose worker died
expires and the message is retried; each message keeps one Message-ID for all attempts.
Profiles get a version, so a save from an outdated copy is refused instead of winning.
Plain ADD COLUMN on purpose: rebuilding leader_profiles on SQLite would drop its triggers.
"""
from email.utils import make_msgid

import sqlalchemy as sa
from alembic import op

revision = 'a7d3e91c2b58'
down_revision = '5b1e2c7d9a40'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox', sa.Column('message_id', sa.String(length=255), nullable=True))
    op.add_column('outbox', sa.Column('claimed_at', sa.DateTime(), nullable=True))
    op.add_column('leader_profiles', sa.Column('version', sa.Integer(), server_default='1',
                                               nullable=False))
    # Messages already queued get their Message-ID now, so every later attempt shares it.
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('message_id', sa.String))
    connection = op.get_bind()
    for (message_id,) in connection.execute(sa.select(outbox.c.id).where(outbox.c.message_id.is_(None))):
        connection.execute(outbox.update().where(outbox.c.id == message_id)
                           .values(message_id=make_msgid(domain='leaders.example')))


def downgrade():
    op.drop_column('leader_profiles', 'version')
    op.drop_column('outbox', 'claimed_at')
    op.drop_column('outbox', 'message_id')
