"""kept forms, decline reasons, proposal form tokens

Revision ID: d6e2a8b0f4c1
Revises: c5d1f7a9e3b2
Create Date: 2026-12-01 13:30:00.000000

kept_forms holds what someone typed into a form refused for an expired session or token;
leader_applications.decline_reason is the reason mailed to a declined applicant;
proposals.form_token makes sending the new-proposal form twice create one proposal.
Plain ADD COLUMN and CREATE INDEX: nothing is rebuilt.
"""
import sqlalchemy as sa
from alembic import op

revision = 'd6e2a8b0f4c1'
down_revision = 'c5d1f7a9e3b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kept_forms',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kept_forms_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_kept_forms')),
    )
    op.create_index(op.f('ix_kept_forms_user_id'), 'kept_forms', ['user_id'], unique=False)
    op.create_index(op.f('ix_kept_forms_created_at'), 'kept_forms', ['created_at'], unique=False)
    op.add_column('leader_applications',
                  sa.Column('decline_reason', sa.Text(), server_default='', nullable=False))
    op.add_column('proposals', sa.Column('form_token', sa.String(length=64), nullable=True))
    op.create_index("uq_proposals_form_token", 'proposals', ['form_token'], unique=True)


def downgrade():
    op.drop_index("uq_proposals_form_token", table_name='proposals')
    with op.batch_alter_table('proposals') as batch:
        batch.drop_column('form_token')
    with op.batch_alter_table('leader_applications') as batch:
        batch.drop_column('decline_reason')
    op.drop_index(op.f('ix_kept_forms_created_at'), table_name='kept_forms')
    op.drop_index(op.f('ix_kept_forms_user_id'), table_name='kept_forms')
    op.drop_table('kept_forms')
