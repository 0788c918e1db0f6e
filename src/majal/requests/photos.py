"""Citizens' photos: the type is read from the bytes, never from the name; metadata (EXIF, GPS) is dropped by
re-encoding the pixels; a smaller copy is made for display. Pure: bytes in, bytes out."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from majal.kit.errors import MajalError
from majal.kit.i18n import N_

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; beyond that it is a decompression bomb, not a phone picture
FULL_SIDE, DISPLAY_SIDE = 2560, 1024
SIGNATURES = {"JPEG": (b"\xff\xd8\xff",), "PNG": (b"\x89PNG\r\n\x1a\n",), "WEBP": (b"RIFF",)}


class PhotoProblem(MajalError):
    code = "invalid_photo"


@dataclass(frozen=True)
class ProcessedPhoto:
    full: bytes
    display: bytes
    width: int
    height: int
    sha256: str


def process(data: bytes) -> ProcessedPhoto:
    if not data:
        raise PhotoProblem(N_("The photo is empty."), where="photo")
    if len(data) > MAX_BYTES:
        raise PhotoProblem(N_("The photo is larger than %(limit)s MB."), where="photo", limit=MAX_BYTES // 2**20)
    kind = _sniff(data)
    image = _open(data, kind)
    image = ImageOps.exif_transpose(image)  # keep the picture upright once its EXIF orientation is gone
    flat = _flatten(image)
    return ProcessedPhoto(
        full=_jpeg(flat, FULL_SIDE), display=_jpeg(flat, DISPLAY_SIDE), width=flat.width, height=flat.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _sniff(data: bytes) -> str:
    for kind, signatures in SIGNATURES.items():
        if data.startswith(signatures) and (kind != "WEBP" or data[8:12] == b"WEBP"):
            return kind
    raise PhotoProblem(N_("The file is not a JPEG, PNG or WebP photo."), where="photo")


def _open(data: bytes, kind: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            if image.width * image.height > MAX_PIXELS:
                raise PhotoProblem(N_("The photo has too many pixels."), where="photo")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise PhotoProblem(N_("The photo could not be read: the file is damaged or not an image."),
                           where="photo") from None
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent PNGs and palette images become ordinary photos."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True, progressive=True)  # no exif= argument: none is kept
    return out.getvalue()
