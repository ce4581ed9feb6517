"""The image pipeline through photos and covers: no hidden text comes back, bombs are refused from
the header, memory stays bounded, transparency lands on white, files go under UPLOAD_FOLDER,
and a picture is served only while what it belongs to may be seen."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.editorial.workflow import State
from app.extensions import db
from app.models.accounts import User
from app.models.directory import LeaderProfile
from app.models.editorial import Proposal
from tests.conftest import login
from tests.directory.profile_helpers import load_profile, make_leader  # noqa: F401
from tests.editorial.conftest import act_as, make_proposal, people  # noqa: F401

SECRET = "GPS 5.55,-0.19 home of the author"
ROOT = Path(__file__).resolve().parents[2]
PITCH = {"title": "Night football for teenagers in Eastfield",
         "summary": "Every Friday we open the school pitch from 8 to 11 pm.",
         "why_it_matters": "Other towns can copy the insurance and volunteer rota.",
         "tags": "youth, sport", "body": "", "excerpt": ""}


# Pictures ----------------------------------------------------------------------------------

def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg_with_secrets() -> bytes:
    """A JPEG whose comment, EXIF GPS, XMP and ICC profile all say where the author lives."""
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = SECRET
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (5.0, 33.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "W", (0.0, 11.0, 24.0)
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>{SECRET}</rdf:Description>' \
          "</x:xmpmeta>"
    data = encoded(Image.new("RGB", (1200, 900), (200, 120, 40)), "JPEG", comment=SECRET,
                   exif=exif, xmp=xmp.encode(), icc_profile=b"ICC " + SECRET.encode())
    # The test means something only if the source really carries all of it.
    with Image.open(io.BytesIO(data)) as source:
        assert source.info["comment"] == SECRET.encode()
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert SECRET in source.info["xmp"].decode() and source.info["icc_profile"]
    return data


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's segments before its image data (0xFE comment, 0xE1 EXIF/XMP...)."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while data[at + 1] != 0xDA:  # start of scan: the pixels follow
        markers.append(data[at + 1])
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return markers


def transparent_png() -> bytes:
    """Clear all round (transparent black), an opaque red square in the middle."""
    image = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    image.paste((220, 20, 20, 255), (200, 200, 400, 400))
    return encoded(image, "PNG")


def one_colour_png(size: int, mode: str = "RGB") -> bytes:
    """A huge picture that is small on disk: one colour compresses to almost nothing."""
    return encoded(Image.new(mode, (size, size), (0, 128, 128, 255)[:len(mode)]), "PNG")


# Uploading and serving ---------------------------------------------------------------------

def upload_photo(client, slug, data: bytes, filename="photo.jpg"):
    # Encoded in memory: the test client would spool a big body to a file it never closes.
    boundary, body = encode_multipart({"photo": FileStorage(io.BytesIO(data), filename)})
    return client.post(f"/leaders/{slug}/photo", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def upload_cover(client, proposal_id, version, data: bytes, filename="cover.jpg"):
    fields = {**PITCH, "version": str(version), "cover_alt": "Floodlit pitch at night",
              "cover": FileStorage(io.BytesIO(data), filename)}
    boundary, body = encode_multipart(fields)
    return client.post(f"/proposals/{proposal_id}/save", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def profile_value(app, slug, column):
    with app.app_context():
        profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.slug == slug))
        return getattr(profile, column)


def proposal_value(app, proposal_id, column):
    with app.app_context():
        return getattr(db.session.get(Proposal, proposal_id), column)


class Uploads:
    """Both uploads, driven the way people do it: a leader's photo and an author's cover."""

    def __init__(self, app, client, slug, proposal_id):
        self.app, self.client, self.slug, self.proposal_id = app, client, slug, proposal_id

    def send(self, kind, data, filename="picture.jpg"):
        """Upload; returns (the response, the URL of the stored file or None)."""
        if kind == "photo":
            response = upload_photo(self.client, self.slug, data, filename)
            name = profile_value(self.app, self.slug, "photo")
            return response, name and f"/leaders/photos/{name}.jpg"
        version = proposal_value(self.app, self.proposal_id, "version")
        response = upload_cover(self.client, self.proposal_id, version, data, filename)
        name = proposal_value(self.app, self.proposal_id, "cover_image")
        return response, name and f"/blog/covers/{name}"


@pytest.fixture
def uploads(app, client, people, act_as, make_proposal):
    """One person who is both a leader with a profile and the author of a draft."""
    proposal_id = make_proposal(people.author)
    with app.app_context():
        author = db.session.get(User, people.author)
        db.session.add(LeaderProfile(user_id=author.id, display_name=author.display_name,
                                     slug="amara"))
        db.session.commit()
    act_as(people.author)
    return Uploads(app, client, "amara", proposal_id)


# Hidden text -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["cover", "photo"])
def test_a_comment_gps_xmp_and_icc_profile_are_never_served_back(uploads, kind):
    response, url = uploads.send(kind, jpeg_with_secrets())
    assert response.status_code == 302 and url
    served = uploads.client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    for secret in (SECRET, "5.55", "home of the author", "ICC ", "xmpmeta"):
        assert secret.encode() not in served.data
    # No comment (FE), EXIF or XMP (E1), ICC (E2) or any other application segment but JFIF.
    assert set(jpeg_segments(served.data)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD}
    with Image.open(io.BytesIO(served.data)) as picture:
        assert not picture.getexif() and "comment" not in picture.info


@pytest.mark.parametrize("kind", ["cover", "photo"])
def test_broken_metadata_is_dropped_with_the_rest(uploads, kind):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Examplecam with a long name"
    broken = exif.tobytes()[:-12]  # the tag's data runs past the segment's end
    data = encoded(Image.new("RGB", (400, 300), "teal"), "JPEG", exif=broken)
    response, url = uploads.send(kind, data)
    assert response.status_code == 302
    served = uploads.client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(served.data)) as picture:
        assert picture.format == "JPEG"  # a picture, drawn again from the upload
    assert b"Examplecam" not in served.data


# Pixel bombs and memory --------------------------------------------------------------------

# Run in a fresh process: what one upload costs is how far that process's peak RSS rises.
# The peak is VmHWM: getrusage's ru_maxrss in a child starts at its parent's peak (here
# pytest's), which would hide the rise.
CHILD = """
import io, json, sys
from pathlib import Path
from werkzeug.datastructures import FileStorage
from app import create_app
from tests.conftest import base_config

