"""Leader photos: check an upload is a real image, re-encode it without metadata, store two sizes."""
import io
import re
import secrets
import warnings
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
# Far above any camera photo, far below what would exhaust a worker's memory when decoded.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
FULL_SIZE = 800
THUMB_SIZE = 160
SUFFIXES = ("", f"-{THUMB_SIZE}")
# What the photo route serves: generated names only, so no path can be smuggled in.
FILE_NAME = re.compile(r"^[0-9a-f]{32}(?:-160)?\.jpg$")


class PhotoError(ValueError):
    """The upload cannot be used; the message says what to do instead."""


def photos_dir(upload_folder: str) -> Path:
    return Path(upload_folder) / "leaders"


def save_photo(stream: BinaryIO, upload_folder: str) -> str:
    """Check, clean and store an uploaded photo; returns the stored name (without suffix)."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoError("The photo must be 5 MB or smaller. Choose a smaller file.")
    if not data:
        raise PhotoError("The file is empty. Choose a JPEG, PNG or WebP photo.")
    image = _open_checked(data)
    image = ImageOps.exif_transpose(image)  # keep the photo upright once orientation is dropped
    clean = _without_metadata(image)

    name = secrets.token_hex(16)
    folder = photos_dir(upload_folder)
    folder.mkdir(parents=True, exist_ok=True)
    full = clean.copy()
    full.thumbnail((FULL_SIZE, FULL_SIZE), Image.Resampling.LANCZOS)
    full.save(folder / f"{name}.jpg", "JPEG", quality=85, optimize=True)
    thumb = ImageOps.fit(clean, (THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
    thumb.save(folder / f"{name}-{THUMB_SIZE}.jpg", "JPEG", quality=85, optimize=True)
    return name


def delete_photo(name: str | None, upload_folder: str) -> None:
    if not name:
        return
    folder = photos_dir(upload_folder)
    for suffix in SUFFIXES:
        path = folder / f"{name}{suffix}.jpg"
        if FILE_NAME.match(path.name):
            path.unlink(missing_ok=True)


def _open_checked(data: bytes) -> Image.Image:
    """The decoded image, or PhotoError for anything that is not a sane JPEG, PNG or WebP."""
    not_an_image = PhotoError("The file is not a photo we can use. Choose a JPEG, PNG or WebP image.")
    too_large = PhotoError("The image is too large to process. Choose a photo of at most "
                           f"{MAX_PIXELS // 1_000_000} megapixels.")
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit, raises) on huge images: both mean no.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise too_large
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_large from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        if isinstance(error, PhotoError):
            raise
        raise not_an_image from error
    return image


def _without_metadata(image: Image.Image) -> Image.Image:
    """A fresh RGB image holding only the pixels: no EXIF, GPS, ICC or text chunks."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        clean = Image.new("RGB", rgba.size, (255, 255, 255))
        clean.paste(rgba, mask=rgba.getchannel("A"))
        return clean
    clean = Image.new("RGB", image.size)
    clean.paste(image.convert("RGB"))
    return clean
