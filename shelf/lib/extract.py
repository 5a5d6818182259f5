"""Text per page, page count and a small thumbnail from an accepted file.

Django-free. ``extract(source, content_type)`` does the work in this process;
``extract_isolated(path, content_type)`` runs it in a child process with a
time and memory limit, so a file that makes a parser loop, balloon or crash
costs one child and a "failed" status, never the worker.

PDF: pypdfium2 (PDFium, the engine of Chrome's viewer) for text and for
rendering page 1. DOCX: one page per run of text between page breaks (Word
records where it last broke pages). PPTX: one page per slide, in slide order.
PNG and JPEG: one page, no text, the picture itself as thumbnail.
"""

from __future__ import annotations

import base64
import io
import json
import posixpath
import resource
import subprocess
import sys
import warnings
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from defusedxml import DefusedXmlException, ElementTree

from shelf.lib import filetypes
from shelf.lib.filetypes import DOCX, JPEG, PDF, PNG, PPTX, FileProblem, gettext_noop

THUMBNAIL_SIZE = (200, 280)
MAX_PAGES = 10_000
# Text beyond this per page is not prose a reader searches for.
MAX_PAGE_TEXT = 200_000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Extracted:
    pages: list[str]
    page_count: int
    thumbnail: bytes | None


def extract(source, content_type: str) -> Extracted:
    """``source`` is a path, a binary file object or bytes. Raises
    ``FileProblem`` with a message for people when the file cannot be read."""
    readers = {PDF: _pdf, DOCX: _docx, PPTX: _pptx, PNG: _image, JPEG: _image}
    if content_type not in readers:
        raise FileProblem(
            "unsupported",
            gettext_noop("Shelf cannot read files of type %(type)s."),
            type=content_type,
        )
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return readers[content_type](source)


def clean(text: str) -> str:
    """Text fit for any database: no NUL (PostgreSQL refuses it), no lone
    surrogates (not UTF-8), one kind of line end."""
    text = text[:MAX_PAGE_TEXT].replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.encode("utf-8", "replace").decode("utf-8").strip()


# -- PDF ------------------------------------------------------------------------


def _pdf(source) -> Extracted:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    if isinstance(source, Path):
        source = str(source)
    try:
        pdf = pdfium.PdfDocument(source)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            raise _encrypted() from e
        raise FileProblem(
            "broken", gettext_noop("This PDF is damaged or incomplete and cannot be read.")
        ) from e
    try:
        if raw.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
            raise _encrypted()
        if raw.FPDFDoc_GetJavaScriptActionCount(pdf.raw) > 0:
            raise FileProblem("active_content", gettext_noop("This PDF contains JavaScript."))
        count = len(pdf)
        if count == 0:
            raise FileProblem("broken", gettext_noop("This PDF has no pages."))
        if count > MAX_PAGES:
            raise FileProblem(
                "too_many_pages",
                gettext_noop("This PDF has %(count)s pages; at most %(limit)s are read."),
                count=count,
                limit=MAX_PAGES,
            )
        pages = [_pdf_page_text(pdf, i) for i in range(count)]
        thumbnail = _pdf_thumbnail(pdf[0])
    finally:
        pdf.close()
    return Extracted(pages=pages, page_count=count, thumbnail=thumbnail)


