"""The one pipeline for uploaded pictures: checked, decoded in bounded memory, stripped, stored."""
import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import abort, redirect, request, send_file
from PIL import Image, ImageOps, UnidentifiedImageError

from app.storage import delete_after_commit, storage

MAX_BYTES = 5 * 1024 * 1024
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
NAMES = {"JPEG": "a JPEG", "PNG": "a PNG", "WEBP": "a WebP image"}
# Pixel limits, checked from the header before anything is decoded. A JPEG is decoded at a
# reduced scale (draft) and may be this large; other pictures are decoded whole, so their
# limit is what fits in DECODE_BUDGET at the bytes a pixel their decoding holds (measured
# with bench/images.py).
MAX_PIXELS = 40_000_000
DECODE_BUDGET = 128 * 1024 * 1024
BYTES_PER_PIXEL = {
    "PNG": 8,    # the decoded pixels, then a converted or flattened copy, 4 bytes each
    "WEBP": 16,  # libwebp's canvases, the bytes handed over, the pixels, a flattened copy
}
MIN_SIDE = 1
WHITE = (255, 255, 255)
QUALITY = 85
# A decoded image is shrunk to at most this many times the size it is resized to: the final
# Lanczos resize keeps its quality, the pixels held stay few.
REDUCING_GAP = 2
# Converting and flattening go a strip of rows at a time, never a second full-size copy.
STRIP_PIXELS = 1_000_000
# Kinds of picture: the first part of their storage keys (folders under UPLOAD_FOLDER).
PHOTOS = "leaders"
COVERS = "covers"

ORIENTATION = 0x0112
TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
             4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
             6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
             8: Image.Transpose.ROTATE_90}


class ImageError(ValueError):
    """The upload cannot be used; the message says what to do instead."""


@dataclass(frozen=True)
class Size:
    """One stored size: within width x height, or exactly that, centred, with crop."""

    suffix: str
    width: int
    height: int
    crop: bool = False

    def shrink(self, width: int, height: int) -> float:
        """How many times a width x height picture may shrink and still fill this size."""
        pick = max if self.crop else min
        return max(1.0, 1 / pick(self.width / width, self.height / height))


# Storage -----------------------------------------------------------------------------------

def save(stream: BinaryIO, kind: str, sizes: tuple[Size, ...], *,
         min_size: tuple[int, int] = (MIN_SIDE, MIN_SIDE)) -> str:
    """Check, clean and store an upload at every size; returns the random name they share.

    Each size is stored as `<kind>/<name><suffix>.jpg`. Raises ImageError when the upload is
    refused, and then stores nothing.
    """
    pictures = prepare(stream.read(MAX_BYTES + 1), sizes, min_size=min_size)
    name = secrets.token_hex(16)
    store = storage()
    written = []
    try:
        for size, picture in zip(sizes, pictures):
            encoded = io.BytesIO()
            # Only the pixels: no info (EXIF, comment, ICC, XMP) is handed to the encoder.
            picture.save(encoded, "JPEG", quality=QUALITY, optimize=True)
            encoded.seek(0)
            store.save(f"{kind}/{name}{size.suffix}.jpg", encoded)
            written.append(f"{kind}/{name}{size.suffix}.jpg")
    except BaseException:
        for key in written:
            store.delete(key)
        raise
    return name


def delete(name: str | None, kind: str, sizes: tuple[Size, ...]) -> None:
    """Remove every size of a stored picture once the current transaction commits."""
    if name:
        delete_after_commit([f"{kind}/{Path(name).name}{size.suffix}.jpg" for size in sizes])


def send(kind: str, file_name: str, *, everyone: bool):
    """The stored file; browsers alone may keep it, an hour when everyone may see it, else not.

    Never in shared caches: hiding a profile or unpublishing a post must take effect.
    """
    store = storage()
    key = f"{kind}/{file_name}"
    direct = store.url(key)
    if direct is not None:
        response = redirect(direct)
    else:
        try:
            stream = store.open(key)
        except (FileNotFoundError, ValueError):  # no such file, or a name that is no key
            abort(404)
        length = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        # A key's content never changes (every upload gets a new name): the key is its ETag.
        response = send_file(stream, mimetype="image/jpeg", etag=key, conditional=False)
        response.content_length = length
        response = response.make_conditional(request, accept_ranges=True, complete_length=length)
    response.headers["Cache-Control"] = "private, max-age=3600" if everyone else "private, no-store"
    response.headers.pop("Expires", None)
    return response


# The pipeline ------------------------------------------------------------------------------

def prepare(data: bytes, sizes: tuple[Size, ...], *,
            min_size: tuple[int, int] = (MIN_SIDE, MIN_SIDE)) -> list[Image.Image]:
    """The upload at each size: RGB pixels only, upright, transparency on white."""
    if len(data) > MAX_BYTES:
        raise ImageError(f"The image must be {MAX_BYTES // (1024 * 1024)} MB or smaller. "
                         "Choose a smaller file.")
    if not data:
        raise ImageError("The file is empty. Choose a JPEG, PNG or WebP image.")
    try:
        with warnings.catch_warnings():
            # Corrupt metadata only warns, and all of it is dropped anyway.
            warnings.simplefilter("ignore")
            # Pillow warns (and past twice its limit, raises) on huge images: both mean no.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                _check_size(image, min_size)
                return _pictures(image, sizes)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError("The image is too large to process. Choose a smaller one.") from error
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError("The file is not an image we can use. "
                         "Choose a JPEG, PNG or WebP image.") from error


