"""the language filter through a full-text index

Revision ID: e1a5c7b9d3f2
Revises: d5f9b3a7e1c2
Create Date: 2026-12-01 20:30:00.000000

A language asked without a place was matched by LIKE over every profile (2.6 s at 1,000,000
leaders for a language nobody speaks). An FTS5 table (SQLite) or a tsvector column with a GIN
index (PostgreSQL) over leader_profiles.languages, kept by triggers and filled from the rows
already there, finds the profiles holding the language's words first. The DDL is
app.text.fulltext's (LANGUAGE_SEARCH in app.models.directory) as this revision made it, frozen here.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1a5c7b9d3f2'
down_revision = 'd5f9b3a7e1c2'
branch_labels = None
depends_on = None

CREATE = {   'postgresql': [   'CREATE EXTENSION IF NOT EXISTS unaccent',
                      'ALTER TABLE leader_profiles ADD COLUMN IF NOT EXISTS languages_vector tsvector',
                      'CREATE OR REPLACE FUNCTION leader_profiles_languages_vector() RETURNS trigger '
                      "LANGUAGE plpgsql AS $$ BEGIN NEW.languages_vector := to_tsvector('simple'::regconfig, "
                      "regexp_replace(unaccent(coalesce(NEW.languages, '')), '[[:punct:]]', ' ', 'g')); "
                      'RETURN NEW; END $$',
                      'CREATE TRIGGER leader_profiles_languages_vector BEFORE INSERT OR UPDATE OF languages '
                      'ON leader_profiles FOR EACH ROW EXECUTE FUNCTION leader_profiles_languages_vector()',
                      'CREATE INDEX IF NOT EXISTS ix_leader_profiles_languages_vector ON leader_profiles '
                      'USING gin (languages_vector)'],
    'sqlite': [   'CREATE VIRTUAL TABLE leader_profiles_languages_fts USING fts5(languages, '
                  "content='leader_profiles', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
                  'CREATE TRIGGER leader_profiles_languages_fts_on_insert AFTER INSERT ON leader_profiles '
                  'BEGIN INSERT INTO leader_profiles_languages_fts (rowid, languages) VALUES (new.id, '
                  'new.languages); END',
                  'CREATE TRIGGER leader_profiles_languages_fts_on_delete AFTER DELETE ON leader_profiles '
                  'BEGIN INSERT INTO leader_profiles_languages_fts (leader_profiles_languages_fts, rowid, '
                  "languages) VALUES ('delete', old.id, old.languages); END",
                  'CREATE TRIGGER leader_profiles_languages_fts_on_update AFTER UPDATE OF languages ON '
                  'leader_profiles BEGIN INSERT INTO leader_profiles_languages_fts '
                  "(leader_profiles_languages_fts, rowid, languages) VALUES ('delete', old.id, "
                  'old.languages); INSERT INTO leader_profiles_languages_fts (rowid, languages) VALUES '
                  '(new.id, new.languages); END']}
REBUILD = {   'postgresql': ['UPDATE leader_profiles SET languages = languages'],
    'sqlite': [   'INSERT INTO leader_profiles_languages_fts (leader_profiles_languages_fts) VALUES '
                  "('rebuild')"]}
DROP = {   'postgresql': [   'DROP TRIGGER IF EXISTS leader_profiles_languages_vector ON leader_profiles',
                      'DROP FUNCTION IF EXISTS leader_profiles_languages_vector()',
                      'DROP INDEX IF EXISTS ix_leader_profiles_languages_vector',
                      'ALTER TABLE leader_profiles DROP COLUMN IF EXISTS languages_vector'],
    'sqlite': [   'DROP TRIGGER IF EXISTS leader_profiles_languages_fts_on_insert',
                  'DROP TRIGGER IF EXISTS leader_profiles_languages_fts_on_delete',
                  'DROP TRIGGER IF EXISTS leader_profiles_languages_fts_on_update',
                  'DROP TABLE IF EXISTS leader_profiles_languages_fts']}


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in CREATE[dialect] + REBUILD[dialect]:
        op.execute(statement)


def downgrade():
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
