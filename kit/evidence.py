"""Evidence an inspector attaches (photos, files) and signatures drawn on the screen, checked.

:func:`prepare` reads what was uploaded: its kind by its first bytes (never by its name), its
size, and for a picture its pixels (a "decompression bomb" of a few kilobytes that opens into
gigapixels is refused). A photo is turned upright as its camera recorded (EXIF orientation)
and saved again as JPEG, which also drops its EXIF block (the phone's location among it); a
thumbnail is made for the app and the workbook. A problem names the file and says what to do.

>>> import io
>>> from PIL import Image
>>> buf = io.BytesIO(); Image.new("RGB", (1200, 800), "white").save(buf, "PNG")
>>> p = prepare("现场.png", buf.getvalue())
>>> (p.kind, p.mime, p.width, p.height, p.thumb_mime)
('photo', 'image/jpeg', 1200, 800, 'image/jpeg')
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from kit.errors import Problem, ValidationError

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "ACCEPT",
    "MAX_BYTES",
    "MAX_PIXELS",
    "THUMB_PIXELS",
    "Prepared",
    "prepare",
]

#: what the file chooser offers (a tablet also offers its camera for ``image/*``)
ACCEPT: Final = "image/jpeg,image/png,image/webp,application/pdf"
MAX_BYTES: Final = 20 * 2**20
MAX_PIXELS: Final = 50_000_000  # a 50-megapixel photo; a bomb opens into far more
THUMB_PIXELS: Final = 480  # the longer side of a thumbnail
_KINDS: Final = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


@dataclass(frozen=True)
class Prepared:
    """What is kept: the bytes, their type, and (for a picture) a thumbnail."""

    kind: str  # photo, file or signature
    mime: str
    data: bytes
    thumb: bytes | None
    thumb_mime: str
    width: int = 0
    height: int = 0


def _sniff(data: bytes) -> str | None:
    for magic, mime in _KINDS:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _fail(code: str, name: str, zh: str, en: str) -> ValidationError:
    return ValidationError([Problem(code, f"{name}：{zh}", en, file=name)], name)


def prepare(name: str, data: bytes, *, signature: bool = False) -> Prepared:
    """Check and prepare one upload (``signature``: a PNG drawn on the screen)."""
    name = name or "（未命名文件）"
    if not data:
        raise _fail("evidence.empty", name, "文件为空", "the file is empty")
    if len(data) > MAX_BYTES:
        raise _fail("evidence.too_big", name,
                    f"文件 {len(data) / 2**20:.1f} MB，超过上限 {MAX_BYTES // 2**20} MB，请缩小后再传",
                    f"the file is over {MAX_BYTES // 2**20} MB")
    mime = _sniff(data)
    if mime is None or (signature and mime != "image/png"):
        raise _fail("evidence.kind", name,
                    "只接受 JPEG、PNG、WebP 照片或 PDF 文件（按文件内容判断，不看扩展名）；"
                    "iPhone 的 HEIC 照片请在相机设置中选“兼容性最佳”",
                    "only JPEG, PNG or WebP pictures and PDF files (judged by content)")
    if mime == "application/pdf":
        return Prepared("file", mime, data, None, "")
    picture = _open(name, data)
    if signature:
        thumb = _encode(picture.copy(), "PNG")
        return Prepared("signature", "image/png", data, thumb, "image/png", *picture.size)
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(picture)
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    kept = _encode(upright, "JPEG", quality=88)
    small = upright.copy()
    small.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
    return Prepared("photo", "image/jpeg", kept, _encode(small, "JPEG", quality=80),
                    "image/jpeg", *upright.size)


def _open(name: str, data: bytes) -> Image.Image:
    from PIL import Image, UnidentifiedImageError  # here: only a command that keeps pictures

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
            if picture.width * picture.height > MAX_PIXELS:
                raise Image.DecompressionBombError(f"{picture.width}x{picture.height}")
            picture.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _fail("evidence.too_big", name,
                    f"图片像素过多（上限 {MAX_PIXELS // 10**6} 百万像素），请缩小后再传",
                    f"the picture has more than {MAX_PIXELS // 10**6} megapixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _fail("evidence.damaged", name, "图片已损坏或不完整，无法读取",
                    "the picture is damaged or incomplete") from None
    return picture


def _encode(picture: Image.Image, fmt: str, **options: int) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    picture.save(out, fmt, **options)
    return out.getvalue()
