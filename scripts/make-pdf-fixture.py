#!/usr/bin/env python3
"""Write the PDF fixture of the govai-ingest tests: a FICTIONAL policy document of the demo city
示例市 in Chinese (reportlab's built-in CJK font STSong-Light, no font file needed), laid out as
an official document: red header, document number, title, chapters and articles (第X条) with
lines wrapped by the layout, a repeated page header and footer with page numbers, the issuing
body and date as signature, and a last page that is only an image (a "scanned" page without a
text layer).

Usage: make-pdf-fixture.py OUT.pdf [REPEAT]   (needs the pinned reportlab of requirements-dev.txt)
REPEAT (default 1) repeats the two pages of articles, for timing larger documents.
"""

import io
from pathlib import Path
import sys

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
SIZE = 12
LINE = 20
LEFT = 72
# Characters per wrapped line: the layout breaks lines mid-sentence, as real PDFs do.
WRAP = 34

PAGES = [
    [
        ("示例市人力资源和社会保障局文件", 18),
        ("示人社发〔2024〕12号", SIZE),
        ("关于印发《示例市灵活就业人员社会保险补贴办法》的通知", 14),
        ("第一章 总则", SIZE),
        ("第一条 为了支持灵活就业人员参加社会保险，减轻其缴费负担，根据国家和省有关规定，结合本市实际，制定本办法。", SIZE),
        ("第二条 本办法所称灵活就业人员，是指在本市办理就业登记、以个体身份参加企业职工基本养老保险的就业困难人员和离校两年内未就业的高校毕业生。", SIZE),
        ("第二章 补贴标准与申请", SIZE),
        ("第三条 灵活就业社会保险补贴标准为每人每月300元，补贴期限最长不超过三年，距法定退休年龄不足五年的可延长至退休。", SIZE),
    ],
    [
        ("第四条 申请人应当在每年6月30日前，通过示例市政务App或户籍所在地街道社区就业服务窗口提交下列材料：", SIZE),
        ("（一）居民身份证；", SIZE),
        ("（二）灵活就业登记证明；", SIZE),
        ("（三）社会保险缴费凭证。", SIZE),
        ("第五条 区人力资源和社会保障部门自受理之日起15个工作日内完成审核，审核通过的，补贴按季度拨付至申请人本人社会保障卡银行账户。", SIZE),
        ("第三章 附则", SIZE),
        ("第六条 本办法自2024年4月1日起施行，有效期五年。", SIZE),
    ],
    [
        ("示例市人力资源和社会保障局", SIZE),
        ("2024年3月1日", SIZE),
    ],
]

HEADER = "示例市人力资源和社会保障局规范性文件"
FOOTER = "示例市人力资源和社会保障局印发"


def wrap(text, width):
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def main(out, repeat=1):
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    width, height = A4
    pages = [PAGES[0]] + PAGES[1:2] + [PAGES[0][3:], PAGES[1]] * (repeat - 1) + PAGES[2:]
    total = len(pages) + 1
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    c.setTitle("示例市灵活就业人员社会保险补贴办法")
    for number, lines in enumerate(pages, start=1):
        c.setFont(FONT, 9)
        c.drawCentredString(width / 2, height - 40, HEADER)
        y = height - 90
        for text, size in lines:
            c.setFont(FONT, size)
            for piece in wrap(text, WRAP if size == SIZE else 40):
                if size == SIZE:
                    c.drawString(LEFT, y, piece)
                else:
                    c.drawCentredString(width / 2, y, piece)
                y -= LINE if size == SIZE else LINE + 10
        c.setFont(FONT, 9)
        c.drawCentredString(width / 2, 50, FOOTER)
        c.drawCentredString(width / 2, 36, f"- {number} -")
        c.showPage()
    # A scanned page: an image, no text layer.
    from PIL import Image, ImageDraw

    # The OCR test set's rendered notice when present (so OCR has Chinese text to read), else bars.
    notice = Path(__file__).resolve().parent.parent / "crates/govai-ocr/testdata/notice.png"
    if notice.is_file():
        image = Image.open(notice).convert("RGB")
    else:
        image = Image.new("RGB", (400, 560), "white")
        draw = ImageDraw.Draw(image)
        for row in range(40, 520, 24):
            draw.rectangle([40, row, 360, row + 10], fill="black")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    buf.seek(0)
    c.drawImage(ImageReader(buf), 60, 120, width=width - 120, height=height - 240)
    c.showPage()
    c.save()
    print(f"{out}: {total} pages")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 1)
