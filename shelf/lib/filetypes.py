"""What a file really is, judged from its bytes, and whether Shelf may keep it.

Django-free. ``inspect(path, filename)`` is what an upload runs before anything
is saved: it reads the content (never the name or the client's content type),
checks the structure of the format it finds and refuses hostile files with a
``FileProblem``. Messages use ``%(name)s`` placeholders so callers can hand
them straight to Django's ``ValidationError`` (or translate them by ``code``).
"""

from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PNG = "image/png"
JPEG = "image/jpeg"
ACCEPTED = (PDF, DOCX, PPTX, PNG, JPEG)

EXTENSION = {PDF: ".pdf", DOCX: ".docx", PPTX: ".pptx", PNG: ".png", JPEG: ".jpg"}
DESCRIPTION = {
    PDF: "a PDF document",
    DOCX: "a Word document",
    PPTX: "a PowerPoint presentation",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
}
# Extensions that name a type, ours or another. A file whose extension names
# a different type than its content is refused: downloaded under that name it
# would open in the wrong program. An unknown extension is no claim at all.
CLAIMED = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".pptx": PPTX,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".jpe": JPEG,
    **dict.fromkeys(
        (".exe", ".dll", ".msi", ".bat", ".cmd", ".com", ".scr", ".ps1", ".sh", ".js", ".jar"),
        "program",
    ),
    **dict.fromkeys((".html", ".htm", ".xhtml", ".svg", ".svgz", ".xml"), "markup"),
    **dict.fromkeys((".doc", ".xls", ".ppt", ".xlsx", ".odt", ".ods", ".odp", ".rtf"), "office"),
    **dict.fromkeys((".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".avif"), "image"),
    **dict.fromkeys((".zip", ".rar", ".7z", ".gz", ".tar", ".txt", ".csv", ".epub"), "other"),
}

# Limits for what a ZIP-based Office file may unpack to. Real DOCX and PPTX
# files compress text XML 5-30 times; a zip bomb compresses thousands of times.
MAX_ZIP_ENTRIES = 5_000
MAX_ZIP_TOTAL = 512 * 1024 * 1024
MAX_ZIP_MEMBER = 128 * 1024 * 1024
MAX_ZIP_RATIO = 200
# Pillow's own default is 89 million; a thumbnail of a bigger picture costs
# more memory than a shared web node should spend on one upload.
MAX_IMAGE_PIXELS = 64_000_000
MAX_OBJECT_STREAM = 64 * 1024 * 1024

# PDF names that run code or act without the reader asking: scripts, launching
# programs, actions on open/close/focus, Flash and XFA forms (which carry their
# own scripts).
ACTIVE_PDF_NAMES = {
    b"JS": "JavaScript",
    b"JavaScript": "JavaScript",
    b"Launch": "an action that launches a program",
    b"AA": "automatic actions",
    b"RichMedia": "embedded Flash or media",
    b"XFA": "an XFA form with scripts",
}


def gettext_noop(message: str) -> str:
    """Marks a message for the interface catalogues without importing
    Django: the English text is stored, and translated where it is shown
    (``shelf.files.reasons``)."""
    return message


class FileProblem(Exception):
    """A file Shelf will not keep or could not read, with a message for people."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code = code
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class Inspection:
    content_type: str
    # True for an encrypted PDF: its objects cannot be checked here, so
    # extraction marks it failed instead of serving it unchecked.
    encrypted: bool = False


def inspect(path: str | Path, filename: str = "") -> Inspection:
    """Detect the type of the file at ``path`` from its content, check its
    structure and refuse what is unsupported or hostile."""
    with open(path, "rb") as f:
        head = f.read(4096)
    content_type = sniff(head)
    if content_type is None:
        raise FileProblem(
            "unsupported",
            gettext_noop(
                "This file is %(what)s. Shelf accepts PDF, Word (DOCX), PowerPoint (PPTX), "
                "PNG and JPEG files."
            ),
            what=describe_unsupported(head),
        )
    if content_type == "zip":
        content_type = check_office_zip(path)
    check_name(filename, content_type)
    if content_type == PDF:
        return Inspection(PDF, encrypted=check_pdf(Path(path).read_bytes()))
    if content_type in (PNG, JPEG):
        check_image(path, content_type)
    return Inspection(content_type)


def sniff(head: bytes) -> str | None:
    """The type the first bytes announce: a MIME type, "zip" (to be looked
    into) or None. PDF must start at byte 0: a file with something else
    before "%PDF-" may be an HTML page in disguise."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def describe_unsupported(head: bytes) -> str:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"mz") or start.startswith(b"\x7felf"):
        return "a program"
    if start.startswith(b"<"):
        if b"<svg" in start:
            return "an SVG image (SVG can carry scripts)"
        return "HTML or XML"
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style or password-protected Office file"
    if start.startswith((b"gif8", b"ii*\x00", b"mm\x00*")) or start[8:12] == b"webp":
        return "an image format Shelf does not accept"
    return "of a type Shelf does not recognise"


def check_name(filename: str, content_type: str) -> None:
    suffix = posixpath.splitext(filename.lower().strip())[1]
    claimed = CLAIMED.get(suffix)
    if claimed is not None and claimed != content_type:
        raise FileProblem(
            "mismatch",
            gettext_noop(
                "The file is named “%(name)s” but its content is %(actual)s. "
                "Rename it to %(extension)s and upload it again."
            ),
            name=filename,
            actual=DESCRIPTION[content_type],
            extension=EXTENSION[content_type],
        )


# -- Office files (ZIP packages) ------------------------------------------


def check_office_zip(source) -> str:
    """DOCX or PPTX, after checking the archive could not unpack into a bomb.
    Only the central directory is read; nothing is decompressed."""
    try:
        with open(source, "rb") as f:
            if entry_count(f) > MAX_ZIP_ENTRIES:
                raise _zip_bomb()
        with zipfile.ZipFile(source) as z:
            check_zip_limits(z)
            names = set(z.namelist())
    except zipfile.BadZipFile as e:
        raise FileProblem(
            "broken", gettext_noop("This file looks like a ZIP archive but is damaged.")
        ) from e
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise FileProblem(
            "macros",
            gettext_noop("This Office file contains macros. Save it without macros and try again."),
        )
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
        return PPTX
    raise FileProblem(
        "unsupported",
        gettext_noop(
            "This file is %(what)s. Shelf accepts PDF, Word (DOCX), PowerPoint (PPTX), "
            "PNG and JPEG files."
        ),
        what="a ZIP archive but not a Word or PowerPoint document",
    )


def entry_count(f) -> int:
    """The number of entries the archive's end record declares, read before
    zipfile builds an object for each of them (a million tiny entries cost
    hundreds of MB)."""
    # A private helper, but unchanged in the standard library for decades.
    end = zipfile._EndRecData(f)
    if end is None:
        raise zipfile.BadZipFile("no end of central directory")
    return end[zipfile._ECD_ENTRIES_TOTAL]


def check_zip_limits(z: zipfile.ZipFile) -> None:
    infos = z.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _zip_bomb()
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileProblem(
                "encrypted",
                gettext_noop("This file is password protected. Remove the password and try again."),
            )
        total += info.file_size
        too_big = info.file_size > MAX_ZIP_MEMBER or total > MAX_ZIP_TOTAL
        ratio = info.file_size / max(info.compress_size, 1)
        # Small members may compress absurdly well (runs of spaces); they cost nothing.
        if too_big or (info.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO):
            raise _zip_bomb()


def read_member(z: zipfile.ZipFile, name: str, limit: int = MAX_ZIP_MEMBER) -> bytes:
    """A member's bytes, never more than ``limit`` whatever the header says."""
    with z.open(name) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise _zip_bomb()
    return data


def _zip_bomb() -> FileProblem:
    return FileProblem(
        "zip_bomb",
        gettext_noop(
            "This file unpacks to far more data than a document holds (a “zip bomb”). "
            "It was not accepted."
        ),
    )


# -- PDF --------------------------------------------------------------------

_STREAM = re.compile(rb"\bstream(?:\r\n|\n|\r)")
# A PDF name: a slash and regular characters (anything but white space and
# delimiters). Names may hide letters as #xx escapes: /J#61vaScript.
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /<>\[\]()%{}]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_ENCRYPT = re.compile(rb"/Encrypt(?![^\x00\t\n\x0c\r /<>\[\]()%{}])")


