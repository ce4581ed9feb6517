"""keyword search through a full-text index

Revision ID: f3a8d2c6b1e9
Revises: a9c4e6f8b1d3
Create Date: 2026-12-01 17:00:00.000000

leader_profiles.search_tags holds the names of each leader's focus areas, kept by triggers;
the keyword search reads an FTS5 table (SQLite) or a tsvector column with a GIN index
(PostgreSQL) over name, headline, bio and those tags, kept by triggers too. Both are filled
from the rows already there. The DDL is app.text.fulltext's and app.models.directory's as
this revision made it, frozen here.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3a8d2c6b1e9'
down_revision = 'a9c4e6f8b1d3'
branch_labels = None
depends_on = None

TAGS_BACKFILL = {
    "sqlite": "UPDATE leader_profiles SET search_tags = (SELECT coalesce(group_concat(focus_areas.name, ' '), '') FROM profile_focus_areas JOIN focus_areas ON focus_areas.id = profile_focus_areas.focus_area_id WHERE profile_focus_areas.profile_id = leader_profiles.id)",
    "postgresql": "UPDATE leader_profiles SET search_tags = (SELECT coalesce(string_agg(focus_areas.name, ' ' ORDER BY focus_areas.id), '') FROM profile_focus_areas JOIN focus_areas ON focus_areas.id = profile_focus_areas.focus_area_id WHERE profile_focus_areas.profile_id = leader_profiles.id)",
}
CREATE = {   'postgresql': [   'CREATE OR REPLACE FUNCTION profile_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$ '
                      "BEGIN IF TG_OP = 'INSERT' THEN UPDATE leader_profiles SET search_tags = (SELECT "
                      "coalesce(string_agg(focus_areas.name, ' ' ORDER BY focus_areas.id), '') FROM profile_focus_areas JOIN "
                      'focus_areas ON focus_areas.id = profile_focus_areas.focus_area_id WHERE '
                      'profile_focus_areas.profile_id = NEW.profile_id) WHERE id = NEW.profile_id; ELSE '
                      'UPDATE leader_profiles SET search_tags = (SELECT '
                      "coalesce(string_agg(focus_areas.name, ' ' ORDER BY focus_areas.id), '') FROM profile_focus_areas JOIN "
                      'focus_areas ON focus_areas.id = profile_focus_areas.focus_area_id WHERE '
                      'profile_focus_areas.profile_id = OLD.profile_id) WHERE id = OLD.profile_id; END IF; '
                      'RETURN NULL; END $$',
                      'CREATE TRIGGER profile_tags_sync AFTER INSERT OR DELETE ON profile_focus_areas FOR '
                      'EACH ROW EXECUTE FUNCTION profile_tags_sync()',
                      'CREATE OR REPLACE FUNCTION profile_tags_rename() RETURNS trigger LANGUAGE plpgsql AS '
                      '$$ BEGIN UPDATE leader_profiles SET search_tags = (SELECT '
                      "coalesce(string_agg(focus_areas.name, ' ' ORDER BY focus_areas.id), '') FROM profile_focus_areas JOIN "
                      'focus_areas ON focus_areas.id = profile_focus_areas.focus_area_id WHERE '
                      'profile_focus_areas.profile_id = leader_profiles.id) WHERE id IN (SELECT profile_id '
                      'FROM profile_focus_areas WHERE focus_area_id = NEW.id); RETURN NULL; END $$',
                      'CREATE TRIGGER profile_tags_rename AFTER UPDATE OF name ON focus_areas FOR EACH ROW '
                      'EXECUTE FUNCTION profile_tags_rename()',
                      'CREATE EXTENSION IF NOT EXISTS unaccent',
                      'ALTER TABLE leader_profiles ADD COLUMN IF NOT EXISTS search_vector tsvector',
                      'CREATE OR REPLACE FUNCTION leader_profiles_search_vector() RETURNS trigger LANGUAGE '
                      "plpgsql AS $$ BEGIN NEW.search_vector := to_tsvector('simple'::regconfig, "
                      "regexp_replace(unaccent(coalesce(NEW.display_name, '') || ' ' || "
                      "coalesce(NEW.headline, '') || ' ' || coalesce(NEW.bio, '') || ' ' || "
                      "coalesce(NEW.search_tags, '')), '[[:punct:]]', ' ', 'g')); RETURN NEW; END $$",
                      'CREATE TRIGGER leader_profiles_search_vector BEFORE INSERT OR UPDATE OF display_name, '
                      'headline, bio, search_tags ON leader_profiles FOR EACH ROW EXECUTE FUNCTION '
                      'leader_profiles_search_vector()',
                      'CREATE INDEX IF NOT EXISTS ix_leader_profiles_search_vector ON leader_profiles USING '
                      'gin (search_vector)'],
    'sqlite': [   'CREATE TRIGGER profile_tags_on_insert AFTER INSERT ON profile_focus_areas BEGIN UPDATE '
                  "leader_profiles SET search_tags = (SELECT coalesce(group_concat(focus_areas.name, ' '), "
                  "'') FROM profile_focus_areas JOIN focus_areas ON focus_areas.id = "
                  'profile_focus_areas.focus_area_id WHERE profile_focus_areas.profile_id = NEW.profile_id) '
                  'WHERE id = NEW.profile_id; END',
                  'CREATE TRIGGER profile_tags_on_delete AFTER DELETE ON profile_focus_areas BEGIN UPDATE '
                  "leader_profiles SET search_tags = (SELECT coalesce(group_concat(focus_areas.name, ' '), "
                  "'') FROM profile_focus_areas JOIN focus_areas ON focus_areas.id = "
                  'profile_focus_areas.focus_area_id WHERE profile_focus_areas.profile_id = OLD.profile_id) '
                  'WHERE id = OLD.profile_id; END',
                  'CREATE TRIGGER profile_tags_on_rename AFTER UPDATE OF name ON focus_areas BEGIN UPDATE '
                  "leader_profiles SET search_tags = (SELECT coalesce(group_concat(focus_areas.name, ' '), "
                  "'') FROM profile_focus_areas JOIN focus_areas ON focus_areas.id = "
                  'profile_focus_areas.focus_area_id WHERE profile_focus_areas.profile_id = '
                  'leader_profiles.id) WHERE id IN (SELECT profile_id FROM profile_focus_areas WHERE '
                  'focus_area_id = NEW.id); END',
                  'CREATE VIRTUAL TABLE leader_profiles_fts USING fts5(display_name, headline, bio, '
                  "search_tags, content='leader_profiles', content_rowid='id', tokenize='unicode61 "
                  "remove_diacritics 2', prefix='1 2 3')",
                  'CREATE TRIGGER leader_profiles_fts_on_insert AFTER INSERT ON leader_profiles BEGIN INSERT '
                  'INTO leader_profiles_fts (rowid, display_name, headline, bio, search_tags) VALUES '
                  '(new.id, new.display_name, new.headline, new.bio, new.search_tags); END',
                  'CREATE TRIGGER leader_profiles_fts_on_delete AFTER DELETE ON leader_profiles BEGIN INSERT '
                  'INTO leader_profiles_fts (leader_profiles_fts, rowid, display_name, headline, bio, '
                  "search_tags) VALUES ('delete', old.id, old.display_name, old.headline, old.bio, "
                  'old.search_tags); END',
                  'CREATE TRIGGER leader_profiles_fts_on_update AFTER UPDATE OF display_name, headline, bio, '
                  'search_tags ON leader_profiles BEGIN INSERT INTO leader_profiles_fts '
                  "(leader_profiles_fts, rowid, display_name, headline, bio, search_tags) VALUES ('delete', "
                  'old.id, old.display_name, old.headline, old.bio, old.search_tags); INSERT INTO '
                  'leader_profiles_fts (rowid, display_name, headline, bio, search_tags) VALUES (new.id, '
                  'new.display_name, new.headline, new.bio, new.search_tags); END']}
REBUILD = {   'postgresql': ['UPDATE leader_profiles SET display_name = display_name'],
    'sqlite': ["INSERT INTO leader_profiles_fts (leader_profiles_fts) VALUES ('rebuild')"]}
DROP = {   'postgresql': [   'DROP TRIGGER IF EXISTS profile_tags_sync ON profile_focus_areas',
                      'DROP FUNCTION IF EXISTS profile_tags_sync()',
                      'DROP TRIGGER IF EXISTS profile_tags_rename ON focus_areas',
                      'DROP FUNCTION IF EXISTS profile_tags_rename()',
                      'DROP TRIGGER IF EXISTS leader_profiles_search_vector ON leader_profiles',
                      'DROP FUNCTION IF EXISTS leader_profiles_search_vector()',
                      'DROP INDEX IF EXISTS ix_leader_profiles_search_vector',
                      'ALTER TABLE leader_profiles DROP COLUMN IF EXISTS search_vector'],
    'sqlite': [   'DROP TRIGGER IF EXISTS profile_tags_on_insert',
                  'DROP TRIGGER IF EXISTS profile_tags_on_delete',
                  'DROP TRIGGER IF EXISTS profile_tags_on_rename',
                  'DROP TRIGGER IF EXISTS leader_profiles_fts_on_insert',
                  'DROP TRIGGER IF EXISTS leader_profiles_fts_on_delete',
                  'DROP TRIGGER IF EXISTS leader_profiles_fts_on_update',
                  'DROP TABLE IF EXISTS leader_profiles_fts']}


def upgrade():
    with op.batch_alter_table('leader_profiles') as batch_op:
        batch_op.add_column(sa.Column('search_tags', sa.Text(), server_default='', nullable=False))
    dialect = op.get_bind().dialect.name
    op.execute(TAGS_BACKFILL[dialect])
    for statement in CREATE[dialect] + REBUILD[dialect]:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in DROP[dialect]:
        op.execute(statement)
    with op.batch_alter_table('leader_profiles') as batch_op:
        batch_op.drop_column('search_tags')
