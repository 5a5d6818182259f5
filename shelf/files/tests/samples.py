"""Small files made in code for the tests and the benchmark: real PDFs,
DOCX and PPTX packages, images, and hostile variants of each."""

from __future__ import annotations

import io
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    # The client's content type is deliberately whatever the test says: Shelf ignores it.
    return SimpleUploadedFile(name, data, content_type=content_type)


# -- PDF ------------------------------------------------------------------------


def _escape(text: str) -> bytes:
    return (
        text.replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
        .encode("latin-1", "replace")
    )


def pdf(
    pages: list[str], *, catalog: bytes = b"", page: bytes = b"", objects: list[bytes] = ()
) -> bytes:
    """A valid PDF with one text page per item of ``pages`` (Helvetica, lines
    split on newlines). ``catalog`` and ``page`` are spliced into the catalog
    and each page dictionary; ``objects`` are appended as extra objects
    numbered after the pages."""
    count = len(pages)
    first_extra = 4 + 2 * count
    bodies: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
        + b"] /Count %d >>" % count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, text in enumerate(pages):
        lines = b" ".join(b"(" + _escape(line) + b") Tj T*" for line in text.split("\n"))
        content = zlib.compress(b"BT /F1 10 Tf 12 TL 50 800 Td " + lines + b" ET")
        bodies.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R "
            % (5 + 2 * i)
            + page
            + b" >>"
        )
        bodies.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
            + content
            + b"\nendstream"
        )
    bodies.extend(objects)
    assert first_extra == 4 + 2 * count
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    )
    return out.getvalue()


def pdf_page_number(pages: int) -> int:
    """The object number the first extra object gets in ``pdf`` with ``pages`` pages."""
    return 4 + 2 * pages


def object_stream(objects: list[bytes]) -> bytes:
    """A compressed object stream holding ``objects`` (numbered from 100)."""
    header, body, offset = [], b"", 0
    for i, obj in enumerate(objects):
        header.append(b"%d %d" % (100 + i, offset))
        body += obj + b"\n"
        offset = len(body)
    head = b" ".join(header) + b"\n"
    data = zlib.compress(head + body)
    return (
        b"<< /Type /ObjStm /N %d /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
        % (len(objects), len(head), len(data))
        + data
        + b"\nendstream"
    )


def encrypted_pdf(pages: list[str], password: str = "secret") -> bytes:  # noqa: S107
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(pages))))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def words(count: int, seed: int = 0) -> str:
    """Prose-like filler, wrapped to lines of about 90 characters."""
    vocabulary = [
        "child",
        "protection",
        "safeguarding",
        "online",
        "safety",
        "report",
        "guide",
        "school",
        "teacher",
        "parent",
        "community",
        "health",
        "worker",
        "reporting",
        "abuse",
        "prevention",
        "training",
        "policy",
        "family",
        "support",
        "exploitation",
        "trafficking",
        "education",
        "research",
        "survey",
        "evidence",
        "practice",
        "response",
    ]
    text, line = [], []
    for i in range(count):
        line.append(vocabulary[(i * 7 + seed) % len(vocabulary)])
        if sum(len(w) + 1 for w in line) > 90:
            text.append(" ".join(line))
            line = []
    text.append(" ".join(line))
    return "\n".join(text)


# -- Office ---------------------------------------------------------------------

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def docx(pages: list[list[str]], *, extra: dict[str, bytes] | None = None) -> bytes:
    """A Word document: each page a list of paragraphs, pages separated by
    page breaks."""
    paragraphs = []
    for n, paras in enumerate(pages):
        for m, para in enumerate(paras):
            brk = '<w:r><w:br w:type="page"/></w:r>' if n and m == 0 else ""
            paragraphs.append(f"<w:p>{brk}<w:r><w:t>{_xml_text(para)}</w:t></w:r></w:p>")
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'
        + "".join(paragraphs)
        + "</w:body></w:document>"
    ).encode()
    return _zip(
        {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": document, **(extra or {})}
    )


def pptx(slides: list[list[str]]) -> bytes:
    """A presentation, one slide per item, each a list of paragraphs. The
    slides are listed in reverse file order to check slide order is kept."""
    ns = (
        'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    )
    parts = {"[Content_Types].xml": CONTENT_TYPES}
    ids, rels = [], []
    for i, paras in enumerate(slides):
        number = len(slides) - i
        texts = "".join(f"<a:p><a:r><a:t>{_xml_text(p)}</a:t></a:r></a:p>" for p in paras)
        parts[f"ppt/slides/slide{number}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><p:sld {ns}><p:cSld><p:spTree><p:sp>'
            f"<p:txBody>{texts}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        ).encode()
        ids.append(f'<p:sldId id="{256 + i}" r:id="rId{i + 2}"/>')
        rels.append(
            f'<Relationship Id="rId{i + 2}" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/slide" Target="slides/slide{number}.xml"/>'
        )
    parts["ppt/presentation.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><p:presentation {ns}>'
        f"<p:sldIdLst>{''.join(ids)}</p:sldIdLst></p:presentation>"
    ).encode()
    parts["ppt/_rels/presentation.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rels)
        + "</Relationships>"
    ).encode()
    return _zip(parts)


def zip_bomb_docx(megabytes: int = 20) -> bytes:
    """A DOCX whose document part unpacks to ``megabytes`` of zeros (about
    a thousand times its packed size)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                f.write(chunk)
    return out.getvalue()


# -- Images ---------------------------------------------------------------------


def image(kind: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, kind)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG claiming ``width`` × ``height`` pixels with almost no data:
    enough for Pillow to read the size, which is what a pixel bomb is about."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        )

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    idat = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
