"""The full-text index over VideoSearch: FTS5 on SQLite, GIN on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE video_share_fts USING fts5(
        title, tags, channel, body,
        content='video_share_videosearch', content_rowid='video_id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER video_share_fts_insert AFTER INSERT ON video_share_videosearch BEGIN
        INSERT INTO video_share_fts(rowid, title, tags, channel, body)
        VALUES (new.video_id, new.title, new.tags, new.channel, new.body);
    END""",
    """CREATE TRIGGER video_share_fts_delete AFTER DELETE ON video_share_videosearch BEGIN
        INSERT INTO video_share_fts(video_share_fts, rowid, title, tags, channel, body)
        VALUES ('delete', old.video_id, old.title, old.tags, old.channel, old.body);
    END""",
    """CREATE TRIGGER video_share_fts_update AFTER UPDATE ON video_share_videosearch BEGIN
        INSERT INTO video_share_fts(video_share_fts, rowid, title, tags, channel, body)
        VALUES ('delete', old.video_id, old.title, old.tags, old.channel, old.body);
        INSERT INTO video_share_fts(rowid, title, tags, channel, body)
        VALUES (new.video_id, new.title, new.tags, new.channel, new.body);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS video_share_fts_update",
    "DROP TRIGGER IF EXISTS video_share_fts_delete",
    "DROP TRIGGER IF EXISTS video_share_fts_insert",
    "DROP TABLE IF EXISTS video_share_fts",
]
POSTGRES_DOCUMENT = (
    "setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', tags), 'B') || "
    "setweight(to_tsvector('simple', channel), 'C') || "
    "setweight(to_tsvector('simple', body), 'D')"
)
POSTGRES_CREATE = [
    f"CREATE INDEX video_share_search_gin ON video_share_videosearch USING gin (({POSTGRES_DOCUMENT}))"
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS video_share_search_gin"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("video_share", "0005_video_search")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
