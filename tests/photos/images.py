"""Test pictures made with Pillow: no files in the repository, no network."""

import io
import struct
import zlib

from PIL import Image


def jpeg_with_gps(size=(1200, 800), orientation: int | None = None) -> bytes:
    """A JPEG carrying EXIF: a GPS position, a camera model and (optionally) an orientation."""
    image = Image.new("RGB", size, (200, 60, 40))
    for x in range(0, size[0], 50):  # not one colour, so the encoder has work to do
        image.paste((30, 90, 200), (x, 0, x + 10, size[1]))
    exif = Image.Exif()
    exif[0x0110] = "Telefon X200"  # Model
    exif[0x010F] = "Phonemaker"  # Make
    if orientation:
        exif[0x0112] = orientation
    gps = {1: "N", 2: (40.0, 45.0, 54.0), 3: "E", 4: (29.0, 55.0, 12.0)}  # İzmit
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90, comment=b"secret comment")
    return out.getvalue()


def encoded(fmt: str, size=(640, 480), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 90) if mode == "RGB" else (10, 120, 90, 128)).save(out, fmt)
    return out.getvalue()


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A PNG that says it is 30000 × 30000 (900 megapixels) in a few kilobytes: its rows of
    zeros compress to almost nothing. Decoding it would need gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(200)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
