"""Photo uploads: only real images, never huge ones, re-encoded without EXIF or GPS, stored under new names."""
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.directory import photos
from app.models.accounts import Role
from tests.conftest import login
from tests.directory.profile_helpers import image_bytes, load_profile, make_leader  # noqa: F401


@pytest.fixture
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads" / "leaders"


@pytest.fixture
def owner(client, make_leader, uploads):
    user, slug = make_leader()
    login(client, user.email)
    return slug


def upload(client, slug, data: bytes, filename="photo.jpg"):
    # Encoded in memory: the test client would spool a big body to a file it never closes.
    boundary, body = encode_multipart({"photo": FileStorage(io.BytesIO(data), filename)})
    return client.post(f"/leaders/{slug}/photo", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Examplecam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 45.0, 40.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 50.0, 8.0)
    data = image_bytes("JPEG", (2000, 1500), exif=exif)
    # The test means something only if the source really carries GPS.
    with Image.open(io.BytesIO(data)) as source:
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def size_of(path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size: a decompression bomb's calling card."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_a_jpeg_with_gps_is_stored_resized_and_without_any_metadata(app, client, owner, uploads):
    response = upload(client, owner, jpeg_with_gps())
    assert response.status_code == 302
    name = load_profile(app, owner).photo
    assert name and len(name) == 32
    full, thumb = uploads / f"{name}.jpg", uploads / f"{name}-160.jpg"
    for path in (full, thumb):
        with Image.open(path) as stored:
            assert stored.format == "JPEG"
            assert not stored.getexif(), "EXIF survived"
            assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo), "GPS survived"
            assert "exif" not in stored.info and "icc_profile" not in stored.info
        assert b"Examplecam" not in path.read_bytes()
    assert max(size_of(full)) == 800
    assert size_of(thumb) == (160, 160)
    served = client.get(f"/leaders/photos/{name}-160.jpg")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert f"/leaders/photos/{name}.jpg" in client.get(f"/leaders/{owner}").get_data(True)


@pytest.mark.parametrize("fmt,mode", [("PNG", "RGBA"), ("WEBP", "RGB"), ("PNG", "RGB")])
def test_png_and_webp_are_accepted_and_become_jpeg(app, client, owner, uploads, fmt, mode):
    assert upload(client, owner, image_bytes(fmt, (300, 200), mode=mode), f"p.{fmt.lower()}").status_code == 302
    name = load_profile(app, owner).photo
    assert size_of(uploads / f"{name}.jpg") == (300, 200)  # small photos are not enlarged


def test_a_file_that_is_not_an_image_is_refused(app, client, owner, uploads):
    html = upload(client, owner, b"%PDF-1.4 not really a photo\n" * 50, "cv.jpg").get_data(True)
    assert "The file is not an image we can use" in html
    assert load_profile(app, owner).photo is None
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_gif_is_refused_even_though_it_is_an_image(app, client, owner):
    html = upload(client, owner, image_bytes("GIF", (20, 20)), "a.gif").get_data(True)
    assert "Choose a JPEG, PNG or WebP image" in html


def test_a_truncated_jpeg_is_refused(app, client, owner):
    data = image_bytes("JPEG", (400, 300))
    html = upload(client, owner, data[: len(data) // 2]).get_data(True)
    assert "not an image we can use" in html
    assert load_profile(app, owner).photo is None


def test_a_file_over_5_mb_is_refused(app, client, owner):
    data = image_bytes("PNG", (50, 50)) + b"\0" * (5 * 1024 * 1024)
    html = upload(client, owner, data, "big.png").get_data(True)
    assert "5 MB or smaller" in html
    assert load_profile(app, owner).photo is None


@pytest.mark.parametrize("width,height", [
    (30000, 30000),  # past twice Pillow's limit: DecompressionBombError
    (10000, 10000),  # past Pillow's limit: DecompressionBombWarning (an error here)
    (7000, 7000),    # under Pillow's limit, over ours
])
def test_a_decompression_bomb_is_refused_without_being_decoded(app, client, owner, width, height):
    html = upload(client, owner, png_claiming_size(width, height), "bomb.png").get_data(True)
    assert "too large to process" in html
    assert load_profile(app, owner).photo is None


def test_the_photo_service_refuses_bombs_directly():
    with pytest.raises(photos.PhotoError, match="too large"):
        photos.save_photo(io.BytesIO(png_claiming_size(30000, 30000)))


def test_replacing_and_removing_a_photo_deletes_the_old_files(app, client, owner, uploads):
    upload(client, owner, image_bytes())
    first = load_profile(app, owner).photo
    upload(client, owner, image_bytes("PNG", (400, 400)))
    second = load_profile(app, owner).photo
    assert second != first
    assert not (uploads / f"{first}.jpg").exists() and (uploads / f"{second}.jpg").exists()
    client.post(f"/leaders/{owner}/photo/remove")
    assert load_profile(app, owner).photo is None
    assert list(uploads.iterdir()) == []


def test_deleting_the_profile_deletes_its_photo(app, client, owner, uploads):
    upload(client, owner, image_bytes())
    client.post(f"/leaders/{owner}/delete")
    assert list(uploads.iterdir()) == []


@pytest.mark.parametrize("name", ["../secret_key", "..%2Fsecret_key", "x.jpg", "a" * 32 + ".png",
                                  "A" * 32 + ".jpg"])
def test_the_photo_route_serves_only_generated_names(client, name, uploads):
    assert client.get(f"/leaders/photos/{name}").status_code == 404


def test_another_leader_cannot_change_the_photo(client, make_leader, login_as, uploads):
    _, slug = make_leader()
    login_as(Role.LEADER)
    assert upload(client, slug, image_bytes()).status_code == 403
    assert not Path(uploads).exists()
