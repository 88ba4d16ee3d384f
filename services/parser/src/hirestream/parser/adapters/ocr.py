"""Tesseract OCR (Debian's ``tesseract-ocr`` with English, French and Spanish data) on images.

Tesseract runs as a child process of the extraction worker, so it inherits the worker's memory
limit; its wall time is bounded here.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time

from PIL import Image

from hirestream.parser.domain.errors import ExtractionError

LANGUAGES = "eng+fra+spa"
OCR_TIMEOUT_SECONDS = 20.0
# Decompression-bomb guard for images: a 600 dpi A4 page is ~35 Mpx.
MAX_IMAGE_PIXELS = 60_000_000
# Large scans are shrunk to about 300 dpi on an A4 page before OCR.
MAX_OCR_SIDE = 3600
# (start, end) wall-clock nanoseconds of each OCR run in this process; the worker reports them.
TIMINGS: list[tuple[int, int]] = []


def available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_image(image: Image.Image, timeout: float = OCR_TIMEOUT_SECONDS) -> str:
    """The text Tesseract reads in ``image``; ``ocr_unavailable`` when it is not installed."""
    if not available():
        raise ExtractionError(
            "ocr_unavailable", "the document needs OCR and tesseract is not installed"
        )
    if max(image.size) > MAX_OCR_SIDE:
        image = image.copy()
        image.thumbnail((MAX_OCR_SIDE, MAX_OCR_SIDE))
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per worker, as measured
    started = time.time_ns()
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", LANGUAGES, "--psm", "3"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError("timeout", f"OCR took longer than {timeout:.0f} s") from exc
    finally:
        TIMINGS.append((started, time.time_ns()))
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-200:]
        raise ExtractionError("ocr_failed", f"tesseract exited {done.returncode}: {detail}")
    return _mend(done.stdout.decode("utf-8", "replace"))


# OCR often sets "@" apart ("jean.dupont @ exemple.fr"); an address is never written so.
_LOOSE_AT = re.compile(r"(?<=[\w.])[ \t]*@[ \t]*(?=\w[\w-]*\.\w)")


def _mend(text: str) -> str:
    return _LOOSE_AT.sub("@", text)


def open_image(data: bytes) -> Image.Image:
    """A scanned CV sent as PNG/JPEG/TIFF/BMP, checked for size before it is decoded."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ExtractionError("too_large", f"image of {width}x{height} pixels")
        image.load()
    except ExtractionError:
        raise
    except Image.DecompressionBombError as exc:
        raise ExtractionError("too_large", f"image too large: {exc}"[:300]) from exc
    except MemoryError:
        raise
    except Exception as exc:  # Pillow raises many types on damaged input
        raise ExtractionError("corrupt_file", f"unreadable image: {exc!r}"[:300]) from exc
    return image