def peak_kib():
    return int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0])

kind, source, folder = sys.argv[1:4]
app = create_app(base_config(Path(folder), DATABASE_URL=f"sqlite:///{folder}/child.sqlite3"))
with app.app_context():
    from app.directory import photos
    from app.editorial.covers import CoverError, store_cover

    def upload(data):
        if kind == "cover":
            return store_cover(FileStorage(io.BytesIO(data), "picture"))
        return photos.save_photo(io.BytesIO(data))

    small = io.BytesIO()
    from PIL import Image
    Image.new("RGB", (300, 200), "teal").save(small, "PNG")
    upload(small.getvalue())  # Pillow's plugins and codecs load outside the figure
    data = Path(source).read_bytes()
    before = peak_kib()
    try:
        upload(data)
        answer = "stored"
    except (CoverError, photos.PhotoError) as error:
        answer = str(error)
    print(json.dumps({"rise_mib": (peak_kib() - before) / 1024, "answer": answer}))
"""


def upload_in_a_fresh_process(tmp_path, kind: str, data: bytes) -> dict:
    source = tmp_path / "upload"
    source.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", CHILD, kind, str(source), str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{kind}: {len(data) // 1024} KB upload, peak RSS +{result['rise_mib']:.1f} MiB, "
          f"{result['answer']}")
    return result


@pytest.mark.parametrize("kind,data", [
    ("cover", one_colour_png(9400)),           # 88 megapixels in 0.3 MB: was 891 MiB
    ("photo", one_colour_png(9400)),
    ("photo", one_colour_png(6300, "RGBA")),  # 40 megapixels, within the old photo limit
    ("cover", one_colour_png(6300, "RGBA")),
], ids=["cover-9400-png", "photo-9400-png", "photo-6300-rgba", "cover-6300-rgba"])
def test_a_pixel_bomb_is_refused_from_its_header_without_decoding(tmp_path, kind, data):
    assert len(data) < 400 * 1024
    result = upload_in_a_fresh_process(tmp_path, kind, data)
    assert result["answer"].startswith("The image is too large to process")
    assert "a PNG may have at most 16.8 megapixels" in result["answer"]
    assert result["rise_mib"] < 16  # nothing was decoded


def test_a_35_megapixel_jpeg_is_decoded_at_a_reduced_scale(tmp_path):
    data = encoded(Image.new("RGB", (7000, 5000), (40, 90, 160)), "JPEG", quality=80)
    result = upload_in_a_fresh_process(tmp_path, "cover", data)
    assert result["answer"] == "stored"
    # Decoded whole it would take 134 MiB (4 bytes a pixel) before any copy.
    assert result["rise_mib"] < 100


@pytest.mark.parametrize("kind", ["cover", "photo"])
def test_a_bomb_sent_through_the_page_gets_the_message(uploads, kind):
    response, url = uploads.send(kind, one_colour_png(9400), "bomb.png")
    assert response.status_code == 200 and url is None
    assert "The image is too large to process: it is 9400 by 9400 pixels" in response.get_data(True)


# Transparency, formats, where files go -----------------------------------------------------

@pytest.mark.parametrize("kind", ["cover", "photo"])
def test_transparency_is_flattened_onto_white(uploads, kind):
    response, url = uploads.send(kind, transparent_png(), "logo.png")
    assert response.status_code == 302
    with Image.open(io.BytesIO(uploads.client.get(url).data)) as picture:
        assert picture.mode == "RGB"
        width, height = picture.size
        corner, middle = picture.getpixel((3, 3)), picture.getpixel((width // 2, height // 2))
    assert min(corner) >= 250, f"transparent parts became {corner}, not white"
    assert middle[0] > 200 and middle[1] < 60 and middle[2] < 60


@pytest.mark.parametrize("kind", ["cover", "photo"])
@pytest.mark.parametrize("filename,data", [
    ("animation.gif", encoded(Image.new("RGB", (400, 300), "teal"), "GIF")),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
                    b'<rect width="400" height="300"/></svg>'),
    ("notes.jpg", b"Meeting notes, not a picture at all.\n" * 40),
    ("sneaky.png", encoded(Image.new("RGB", (400, 300), "teal"), "GIF")),
    ("tiff.jpg", encoded(Image.new("RGB", (400, 300), "teal"), "TIFF")),
], ids=["gif", "svg", "text-named-jpg", "gif-named-png", "tiff-named-jpg"])
def test_other_formats_get_a_clear_message_and_store_nothing(app, uploads, kind, filename, data):
    response, url = uploads.send(kind, data, filename)
    assert response.status_code == 200 and url is None
    assert "Choose a JPEG, PNG or WebP image" in response.get_data(True)
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))


def test_files_go_under_the_configured_upload_folder(app, uploads, tmp_path):
    elsewhere = tmp_path / "srv" / "leaders-uploads"
    app.config["UPLOAD_FOLDER"] = str(elsewhere)
    for kind in ("cover", "photo"):
        response, url = uploads.send(kind, jpeg_with_secrets())
        assert response.status_code == 302
        assert uploads.client.get(url).status_code == 200
    cover = proposal_value(app, uploads.proposal_id, "cover_image")
    photo = profile_value(app, uploads.slug, "photo")
    assert sorted(p.relative_to(elsewhere).as_posix() for p in elsewhere.rglob("*.jpg")) == \
        sorted([f"covers/{cover}", f"leaders/{photo}.jpg", f"leaders/{photo}-160.jpg"])
    instance = Path(app.instance_path)
    assert not instance.exists() or not any(instance.rglob("*.jpg"))


def test_a_webp_and_a_turned_jpeg_are_stored_upright_as_jpeg(app, uploads):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show rotated 90 degrees clockwise
    response, url = uploads.send("cover", encoded(Image.new("RGB", (900, 300), "teal"), "JPEG",
                                                  exif=exif))
    assert response.status_code == 302
    with Image.open(io.BytesIO(uploads.client.get(url).data)) as picture:
        assert picture.format == "JPEG" and picture.size == (300, 900)
    response, url = uploads.send("photo", encoded(Image.new("RGB", (1600, 1000), "teal"), "WEBP"),
                                 "p.webp")
    assert response.status_code == 302
    with Image.open(io.BytesIO(uploads.client.get(url).data)) as picture:
        assert picture.format == "JPEG" and picture.size == (800, 500)


# Served only while they may be seen --------------------------------------------------------

def test_a_hidden_or_deleted_profiles_photo_is_not_served(app, client, make_leader):
    user, slug = make_leader()
    login(client, user.email)
    assert upload_photo(client, slug, encoded(Image.new("RGB", (400, 400), "teal"), "JPEG")
                        ).status_code == 302
    name = load_profile(app, slug).photo
    urls = [f"/leaders/photos/{name}.jpg", f"/leaders/photos/{name}-160.jpg"]
    visitor = app.test_client()
    for url in urls:
        seen = visitor.get(url)
        assert seen.status_code == 200
        # Browsers may keep it an hour; shared caches not at all, so hiding takes effect.
        assert seen.headers["Cache-Control"] == "private, max-age=3600"
        assert "Expires" not in seen.headers

    client.post(f"/leaders/{slug}/hide")
    assert load_profile(app, slug).listed is False
    for url in urls:
        assert visitor.get(url).status_code == 404
        own = client.get(url)  # the owner still sees it on their edit pages, never cached
        assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"

    client.post(f"/leaders/{slug}/unhide")
    with app.app_context():
        db.session.get(User, user.id).active = False  # an admin deactivated the account
        db.session.commit()
    assert visitor.get(urls[0]).status_code == 404

    with app.app_context():
        db.session.get(User, user.id).active = True
        db.session.commit()
    client.post(f"/leaders/{slug}/delete")
    assert load_profile(app, slug) is None
    assert all(visitor.get(url).status_code == 404 for url in urls)


def test_a_file_that_belongs_to_no_profile_is_not_served(app, client):
    folder = Path(app.config["UPLOAD_FOLDER"]) / "leaders"
    folder.mkdir(parents=True)
    stray = "0123456789abcdef0123456789abcdef.jpg"
    (folder / stray).write_bytes(encoded(Image.new("RGB", (10, 10)), "JPEG"))
    assert client.get(f"/leaders/photos/{stray}").status_code == 404


def test_a_cover_is_public_only_once_the_post_is(app, uploads, people, act_as):
    response, url = uploads.send("cover", jpeg_with_secrets())
    assert response.status_code == 302
    own = uploads.client.get(url)
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"
    visitor = app.test_client()
    assert visitor.get(url).status_code == 404  # a draft's cover

    with app.app_context():
        proposal = db.session.get(Proposal, uploads.proposal_id)
        proposal.state, proposal.slug = State.PUBLISHED, "night-football"
        db.session.commit()
    public = visitor.get(url)
    assert public.status_code == 200 and public.headers["Cache-Control"] == "private, max-age=3600"

    with app.app_context():
        db.session.get(Proposal, uploads.proposal_id).state = State.APPROVED  # unpublished
        db.session.commit()
    assert visitor.get(url).status_code == 404
    act_as(people.other_leader)
    assert uploads.client.get(url).status_code == 404
