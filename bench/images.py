"""Peak memory of the image pipeline per upload: each picture processed in a fresh process.

    .venv/bin/python bench/images.py

Prints, for each picture, its size on disk, what the pipeline answered and how far the
process's peak RSS rose while it did so. The peak is VmHWM: getrusage's ru_maxrss in a child
starts at the peak of the process that spawned it, which would hide the rise.
"""
import io
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import sys, tempfile
from pathlib import Path
from flask import Flask
from app import images


def peak_rss_kib():
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0])


sizes = {"photo": (images.Size("", 800, 800), images.Size("-160", 160, 160, crop=True)),
         "cover": (images.Size("", 1600, 1600),)}[sys.argv[2]]
# Pillow's plugins and codecs are loaded by a first small picture, outside the figure.
images.prepare(Path(sys.argv[3]).read_bytes(), sizes)
before = peak_rss_kib()
try:
    with tempfile.TemporaryDirectory() as folder:
        store = Flask("bench")
        store.config["UPLOAD_FOLDER"] = folder
        with store.app_context():
            images.save(open(sys.argv[1], "rb"), images.PHOTOS, sizes)
    answer = "stored"
except images.ImageError as error:
    answer = "refused: " + str(error)[:60]
after = peak_rss_kib()
print(f"{(after - before) / 1024:.1f}\\t{answer}")
"""


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def drawn(mode: str, size: tuple[int, int]) -> Image.Image:
    """A picture with some shapes on it: compresses well, still has edges."""
    image = Image.new(mode, size, "white" if mode != "P" else 0)
    draw = ImageDraw.Draw(image)
    step = max(size) // 12
    for i in range(0, max(size), step):
        draw.ellipse((i, i // 2, i + step * 3, i // 2 + step * 2), fill=(30, 120, 200, 160)
                     if mode in ("RGB", "RGBA") else 90)
    return image


def pictures():
    yield "PNG 9400x9400 one colour (the bomb)", encoded(Image.new("RGB", (9400, 9400), "teal"), "PNG")
    yield "PNG 6300x6300 RGBA", encoded(Image.new("RGBA", (6300, 6300), (0, 0, 0, 0)), "PNG")
    yield "PNG 4000x4000 RGBA (at the cap)", encoded(drawn("RGBA", (4000, 4000)), "PNG")
    yield "PNG 4000x4000 palette, transparent", encoded(drawn("P", (4000, 4000)), "PNG", transparency=0)
    yield "PNG 4000x4000 16-bit grey", encoded(drawn("I", (4000, 4000)).convert("I;16"), "PNG")
    yield "WebP 4000x4000 RGBA", encoded(drawn("RGBA", (4000, 4000)), "WEBP", quality=60)
    yield "WebP 4000x2000 RGBA (at the cap)", encoded(drawn("RGBA", (4000, 2000)), "WEBP", quality=60)
    jpeg = drawn("RGB", (7740, 5160))
    yield "JPEG 7740x5160 baseline (at the cap)", encoded(jpeg, "JPEG", quality=70)
    yield "JPEG 7740x5160 progressive 4:4:4", encoded(jpeg, "JPEG", quality=70, progressive=True,
                                                      subsampling=0)
    for subsampling, size in (("4:4:4", (4400, 3000)), ("4:2:0", (5000, 3800))):
        yield (f"JPEG {size[0]}x{size[1]} progressive {subsampling} (at the cap)",
               encoded(jpeg.resize(size), "JPEG", quality=70, progressive=True,
                       subsampling=subsampling))
    yield "JPEG 9400x9400 (over the cap)", encoded(Image.new("RGB", (9400, 9400), "teal"), "JPEG")
    yield "JPEG 2000x1500 camera-sized", encoded(drawn("RGB", (2000, 1500)), "JPEG")


def main() -> None:
    print("peak RSS rise (MiB)\tsize\tkind\tpicture\tanswer")
    with tempfile.TemporaryDirectory() as folder:
        warm = Path(folder) / "warm"
        warm.write_bytes(encoded(Image.new("RGB", (300, 200), "teal"), "JPEG"))
        for label, data in pictures():
            path = Path(folder) / "upload"
            path.write_bytes(data)
            for kind in ("photo", "cover"):
                result = subprocess.run([sys.executable, "-c", CHILD, str(path), kind, str(warm)], cwd=ROOT,
                                        capture_output=True, text=True, check=True)
                rise, answer = result.stdout.strip().split("\t")
                print(f"{rise:>8}\t{len(data) / 1024:>8.0f} KB\t{kind}\t{label}\t{answer}")


if __name__ == "__main__":
    main()