def check_pdf(data: bytes) -> bool:
    """Refuse a PDF with scripts or automatic actions; return whether it is
    encrypted. Looks at every object outside content streams, including the
    objects packed into compressed object streams."""
    encrypted = _ENCRYPT.search(data) is not None
    for text, stream in _pdf_parts(data):
        _refuse_active(_names(text))
        if stream is not None and b"ObjStm" in _names(text[text.rfind(b"obj") :]):
            if encrypted:
                continue  # unreadable here; extraction marks the file failed
            _refuse_active(_names(_object_stream(text[text.rfind(b"obj") :], stream)))
    return encrypted


def _pdf_parts(data: bytes):
    """(text outside streams, the stream that follows it or None)."""
    pos = 0
    while match := _STREAM.search(data, pos):
        end = data.find(b"endstream", match.end())
        end = len(data) if end < 0 else end
        yield data[pos : match.start()], data[match.end() : end]
        pos = end + len(b"endstream")
    yield data[pos:], None


def _names(text: bytes) -> set[bytes]:
    names = set()
    for raw in _NAME.findall(text):
        if b"#" in raw:
            raw = _ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), raw)
        names.add(raw)
    return names


def _refuse_active(names: set[bytes]) -> None:
    for name in sorted(names & ACTIVE_PDF_NAMES.keys()):
        raise FileProblem(
            "active_content",
            gettext_noop(
                "This PDF contains %(what)s, which Shelf does not accept. Save it without "
                "scripts and actions (for example by printing it to PDF) and try again."
            ),
            what=ACTIVE_PDF_NAMES[name],
        )


