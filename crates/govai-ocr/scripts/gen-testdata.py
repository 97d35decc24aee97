#!/usr/bin/env python3
"""Render the OCR test set: synthetic Chinese application materials (fictitious people).

Writes <out>/<name>.png (8-bit grayscale) and <out>/<name>.txt (the ground truth: one text line
per line, in reading order) for 12 pages: ID-card-like fronts/backs, a household register page
(户口簿), an application form with 申请人签名/日期, and a notice; some rotated 180 degrees, some
with noise, blur or low contrast. Deterministic (fixed seed). Needs Pillow (pinned in
crates/govai-ocr/requirements.txt) and the Noto CJK fonts (Debian `fonts-noto-cjk`).

    .venv/bin/python crates/govai-ocr/scripts/gen-testdata.py crates/govai-ocr/testdata
"""
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk"]
SC = 2  # face index of Simplified Chinese in the Noto CJK .ttc collections


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    for d in FONT_DIRS:
        p = Path(d) / name
        if p.exists():
            return ImageFont.truetype(str(p), size, index=SC)
    sys.exit(f"font {name} not found in {FONT_DIRS}: install fonts-noto-cjk")


SANS = "NotoSansCJK-Regular.ttc"
SANS_BOLD = "NotoSansCJK-Bold.ttc"
SERIF = "NotoSerifCJK-Regular.ttc"


class Page:
    def __init__(self, w: int, h: int, bg: int = 255):
        self.img = Image.new("L", (w, h), bg)
        self.draw = ImageDraw.Draw(self.img)
        self.lines = []  # (y, x, text): truth in reading order after sorting

    def text(self, x, y, s, f, fill=0, truth=True):
        self.draw.text((x, y), s, font=f, fill=fill)
        if truth:
            self.lines.append((y, x, s))

    def rect(self, box, width=2, fill=None):
        self.draw.rectangle(box, outline=0, width=width, fill=fill)

    def truth(self):
        # Texts whose tops are within 10 px form one visual line, read left to right.
        rows = []
        for y, x, s in sorted(self.lines):
            if rows and y - rows[-1][0] < 10:
                rows[-1][1].append((x, s))
            else:
                rows.append((y, [(x, s)]))
        return [s for _, row in rows for _, s in sorted(row)]


def id_front(name, sex, nation, birth, addr_lines, number):
    p = Page(856, 540, 250)
    p.rect((8, 8, 847, 531), width=3)
    lab, val, num = font(SANS, 26), font(SANS_BOLD, 30), font(SANS_BOLD, 34)
    y = 50
    p.text(50, y, "姓名", lab, fill=70)
    p.text(150, y - 2, name, val)
    y += 75
    p.text(50, y, "性别", lab, fill=70)
    p.text(150, y - 2, sex, val)
    p.text(300, y, "民族", lab, fill=70)
    p.text(400, y - 2, nation, val)
    y += 75
    p.text(50, y, "出生", lab, fill=70)
    p.text(150, y - 2, birth, val)
    y += 75
    p.text(50, y, "住址", lab, fill=70)
    for i, line in enumerate(addr_lines):
        p.text(150, y - 2 + i * 42, line, val)
    p.rect((600, 60, 800, 310), width=2, fill=225)  # photo area
    p.text(50, 455, "公民身份号码", lab, fill=70)
    p.text(260, 450, number, num)
    return p


def id_back(authority, validity):
    p = Page(856, 540, 250)
    p.rect((8, 8, 847, 531), width=3)
    p.text(250, 90, "中华人民共和国", font(SANS_BOLD, 44))
    p.text(310, 170, "居民身份证", font(SANS_BOLD, 48))
    lab, val = font(SANS, 26), font(SANS, 28)
    p.text(140, 360, "签发机关", lab, fill=70)
    p.text(300, 358, authority, val)
    p.text(140, 430, "有效期限", lab, fill=70)
    p.text(300, 428, validity, val)
    return p


def hukou():
    p = Page(900, 1000)
    p.text(330, 40, "常住人口登记卡", font(SANS_BOLD, 40))
    f = font(SANS, 26)
    rows = [
        ("户主或与户主关系", "户主"),
        ("姓名", "李建国"),
        ("曾用名", "李小军"),
        ("性别", "男"),
        ("出生地", "河北省石家庄市"),
        ("民族", "汉族"),
        ("籍贯", "河北省保定市"),
        ("出生日期", "1978年3月15日"),
        ("本市其他住址", "北京市海淀区学院路38号"),
        ("公民身份号码", "110108197803152314"),
        ("文化程度", "大学本科"),
        ("婚姻状况", "已婚"),
        ("服务处所", "北京市海淀区教育委员会"),
        ("何时由何地迁来本址", "2005年6月从河北省保定市迁来"),
    ]
    y = 120
    for label, value in rows:
        p.rect((40, y, 860, y + 58), width=2)
        p.draw.line((330, y, 330, y + 58), fill=0, width=2)
        p.text(55, y + 12, label, f)
        p.text(350, y + 12, value, f)
        y += 58
    p.text(60, y + 40, "承办人签章", f)
    p.text(500, y + 40, "登记日期 2005年6月20日", f)
    return p


