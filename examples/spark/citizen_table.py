"""A seeded generator of citizen messages for the Spark example (examples/spark).

Each row is a message to a government hotline: some carry personal data (an 18-digit resident
ID with a valid check digit, a mainland mobile number, a UnionPay bank card number with a valid
Luhn digit, a street address), the rest are plain questions with none. The planted values are
kept next to the text (``planted_types`` / ``planted_values``) so a test can check that every
one is found and masked. The same seed and row count always give the same table.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# County-level area codes (GB/T 2260) and the district they name.
AREAS = [
    ("110105", "北京市", "朝阳区"), ("110108", "北京市", "海淀区"), ("310104", "上海市", "徐汇区"),
    ("310115", "上海市", "浦东新区"), ("440106", "广东省广州市", "天河区"),
    ("440305", "广东省深圳市", "南山区"), ("510107", "四川省成都市", "武侯区"),
    ("330106", "浙江省杭州市", "西湖区"), ("420106", "湖北省武汉市", "武昌区"),
    ("320102", "江苏省南京市", "玄武区"), ("610113", "陕西省西安市", "雁塔区"),
    ("370102", "山东省济南市", "历下区"), ("430104", "湖南省长沙市", "岳麓区"),
    ("500103", "重庆市", "渝中区"),
]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "153", "155", "156", "157", "158", "159", "166", "173", "177", "180",
                   "181", "185", "186", "187", "188", "189", "191", "198", "199"]
# UnionPay debit/credit issuer prefixes of large banks (ICBC, ABC, CCB, BOC, CMB, BoCom).
CARD_BINS = ["622202", "621226", "622848", "621700", "621661", "622588", "622262", "625965"]
ROADS = ["建国路", "中山路", "人民路", "解放大道", "长江路", "科技园南路", "文化路", "天府大道",
         "学府路", "滨江路"]
COMMUNITIES = ["阳光花园", "幸福里小区", "翠湖苑", "金色家园", "锦绣华庭", "书香门第小区"]

# Questions with no personal data (these rows must come out "public").
PLAIN = [
    "请问社保卡补办需要带哪些材料？",
    "居住证办理需要多长时间？",
    "想咨询一下公积金提取的流程。",
    "新生儿上户口需要准备什么？",
    "请问不动产登记中心周六上班吗？",
    "营业执照变更经营范围在哪里办理？",
    "退休人员养老金资格认证怎么操作？",
    "小区门口的路灯坏了好几天了，希望尽快修一下。",
    "最近公交线路调整了，请问新的时刻表在哪里查？",
    "建议在社区增设垃圾分类指导点。",
    "请问办理护照的预约方式有哪些？",
    "灵活就业人员的医保缴费标准是多少？",
    "夜间施工噪音太大，影响休息，请相关部门处理。",
    "想了解一下今年的人才引进补贴政策。",
    "请问政务服务大厅的办公时间是几点到几点？",
    "老旧小区改造什么时候开始？",
]
SUBJECTS = ["社保卡补办", "居住证办理", "公积金提取", "户口迁移", "低保申请", "医保报销",
            "驾驶证换证", "不动产登记", "退休手续", "子女入学"]


def id_check_digit(first17: str) -> str:
    """The check character of a resident ID (GB 11643, ISO 7064 MOD 11-2)."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def luhn_digit(body: str) -> str:
    """The Luhn check digit to append to ``body``."""
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:  # doubled: the rightmost digit of the body is next to the check digit
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Row:
    id: int
    text: str
    planted_types: list[str]
    planted_values: list[str]


class Generator:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def resident_id(self) -> tuple[str, str, str]:
        r = self.r
        code, city, district = r.choice(AREAS)
        body = f"{code}{1955 + r.randrange(50)}{1 + r.randrange(12):02d}{1 + r.randrange(28):02d}{r.randrange(1000):03d}"
        return body + id_check_digit(body), city, district

    def mobile(self) -> str:
        return self.r.choice(MOBILE_PREFIXES) + f"{self.r.randrange(100_000_000):08d}"

    def bank_card(self) -> str:
        length = self.r.choice((16, 19))
        n = length - 7
        body = self.r.choice(CARD_BINS) + f"{self.r.randrange(10 ** n):0{n}d}"
        return body + luhn_digit(body)

    def address(self, city: str, district: str) -> str:
        r = self.r
        return (f"{city}{district}{r.choice(ROADS)}{1 + r.randrange(300)}号{r.choice(COMMUNITIES)}"
                f"{1 + r.randrange(30)}栋{1 + r.randrange(6)}单元{1 + r.randrange(30)}0{1 + r.randrange(4)}室")

    def personal(self) -> tuple[str, list[str], list[str]]:
        """A message with one to three planted values (resident ID, mobile, bank card) and
        sometimes an address."""
        r = self.r
        rid, city, district = self.resident_id()
        phone, card = self.mobile(), self.bank_card()
        subject = r.choice(SUBJECTS)
        kind = r.randrange(6)
        if kind == 0:
            text = f"您好，我想咨询{subject}的事。我的身份证号码是{rid}，联系电话{phone}，麻烦尽快回复。"
            return text, ["cn_resident_id", "cn_mobile"], [rid, phone]
        if kind == 1:
            text = f"本人申请{subject}，补贴请打到我的银行卡，卡号：{' '.join(card[i:i + 4] for i in range(0, len(card), 4))}，开户人身份证{rid}。"
            return text, ["bank_card", "cn_resident_id"], [card, rid]
        if kind == 2:
            text = f"我住在{self.address(city, district)}，{subject}一直没有进展，请回电{phone}。"
            return text, ["cn_mobile"], [phone]
        if kind == 3:
            text = f"{subject}材料已提交。姓名：王某，身份证号：{rid}，手机：{phone}，银行卡号：{card}。"
            return text, ["cn_resident_id", "cn_mobile", "bank_card"], [rid, phone, card]
        if kind == 4:
            text = f"反映问题：{subject}的补助没到账，收款卡号{card}，电话 {phone}，地址{self.address(city, district)}。"
            return text, ["bank_card", "cn_mobile"], [card, phone]
        text = f"帮我查一下{subject}的办理进度，证件号{rid}。"
        return text, ["cn_resident_id"], [rid]

    def row(self, i: int, personal_share: float) -> Row:
        if self.r.random() < personal_share:
            text, types, values = self.personal()
            return Row(i, text, types, values)
        return Row(i, self.r.choice(PLAIN), [], [])


def generate(rows: int, seed: int = 19, personal_share: float = 0.6) -> list[Row]:
    """``rows`` messages with ids 0..rows-1; about ``personal_share`` of them carry personal data."""
    g = Generator(seed)
    return [g.row(i, personal_share) for i in range(rows)]


def to_arrow(rows: list[Row]):  # -> pyarrow.Table
    import pyarrow as pa

    return pa.table({
        "id": pa.array([r.id for r in rows], pa.int64()),
        "text": pa.array([r.text for r in rows], pa.string()),
        "planted_types": pa.array([r.planted_types for r in rows], pa.list_(pa.string())),
        "planted_values": pa.array([r.planted_values for r in rows], pa.list_(pa.string())),
    })
