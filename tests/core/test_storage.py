"""The upload store: keys stay inside UPLOAD_FOLDER, files go only once their rows are gone for
good, and an unknown store stops the start."""
import io
from pathlib import Path

import pytest

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.storage import LocalStorage, delete_after_commit, storage
from tests.conftest import base_config


def test_local_storage_saves_opens_and_deletes_under_its_folder(tmp_path):
    store = LocalStorage(tmp_path / "uploads")
    store.save("covers/abc.jpg", io.BytesIO(b"picture"))
    assert (tmp_path / "uploads" / "covers" / "abc.jpg").read_bytes() == b"picture"
    assert [p.name for p in (tmp_path / "uploads" / "covers").iterdir()] == ["abc.jpg"]
    with store.open("covers/abc.jpg") as stored:
        assert stored.read() == b"picture"
    assert store.url("covers/abc.jpg") is None  # served by the app, after its checks
    store.delete("covers/abc.jpg")
    store.delete("covers/abc.jpg")  # already gone: no error
    with pytest.raises(FileNotFoundError):
        store.open("covers/abc.jpg")


@pytest.mark.parametrize("key", ["../secret_key", "covers/../../secret_key", "/etc/passwd", ""])
def test_a_key_cannot_leave_the_folder(tmp_path, key):
    (tmp_path / "secret_key").write_text("keep me")
    store = LocalStorage(tmp_path / "uploads")
    for attempt in (lambda: store.save(key, io.BytesIO(b"x")), lambda: store.open(key),
                    lambda: store.delete(key)):
        with pytest.raises(ValueError):
            attempt()
    assert (tmp_path / "secret_key").read_text() == "keep me"


def test_a_failed_save_leaves_no_partial_file(tmp_path):
    class Broken(io.BytesIO):
        def read(self, *args):
            raise OSError("disk went away")

    store = LocalStorage(tmp_path)
    with pytest.raises(OSError):
        store.save("leaders/abc.jpg", Broken())
    assert list((tmp_path / "leaders").iterdir()) == []


def test_files_are_deleted_after_the_commit_and_kept_after_a_rollback(app):
    with app.app_context():
        store = storage()
        for key in ("leaders/kept.jpg", "leaders/gone.jpg"):
            store.save(key, io.BytesIO(b"x"))
        folder = Path(app.config["UPLOAD_FOLDER"]) / "leaders"

        delete_after_commit(["leaders/kept.jpg"])
        db.session.rollback()
        db.session.commit()
        assert (folder / "kept.jpg").exists()

        delete_after_commit(["leaders/gone.jpg"])
        assert (folder / "gone.jpg").exists()  # not before the commit
        db.session.commit()
        assert sorted(p.name for p in folder.iterdir()) == ["kept.jpg"]


def test_an_unknown_store_stops_the_start(tmp_path):
    with pytest.raises(ConfigError, match="LEADERS_UPLOAD_STORAGE"):
        create_app(base_config(tmp_path, UPLOAD_STORAGE="bucket-we-do-not-have"))