def form():
    p = Page(900, 1100)
    p.text(230, 40, "居住证申领登记表", font(SANS_BOLD, 44))
    f = font(SANS, 26)
    rows = [
        ("申请人姓名", "王芳"),
        ("性别", "女"),
        ("出生日期", "1992年11月8日"),
        ("公民身份号码", "320102199211084528"),
        ("户籍地址", "江苏省南京市玄武区中山路18号"),
        ("居住地址", "上海市浦东新区张江路100弄5号"),
        ("联系电话", "13812345678"),
        ("申请事项", "首次申领居住证"),
        ("工作单位", "上海市浦东新区社区服务中心"),
    ]
    y = 140
    for label, value in rows:
        p.rect((40, y, 860, y + 64), width=2)
        p.draw.line((260, y, 260, y + 64), fill=0, width=2)
        p.text(55, y + 16, label, f)
        p.text(280, y + 16, value, f)
        y += 64
    fs = font(SANS, 24)
    p.text(60, y + 40, "本人承诺以上所填信息真实有效", fs)
    p.text(60, y + 80, "如有虚假愿承担相应法律责任", fs)
    p.text(60, y + 170, "申请人签名", f)
    p.text(260, y + 165, "王芳", font(SERIF, 34))
    p.text(520, y + 170, "日期", f)
    p.text(600, y + 170, "2025年3月12日", f)
    return p


def notice():
    p = Page(900, 1000)
    p.text(240, 50, "关于办理居住证的通知", font(SERIF, 40))
    f = font(SERIF, 26)
    paras = [
        "各位居民",
        "为方便群众办事现将居住证办理有关事项通知如下",
        "一申请人应当在居住地连续居住满半年",
        "二申请时须提交居民身份证和居住证明材料",
        "三办理地点为各街道社区事务受理服务中心",
        "四受理时间为每周一至周五上午九时至下午五时",
        "五材料齐全的自受理之日起十五个工作日内发证",
        "特此通知",
    ]
    y = 150
    for i, s in enumerate(paras):
        x = 60 if i in (0,) else 100
        p.text(x, y, s, f)
        y += 62
    p.text(560, y + 40, "市公安局人口管理处", f)
    p.text(600, y + 100, "2025年1月6日", f)
    return p


def noise(img, sigma, seed):
    rnd = random.Random(seed)
    px = img.load()
    w, h = img.size
    for y in range(h):
        for x in range(w):
            v = px[x, y] + int(rnd.gauss(0, sigma))
            px[x, y] = 0 if v < 0 else 255 if v > 255 else v
    return img


def low_contrast(img, lo, hi):
    return img.point(lambda v: lo + (hi - lo) * v // 255)


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    pages = {
        "id_front": id_front("张伟", "男", "汉", "1985年7月21日", ["北京市朝阳区建国路", "88号院3号楼2单元501室"],
                             "110105198507213716"),
        "id_front_noise": id_front("陈秀英", "女", "回", "1990年2月3日", ["宁夏回族自治区银川市", "兴庆区解放东街16号"],
                                   "640104199002031226"),
        "id_front_rot180": id_front("刘洋", "男", "满", "2001年12月30日", ["辽宁省沈阳市和平区", "南京北街211号"],
                                    "210102200112304019"),
        "id_back": id_back("北京市公安局朝阳分局", "2015.08.01-2035.08.01"),
        "id_back_lowcontrast": id_back("银川市公安局兴庆分局", "2019.04.10-2039.04.10"),
        "hukou": hukou(),
        "hukou_rot180": hukou(),
        "form": form(),
        "form_blur": form(),
        "form_lowcontrast": form(),
        "notice": notice(),
        "notice_rot180_noise": notice(),
    }
    for name, page in pages.items():
        img = page.img
        if "noise" in name:
            img = noise(img, 18, len(name))
        if "blur" in name:
            img = img.filter(ImageFilter.GaussianBlur(1.2))
        if "lowcontrast" in name:
            img = low_contrast(img, 110, 200)
        if "rot180" in name:
            img = img.rotate(180)
        img.save(out / f"{name}.png", optimize=True)
        (out / f"{name}.txt").write_text("\n".join(page.truth()) + "\n", encoding="utf-8")
    print(f"wrote {len(pages)} pages to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "crates/govai-ocr/testdata"))
