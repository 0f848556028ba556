"""Turning an uploaded file into clean pictures: only the pixels survive.

The upload is decoded with Pillow, turned upright by its EXIF orientation, converted to sRGB
from its colour profile, and drawn again into a new image that carries nothing from the file
(no EXIF, so no GPS position, time or phone model; no XMP, comments or profile). That image is
saved as JPEG in two sizes. Anything Pillow cannot read fully, or that is larger than the
limits in bytes or pixels, is refused with a message for the person.
"""

import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps

try:  # iPhone photos (HEIC), where the library is installed and reads them
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_FORMATS = frozenset({"HEIF"})
except (
    ImportError
):  # pragma: no cover - the dependency is declared; this keeps a slim install working
    HEIF_FORMATS = frozenset()

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"}) | HEIF_FORMATS
JPEG_QUALITY = 82
_SRGB = ImageCms.createProfile("sRGB")


class PhotoRejected(ValueError):
    """The file is not a photo we can take; ``str()`` is the message for the person."""


@dataclass(frozen=True)
class CleanPhoto:
    large: bytes
    small: bytes
    width: int
    height: int
    small_width: int
    small_height: int


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours as the camera meant them, then the profile is dropped (it can identify a
    device): a wide-gamut phone photo without conversion would look washed out."""
    profile = image.info.get("icc_profile")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            mode = "RGB" if image.mode not in ("RGB", "RGBA") else image.mode
            converted = ImageCms.profileToProfile(
                image.convert(mode), source, _SRGB, outputMode=mode
            )
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the pixels as they are
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no transparency."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, longest: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: no info dictionary, nothing to carry over.
    bare = Image.frombytes("RGB", copy.size, copy.tobytes())
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), bare.width, bare.height


def clean_photo(
    data: bytes, *, max_bytes: int, max_pixels: int, large: int = 1600, small: int = 400
) -> CleanPhoto:
    """Decode, check and re-encode one upload.

    :raises PhotoRejected: too large (bytes or pixels), not an image, an image in another
        format, or a damaged file.
    """
    megabytes = max_bytes // (1024 * 1024)
    if len(data) > max_bytes:
        raise PhotoRejected(_("Each photo may be at most %(num)s MB.", num=megabytes))
    if not data:
        raise PhotoRejected(_("This file is empty."))
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, past Image.MAX_IMAGE_PIXELS; a warning is a refusal
            # here too, and the explicit check below applies our own, lower limit.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoRejected(_("Please choose a JPEG, PNG, WebP or HEIC photo."))
            width, height = image.size
            if width * height > max_pixels or width < 1 or height < 1:
                raise PhotoRejected(
                    _(
                        "This picture has too many pixels (%(width)s × %(height)s). Please send a smaller one.",
                        width=width,
                        height=height,
                    )
                )
            if image.format == "JPEG":
                # Decode at a reduced scale when the photo is much larger than we keep:
                # a 40-megapixel photo then needs a quarter of the memory.
                image.draft("RGB", (large * 2, large * 2))
            image.load()
            image = ImageOps.exif_transpose(image)
            image = _flatten(_to_srgb(image))
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(
            _("This picture has too many pixels. Please send a smaller one.")
        ) from None
    except Exception:
        # Not an image at all (a text file named .jpg), a damaged or truncated one, or any
        # other way a decoder fails on a hostile file (UnidentifiedImageError, OSError,
        # SyntaxError, struct.error, ...): none of them may become a 500.
        raise PhotoRejected(
            _("This file could not be read as a photo. It may be damaged or not a picture.")
        ) from None
    large_bytes, large_w, large_h = _encode(image, large)
    small_bytes, small_w, small_h = _encode(image, small)
    return CleanPhoto(large_bytes, small_bytes, large_w, large_h, small_w, small_h)