def _object_stream(dictionary: bytes, body: bytes) -> bytes:
    filters = _names(dictionary) & {
        b"FlateDecode",
        b"Fl",
        b"LZWDecode",
        b"ASCIIHexDecode",
        b"ASCII85Decode",
        b"RunLengthDecode",
    }
    if not filters:
        return body
    if filters - {b"FlateDecode", b"Fl"} or b"DecodeParms" in dictionary:
        raise FileProblem(
            "unchecked",
            gettext_noop(
                "This PDF packs its objects in an unusual way that Shelf cannot check for scripts. "
                "Save it again (for example by printing it to PDF) and try again."
            ),
        )
    decompressor = zlib.decompressobj()
    try:
        content = decompressor.decompress(body, MAX_OBJECT_STREAM)
    except zlib.error:
        # A damaged stream hides nothing a reader could run; extraction decides.
        return b""
    if decompressor.unconsumed_tail:
        raise _zip_bomb()
    return content


# -- Images -------------------------------------------------------------------


def check_image(source, content_type: str):
    """Open the picture's header (no decoding) and refuse pixel bombs."""
    from PIL import Image

    expected = {PNG: "PNG", JPEG: "JPEG"}[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=[expected]) as img:
                width, height = img.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _pixel_bomb(width, height)
                img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _pixel_bomb() from e
    except FileProblem:
        raise
    except Exception as e:
        raise FileProblem(
            "broken", gettext_noop("This image is damaged and cannot be read.")
        ) from e


def _pixel_bomb(width: int = 0, height: int = 0) -> FileProblem:
    return FileProblem(
        "pixel_bomb",
        gettext_noop(
            "This image is too large (%(pixels)s pixels; at most %(limit)s). "
            "Scale it down and try again."
        ),
        pixels=f"{width}×{height}" if width else "too many",
        limit=f"{MAX_IMAGE_PIXELS // 1_000_000} million",
    )