def _pdf_page_text(pdf, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            return clean(textpage.get_text_range())
        finally:
            textpage.close()
    finally:
        page.close()


def _pdf_thumbnail(page) -> bytes:
    try:
        width, height = page.get_size()
        # Scaled from the page's own size, so a hostile giant page still
        # renders to a few hundred pixels.
        scale = min(THUMBNAIL_SIZE[0] / max(width, 1), THUMBNAIL_SIZE[1] / max(height, 1))
        image = page.render(scale=scale, may_draw_forms=False).to_pil()
        return _webp(image)
    finally:
        page.close()


def _encrypted() -> FileProblem:
    return FileProblem(
        "encrypted",
        gettext_noop(
            "This PDF is password protected or encrypted, so its text cannot be read or checked. "
            "Remove the protection and upload it again."
        ),
    )


# -- Word and PowerPoint ------------------------------------------------------


def _open_zip(source) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(source)
    except zipfile.BadZipFile as e:
        raise FileProblem(
            "broken", gettext_noop("This file looks like a ZIP archive but is damaged.")
        ) from e
    filetypes.check_zip_limits(z)
    return z


def _xml(z: zipfile.ZipFile, name: str):
    """Parse a package part without DTDs or entities (billion laughs, XXE)."""
    try:
        return ElementTree.fromstring(filetypes.read_member(z, name))
    except KeyError as e:
        raise FileProblem(
            "broken", gettext_noop("This document is missing a part (%(part)s)."), part=name
        ) from e
    except DefusedXmlException as e:
        raise FileProblem(
            "active_content",
            gettext_noop("This document contains XML entities, which Shelf does not accept."),
        ) from e
    except (ElementTree.ParseError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise FileProblem(
            "broken", gettext_noop("This document is damaged and cannot be read.")
        ) from e


def _docx(source) -> Extracted:
    with _open_zip(source) as z:
        try:
            document = filetypes.read_member(z, "word/document.xml")
        except KeyError as e:
            raise FileProblem("broken", gettext_noop("This document is missing its text.")) from e
        thumbnail = _package_thumbnail(z)
    pages: list[list[str]] = [[]]
    # One pass in document order: text boxes nest paragraphs inside
    # paragraphs, and each piece of text must be counted once.
    for event, el in _iterparse(document):
        if event == "start":
            if el.tag == f"{W}lastRenderedPageBreak" or (
                el.tag == f"{W}br" and el.get(f"{W}type") == "page"
            ):
                pages.append([])
            elif el.tag == f"{W}p" and pages[-1] and not pages[-1][-1].endswith("\n"):
                pages[-1].append("\n")  # a paragraph inside one (a text box) starts a line
            elif el.tag == f"{W}tab":
                pages[-1].append("\t")
            elif el.tag in (f"{W}br", f"{W}cr"):
                pages[-1].append("\n")
        elif el.tag == f"{W}t":
            pages[-1].append(el.text or "")
        elif el.tag == f"{W}p":
            pages[-1].append("\n")
            el.clear()
    texts = [clean("".join(parts)) for parts in pages]
    # A break at the very end (or a paragraph holding only a break) leaves an empty page.
    while len(texts) > 1 and not texts[-1]:
        texts.pop()
    return Extracted(pages=texts, page_count=len(texts), thumbnail=thumbnail)


def _iterparse(data: bytes):
    try:
        yield from ElementTree.iterparse(io.BytesIO(data), events=("start", "end"))
    except DefusedXmlException as e:
        raise FileProblem(
            "active_content",
            gettext_noop("This document contains XML entities, which Shelf does not accept."),
        ) from e
    except (ElementTree.ParseError, ValueError) as e:
        raise FileProblem(
            "broken", gettext_noop("This document is damaged and cannot be read.")
        ) from e


def _pptx(source) -> Extracted:
    with _open_zip(source) as z:
        presentation = _xml(z, "ppt/presentation.xml")
        rels = _xml(z, "ppt/_rels/presentation.xml.rels")
        targets = {
            rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{PKG_REL}Relationship")
        }
        pages = []
        for slide_id in presentation.iter(f"{P}sldId"):
            target = targets.get(slide_id.get(f"{R}id"), "")
            name = posixpath.normpath(posixpath.join("ppt", target))
            slide = _xml(z, name)
            paragraphs = [
                "".join(t.text or "" for t in p.iter(f"{A}t")) for p in slide.iter(f"{A}p")
            ]
            pages.append(clean("\n".join(p for p in paragraphs if p)))
            if len(pages) > MAX_PAGES:
                raise FileProblem(
                    "too_many_pages", gettext_noop("This presentation has too many slides.")
                )
        thumbnail = _package_thumbnail(z)
    if not pages:
        raise FileProblem("broken", gettext_noop("This presentation has no slides."))
    return Extracted(pages=pages, page_count=len(pages), thumbnail=thumbnail)


def _package_thumbnail(z: zipfile.ZipFile) -> bytes | None:
    """Office saves a preview picture in the package when asked to; use it if
    it is a picture Pillow reads safely."""
    for name in ("docProps/thumbnail.jpeg", "docProps/thumbnail.jpg", "docProps/thumbnail.png"):
        if name in z.namelist():
            try:
                return _image(io.BytesIO(filetypes.read_member(z, name, 8 * 1024 * 1024))).thumbnail
            except FileProblem:
                return None
    return None


# -- Images ---------------------------------------------------------------------


def _image(source) -> Extracted:
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=["PNG", "JPEG"]) as img:
                if img.width * img.height > filetypes.MAX_IMAGE_PIXELS:
                    raise filetypes._pixel_bomb(img.width, img.height)
                # JPEG can decode straight at a fraction of its size.
                img.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
                img = ImageOps.exif_transpose(img)
                img.thumbnail(THUMBNAIL_SIZE)
                thumbnail = _webp(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise filetypes._pixel_bomb() from e
    except (FileProblem, MemoryError):
        raise
    except Exception as e:
        raise FileProblem(
            "broken", gettext_noop("This image is damaged and cannot be read.")
        ) from e
    return Extracted(pages=[], page_count=1, thumbnail=thumbnail)


def _webp(image) -> bytes:
    from PIL import Image

    image.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    out = io.BytesIO()
    image.save(out, "WEBP", quality=75, method=4)
    return out.getvalue()


# -- In a child process -------------------------------------------------------


def extract_isolated(
    path: str | Path, content_type: str, *, timeout: float = 300, memory_mb: int = 2048
) -> Extracted:
    """``extract`` in a child process: a hang becomes a timeout, a memory
    balloon a MemoryError, a crash in a C library an exit code."""
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-m", "shelf.lib.extract", str(path), content_type, str(memory_mb)],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise FileProblem(
            "timeout",
            gettext_noop("Reading this file took longer than %(seconds)s seconds."),
            seconds=int(timeout),
        ) from e
    if done.returncode != 0:
        raise FileProblem(
            "crashed",
            gettext_noop(
                "The reader stopped on this file (exit status %(status)s); it is probably damaged."
            ),
            status=done.returncode,
        )
    answer = json.loads(done.stdout)
    if "problem" in answer:
        problem = answer["problem"]
        raise FileProblem(problem["code"], problem["message"], **problem["params"])
    thumbnail = base64.b64decode(answer["thumbnail"]) if answer["thumbnail"] else None
    return Extracted(pages=answer["pages"], page_count=answer["page_count"], thumbnail=thumbnail)


def _limit_memory(memory_mb: int) -> None:
    # Set by the child on itself (not in preexec_fn, which is unsafe when
    # the parent runs threads), before any file byte is parsed.
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _main(path: str, content_type: str, memory_mb: int) -> None:
    _limit_memory(memory_mb)
    try:
        result = asdict(extract(Path(path), content_type))
        if result["thumbnail"]:
            result["thumbnail"] = base64.b64encode(result["thumbnail"]).decode()
    except FileProblem as e:
        params = {k: str(v) for k, v in e.params.items()}
        result = {"problem": {"code": e.code, "message": e.message, "params": params}}
    except MemoryError:
        result = {
            "problem": {
                "code": "too_big",
                "message": gettext_noop("Reading this file needed more memory than allowed."),
                "params": {},
            }
        }
    except Exception as e:  # any other failure of a parser on a hostile file
        result = {
            "problem": {
                "code": "broken",
                "message": gettext_noop("This file is damaged and cannot be read (%(error)s)."),
                "params": {"error": type(e).__name__},
            }
        }
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
