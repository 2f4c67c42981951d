#!/usr/bin/env python3
"""Writes the knowledge-base extraction fixtures into OUTDIR (python3's standard library only):
a real PDF, docx, xlsx and pptx with known text, and the hostile ones: a docx zip bomb (512 MiB of XML), a PDF
whose page content never ends (a flate stream unpacking to hundreds of MB of text operators),
and a PDF that is not one."""
import sys
import zipfile
import zlib
from pathlib import Path

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)


def pdf(pages, name, compress=False):
    """A PDF whose pages each show one line of text (Helvetica), with a correct xref."""
    objects = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, content in enumerate(pages):
        if isinstance(content, str):
            text = content.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("cp1252")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode())
        if compress:
            data = zlib.compress(content, 9)
            objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
        else:
            objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        body += b"%010d 00000 n \n" % offset
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    (out / name).write_bytes(bytes(body))


def office(name, parts, bomb_part=None, bomb_bytes=0):
    with zipfile.ZipFile(out / name, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        for part, xml in parts.items():
            archive.writestr(part, xml)
        if bomb_part:
            with archive.open(bomb_part, "w", force_zip64=True) as stream:
                stream.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
                chunk = b"<w:p/>" * (1 << 18)
                for _ in range(bomb_bytes // len(chunk)):
                    stream.write(chunk)
                stream.write(b"</w:body></w:document>")


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

pdf(["Quarterly plan: launch in March.", "Second page: budget approved."], "plan.pdf")
office("minutes.docx", {
    "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'
    '<w:p><w:r><w:t>Meeting minutes</w:t></w:r></w:p>'
    '<w:p><w:r><w:t xml:space="preserve">Decisão: lançar </w:t></w:r><w:r><w:t>em março.</w:t></w:r></w:p>'
    '</w:body></w:document>',
})
office("budget.xlsx", {
    "xl/workbook.xml": f'<?xml version="1.0"?><workbook {S}><sheets><sheet name="S" sheetId="1"/></sheets></workbook>',
    "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst {S} count="2" uniqueCount="2"><si><t>Item</t></si><si><t>Marketing budget</t></si></sst>',
    "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet {S}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
    '<c r="B1" t="inlineStr"><is><t>Inline note</t></is></c></row></sheetData></worksheet>',
})
office("deck.pptx", {
    "ppt/presentation.xml": f'<?xml version="1.0"?><p:presentation {A}/>',
    "ppt/slides/slide2.xml": f'<?xml version="1.0"?><p:sld {A}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Second slide</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>',
    "ppt/slides/slide10.xml": f'<?xml version="1.0"?><p:sld {A}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Tenth slide</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>',
    "ppt/slides/slide1.xml": f'<?xml version="1.0"?><p:sld {A}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>First slide</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>',
})
# 512 MiB of (empty-paragraph) XML in a docx of about half a megabyte.
office("bomb.docx", {}, bomb_part="word/document.xml", bomb_bytes=512 << 20)
# One page whose content stream unpacks to 256 MB of text-showing operators.
operator = b"BT /F1 1 Tf 10 10 Td (never ending text) Tj ET\n"
endless = operator * ((256 << 20) // len(operator))
pdf([endless], "endless.pdf", compress=True)
(out / "fake.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf at all\n")