def _pixel_limit(image: Image.Image) -> int:
    """The most pixels an opened (not yet decoded) picture may have to be decoded."""
    if image.format != "JPEG":
        return DECODE_BUDGET // BYTES_PER_PIXEL[image.format]
    if not image.info.get("progressive"):
        return MAX_PIXELS  # decoded at a reduced scale (draft)
    # A progressive JPEG is decoded from all its coefficients at once, 2 bytes each for
    # every component's samples, then into 4 bytes a pixel.
    width = max(h for _, h, _, _ in image.layer)
    height = max(v for _, _, v, _ in image.layer)
    samples = sum(h * v for _, h, v, _ in image.layer) / (width * height)
    return min(MAX_PIXELS, int(DECODE_BUDGET / (2 * samples + 4)))


def _check_size(image: Image.Image, min_size: tuple[int, int]) -> None:
    """Refuse by the header's size alone: nothing is decoded yet (Image.open is lazy)."""
    width, height = image.size
    limit = _pixel_limit(image)
    if width * height > limit:
        if image.format == "JPEG" and image.info.get("progressive"):
            kind, advice = "a progressive JPEG", ", or save it as a standard (not progressive) JPEG"
        elif image.format == "JPEG":
            kind, advice = "a JPEG", ""
        else:
            kind, advice = NAMES[image.format], ", or save it as a JPEG"
        raise ImageError(f"The image is too large to process: it is {width} by {height} "
                         f"pixels, and {kind} may have at most {limit / 1_000_000:.1f} "
                         f"megapixels. Choose a smaller image{advice}.")
    if width < min_size[0] or height < min_size[1]:
        raise ImageError(f"Choose a larger image: at least {min_size[0]} by {min_size[1]} pixels.")


def _pictures(image: Image.Image, sizes: tuple[Size, ...]) -> list[Image.Image]:
    """Decode as small as the largest size allows, then make each size from the pixels."""
    if image.format == "JPEG":
        # libjpeg scales by 1/2, 1/4 or 1/8 while decoding: the full size is never held.
        factor = _factor(image.size, sizes)
        image.draft("RGB", (-(-image.width // factor), -(-image.height // factor)))
    image.load()
    orientation = image.getexif().get(ORIENTATION)
    factor = _factor(image.size, sizes)
    source = image
    if factor > 1 or image.mode not in ("RGB", "L") or "transparency" in image.info:
        source = _on_white_reduced(image, factor)
        image.close()  # frees the full-size pixels
    turned = orientation in (5, 6, 7, 8)
    pictures = []
    for size in sizes:
        box = (size.height, size.width) if turned else (size.width, size.height)
        picture = _pixels_only(_fitted(source, box, size.crop))
        pictures.append(picture.transpose(TRANSPOSE[orientation])
                        if orientation in TRANSPOSE else picture)
    return pictures


def _factor(size: tuple[int, int], sizes: tuple[Size, ...]) -> int:
    """How many times to shrink a picture of this size before resizing it to every size."""
    width, height = size
    # Either way up: the orientation is read once the pixels are.
    most = min(min(fit.shrink(width, height), fit.shrink(height, width)) for fit in sizes)
    return max(1, int(most / REDUCING_GAP))


def _on_white_reduced(image: Image.Image, factor: int) -> Image.Image:
    """RGB, flattened onto white and reduced by factor, a strip of rows at a time."""
    width, height = image.size
    reduced = Image.new("RGB", (-(-width // factor), -(-height // factor)), WHITE)
    rows = max(1, STRIP_PIXELS // width // factor) * factor
    for top in range(0, height, rows):
        strip = _on_white(image.crop((0, top, width, min(top + rows, height))))
        reduced.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
    return reduced


def _on_white(part: Image.Image) -> Image.Image:
    if part.mode.startswith("I"):  # 16-bit grey: 0..65535 down to 0..255
        part = part.convert("I").point(lambda value: value / 256).convert("L")
    if "A" in part.mode or "a" in part.mode or "transparency" in part.info:
        rgba = part.convert("RGBA")
        flat = Image.new("RGB", rgba.size, WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return part.convert("RGB")


def _fitted(image: Image.Image, box: tuple[int, int], crop: bool) -> Image.Image:
    if crop:
        return ImageOps.fit(image, box, Image.Resampling.LANCZOS)
    if image.width <= box[0] and image.height <= box[1]:
        return image  # never enlarged
    return ImageOps.contain(image, box, Image.Resampling.LANCZOS)


def _pixels_only(picture: Image.Image) -> Image.Image:
    """A new RGB image holding the pixels and nothing of the upload's info (EXIF, comment,
    ICC, XMP): Pillow's JPEG encoder would write back a comment it finds in info."""
    clean = Image.new("RGB", picture.size)
    clean.paste(picture)
    return clean
