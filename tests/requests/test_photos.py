"""Photos: type from the bytes, metadata stripped, sizes bounded, hostile files refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from majal.requests import photos


def picture(kind: str = "JPEG", size: tuple[int, int] = (3000, 2000), exif: bool = True) -> bytes:
    image = Image.new("RGBA" if kind == "PNG" else "RGB", size, (200, 40, 40))
    out = io.BytesIO()
    extra = {}
    if exif and kind == "JPEG":
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x0112] = 6  # Orientation: rotate 90° to display
        tags[0x8825] = {1: "N", 2: (34.0, 55.0, 12.0), 3: "W", 4: (2.0, 19.0, 1.0)}  # GPS
        extra["exif"] = tags
    image.save(out, format=kind, **extra)
    return out.getvalue()


def test_jpeg_loses_its_metadata_and_keeps_its_orientation() -> None:
    processed = photos.process(picture())
    for data in (processed.full, processed.display):
        copy = Image.open(io.BytesIO(data))
        assert not copy.getexif() and "exif" not in copy.info
        assert b"PhoneMaker" not in data
    assert (processed.width, processed.height) == (2000, 3000)  # turned upright, as the camera meant
    assert max(Image.open(io.BytesIO(processed.full)).size) == photos.FULL_SIDE
    assert max(Image.open(io.BytesIO(processed.display)).size) == photos.DISPLAY_SIDE


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(kind: str) -> None:
    processed = photos.process(picture(kind, (800, 600), exif=False))
    assert Image.open(io.BytesIO(processed.display)).format == "JPEG"


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"%PDF-1.7\n1 0 obj <<>> endobj", "not a JPEG"),
    (b"GIF89a" + b"\x00" * 100, "not a JPEG"),
    (b"\xff\xd8\xff\xe0" + b"garbage" * 100, "could not be read"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "not a JPEG"),
])
def test_files_that_are_not_photos_are_refused(data: bytes, words: str) -> None:
    with pytest.raises(photos.PhotoProblem, match=words):
        photos.process(data)


def test_oversized_files_are_refused_before_decoding() -> None:
    with pytest.raises(photos.PhotoProblem, match="larger than 10 MB"):
        photos.process(b"\xff\xd8\xff" + b"\x00" * (30 * 1024 * 1024))


def test_decompression_bombs_are_refused() -> None:
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, format="PNG")  # 400 Mpx in a few hundred KB
    with pytest.raises(photos.PhotoProblem):
        photos.process(bomb.getvalue())
