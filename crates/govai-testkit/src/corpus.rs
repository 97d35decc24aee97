//! A deterministic labelled corpus of Chinese and English government-style texts, for measuring
//! the classifier's precision and recall and for benchmarks.
//!
//! [`generate`] is seeded (a small xorshift PRNG, no `rand`): the same seed and count always give
//! the same texts. Positives carry real checksums (IDs, USCC, organisation codes, bank cards,
//! HKID) and real formats (mobile segments, area codes, passports, permits, plates, emails, IPs,
//! addresses, names, secrecy markings, PIPL terms next to a person), written in the ways real text
//! writes them: with and without context words, separators, `+86`, parentheses, extensions,
//! full-width characters, U+3000. Near-miss negatives are unlabelled: wrong check characters,
//! impossible birth dates, 20-digit runs, order numbers, amounts, dates, times, version strings,
//! numbers glued inside longer digit runs, invalid mobile segments, policy prose that names the
//! PIPL categories and prose that says 秘密.
//!
//! Labels are `(type, start, end)` in Unicode scalar (char) offsets, end exclusive, with the
//! classifier's entity type names. Conventions: a phone's `+86 ` prefix, a landline's area code in
//! parentheses and its extension, an HKID's `(check)` and a plate's `·` are part of the span; a
//! person is the name only (`王` in `王先生`); an address runs from the province (or city, or
//! road) to its last component.

use govai_classify::validate;

/// One generated text and its gold entities `(type, start_char, end_char)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledText {
    /// The text.
    pub text: String,
    /// Gold entities: `(type, start_char, end_char)`, end exclusive.
    pub entities: Vec<(String, usize, usize)>,
}

/// xorshift64* seeded through splitmix64.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`; 0 gives 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { ((self.next_u64() >> 11) % n as u64) as usize }
    }

    pub(crate) fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + self.below(hi_inclusive.saturating_sub(lo) + 1)
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A uniformly chosen element (`items` must not be empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// Text under construction with char-offset labels.
struct Doc {
    text: String,
    chars: usize,
    entities: Vec<(String, usize, usize)>,
}

impl Doc {
    fn new() -> Self {
        Self { text: String::new(), chars: 0, entities: Vec::new() }
    }
    fn plain(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count();
    }
    fn entity(&mut self, ty: &str, s: &str) {
        let start = self.chars;
        self.plain(s);
        self.entities.push((ty.to_owned(), start, self.chars));
    }
}

// ---------------------------------------------------------------------------------------------
// Value generators (all valid unless the name says otherwise).

const PROVINCE_CODES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

fn birth_date(rng: &mut Rng, y0: usize, y1: usize) -> (usize, usize, usize) {
    let y = rng.range(y0, y1);
    let m = rng.range(1, 12);
    let d = rng.range(1, validate::days_in_month(y as i32, m as u32) as usize);
    (y, m, d)
}

fn id_body(rng: &mut Rng) -> String {
    let (y, m, d) = birth_date(rng, 1940, 2012);
    format!(
        "{}{:02}{:02}{y:04}{m:02}{d:02}{}",
        rng.pick(PROVINCE_CODES),
        rng.range(1, 30),
        rng.range(1, 30),
        rng.digits(3)
    )
}

fn with_check(body: String) -> String {
    let c = validate::id_check_char(body.as_bytes()).map(char::from).unwrap_or('0');
    format!("{body}{c}")
}

fn resident_id(rng: &mut Rng) -> String {
    with_check(id_body(rng))
}

fn resident_id_wrong_check(rng: &mut Rng) -> String {
    let body = id_body(rng);
    let good = validate::id_check_char(body.as_bytes()).unwrap_or(b'0');
    let bad = rng.pick(&b"0123456789X".iter().copied().filter(|&c| c != good).collect::<Vec<u8>>());
    format!("{body}{}", char::from(bad))
}

fn resident_id_bad_date(rng: &mut Rng) -> String {
    let (y, m, d) =
        rng.pick(&[(1990, 2, 30), (1985, 4, 31), (2001, 2, 29), (1979, 13, 1), (1988, 0, 12), (1995, 6, 0)]);
    let body = format!("{}0102{y:04}{m:02}{d:02}{}", rng.pick(PROVINCE_CODES), rng.digits(3));
    with_check(body)
}

fn legacy_id(rng: &mut Rng) -> String {
    let (y, m, d) = birth_date(rng, 1930, 1984);
    format!(
        "{}{:02}{:02}{:02}{m:02}{d:02}{}",
        rng.pick(PROVINCE_CODES),
        rng.range(1, 30),
        rng.range(1, 30),
        y % 100,
        rng.digits(3)
    )
}

const USCC_BODY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn org_body(rng: &mut Rng, letters: bool) -> String {
    (0..8)
        .map(|_| {
            if letters && rng.chance(0.25) {
                char::from(USCC_BODY[rng.range(10, USCC_BODY.len() - 1)])
            } else {
                char::from(b'0' + rng.below(10) as u8)
            }
        })
        .collect()
}

fn org_code(rng: &mut Rng) -> String {
    let body = org_body(rng, true);
    let c = validate::org_check_char(body.as_bytes()).map(char::from).unwrap_or('0');
    format!("{body}{c}")
}

fn uscc(rng: &mut Rng) -> String {
    let (a, b) = rng.pick(&[
        ("9", "1"),
        ("9", "1"),
        ("9", "2"),
        ("9", "3"),
        ("1", "1"),
        ("1", "2"),
        ("5", "1"),
        ("5", "2"),
        ("Y", "1"),
    ]);
    let first17 = format!("{a}{b}{}{}{}", rng.pick(PROVINCE_CODES), rng.digits(4), org_code(rng));
    let c = validate::uscc_check_char(first17.as_bytes()).map(char::from).unwrap_or('0');
    format!("{first17}{c}")
}

fn luhn_complete(prefix_and_body: &str) -> String {
    (0..10u8)
        .map(|d| format!("{prefix_and_body}{}", char::from(b'0' + d)))
        .find(|s| validate::luhn(s.as_bytes()))
        .unwrap_or_else(|| format!("{prefix_and_body}0"))
}

fn bank_card_digits(rng: &mut Rng) -> String {
    let (prefix, len) = rng.pick(&[
        ("622848", 19),
        ("622202", 19),
        ("621700", 19),
        ("622588", 16),
        ("621226", 19),
        ("625965", 16),
        ("436742", 16),
        ("427020", 16),
        ("524047", 16),
        ("622609", 16),
    ]);
    luhn_complete(&format!("{prefix}{}", rng.digits(len - prefix.len() - 1)))
}

fn bank_card_bad(rng: &mut Rng) -> String {
    let good = bank_card_digits(rng);
    let (body, last) = good.split_at(good.len() - 1);
    let l = last.bytes().next().unwrap_or(b'0');
    format!("{body}{}", char::from(b'0' + (l - b'0' + 1 + rng.below(8) as u8) % 10))
}

fn group4(s: &str, sep: char) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "162", "165", "166", "167", "170", "171", "172", "173", "175", "176", "177",
    "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "195",
    "196", "197", "198", "199",
];

fn mobile_digits(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(MOBILE_PREFIXES), rng.digits(8))
}

fn mobile(rng: &mut Rng) -> String {
    let d = mobile_digits(rng);
    let (a, b, c) = (&d[..3], &d[3..7], &d[7..]);
    match rng.below(20) {
        0..=10 => d.clone(),
        11 | 12 => format!("{a}-{b}-{c}"),
        13 | 14 => format!("{a} {b} {c}"),
        15 | 16 => format!("+86 {d}"),
        17 => format!("+86-{a}-{b}-{c}"),
        18 => format!("0086 {d}"),
        _ => format!("+86 {a} {b} {c}"),
    }
}

/// Area codes with 8-digit local numbers and with 7-digit ones (libphonenumber).
const AREA8: &[&str] = &[
    "10", "20", "21", "22", "23", "24", "25", "27", "28", "29", "311", "371", "379", "411", "431", "451", "510", "512",
    "531", "532", "551", "571", "574", "577", "591", "595", "731", "755", "757", "769", "791", "851", "871", "898",
];
const AREA7: &[&str] = &[
    "310", "335", "350", "372", "391", "412", "427", "452", "470", "530", "543", "561", "580", "631", "660", "701",
    "712", "730", "750", "762", "817", "856", "883", "901", "931", "951",
];

fn landline(rng: &mut Rng) -> String {
    let (area, n) = if rng.chance(0.7) { (rng.pick(AREA8), 8) } else { (rng.pick(AREA7), 7) };
    let local = format!("{}{}", rng.range(2, 8), rng.digits(n - 1));
    let base = match rng.below(10) {
        0..=5 => format!("0{area}-{local}"),
        6 | 7 => format!("(0{area}){local}"),
        8 => format!("0{area} {local}"),
        _ => format!("+86-{area}-{local}"),
    };
    match rng.below(10) {
        0 => format!("{base}转{}", rng.range(100, 8999)),
        1 if base.starts_with('0') && base.contains('-') => format!("{base}-{}", rng.range(10, 999)),
        _ => base,
    }
}

const SERIAL_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

fn passport(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("G{}", rng.digits(8)),
        1 | 2 => format!("E{}", rng.digits(8)),
        _ => format!("E{}{}", char::from(rng.pick(SERIAL_LETTERS)), rng.digits(7)),
    }
}

fn permit(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("C{}", rng.digits(8)),
        1 => format!("C{}{}", char::from(rng.pick(SERIAL_LETTERS)), rng.digits(7)),
        2 => format!("H{}", rng.digits(8)),
        3 => format!("M{}{:02}", rng.digits(8), rng.below(5)),
        _ => format!("H{}{:02}", rng.digits(8), rng.below(5)),
    }
}

fn hkid(rng: &mut Rng, parens: bool) -> String {
    let letters: String = if rng.chance(0.8) {
        char::from(b'A' + rng.below(26) as u8).to_string()
    } else {
        (0..2).map(|_| char::from(b'A' + rng.below(26) as u8)).collect()
    };
    let digits = rng.digits(6);
    let body = format!("{letters}{digits}");
    let check = (0..11u8)
        .map(|v| if v == 10 { b'A' } else { b'0' + v })
        .find(|&c| {
            let mut id = body.clone().into_bytes();
            id.push(c);
            validate::check_hkid(&id) == Some(true)
        })
        .unwrap_or(b'0');
    if parens { format!("{body}({})", char::from(check)) } else { format!("{body}{}", char::from(check)) }
}

const PLATE_PROVINCES: &[&str] = &[
    "京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖", "鲁", "新", "苏", "浙", "赣", "鄂", "桂", "甘",
    "晋", "蒙", "陕", "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼",
];
const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

fn plate(rng: &mut Rng) -> String {
    let p = rng.pick(PLATE_PROVINCES);
    let l = char::from(rng.pick(PLATE_LETTERS));
    let serial: String = match rng.below(6) {
        0 => format!("{}{}{}", char::from(rng.pick(b"DF")), char::from(rng.pick(PLATE_LETTERS)), rng.digits(4)),
        1 => format!("{}{}", rng.digits(5), char::from(rng.pick(b"DF"))),
        2 => {
            let mut s: Vec<char> = rng.digits(5).chars().collect();
            let k = rng.below(5);
            s[k] = char::from(rng.pick(PLATE_LETTERS));
            s.into_iter().collect()
        }
        _ => rng.digits(5),
    };
    let sep = if rng.chance(0.2) { "·" } else { "" };
    format!("{p}{l}{sep}{serial}")
}

const PINYIN: &[&str] = &[
    "zhang", "wang", "li", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu", "xu", "sun", "hu", "zhu", "gao",
    "lin", "he", "guo", "ma", "luo", "wei", "fang", "jun", "min", "hua", "qiang", "lei", "yan", "jie", "tao",
];

fn email(rng: &mut Rng) -> String {
    let local = match rng.below(4) {
        0 => format!("{}{}", rng.pick(PINYIN), rng.pick(PINYIN)),
        1 => format!("{}.{}", rng.pick(PINYIN), rng.pick(PINYIN)),
        2 => format!("{}{}", rng.pick(PINYIN), rng.range(1, 9999)),
        _ => {
            let n = rng.range(6, 10);
            format!("{}{}", rng.range(1, 9), rng.digits(n))
        }
    };
    let domain = rng.pick(&[
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "foxmail.com",
        "gov.cn",
        "sz.gov.cn",
        "mail.hz.gov.cn",
        "example.com",
        "pku.edu.cn",
        "outlook.com",
    ]);
    format!("{local}@{domain}")
}

fn ipv4(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("10.{}.{}.{}", rng.below(256), rng.below(256), rng.range(1, 254)),
        1 => format!("192.168.{}.{}", rng.below(256), rng.range(1, 254)),
        2 => format!("172.{}.{}.{}", rng.range(16, 31), rng.below(256), rng.range(1, 254)),
        _ => format!("{}.{}.{}.{}", rng.range(1, 223), rng.below(256), rng.below(256), rng.range(1, 254)),
    }
}

fn ipv6(rng: &mut Rng) -> String {
    let kind = rng.below(3);
    let mut g = || format!("{:x}", rng.below(0x10000));
    match kind {
        0 => format!("2001:db8::{}:{}", g(), g()),
        1 => format!("fe80::{}:{}:{}:{}", g(), g(), g(), g()),
        _ => (0..8).map(|_| g()).collect::<Vec<_>>().join(":"),
    }
}

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红斌宇浩凯鹏飞欣怡婷雪琳晨博文俊辉建国志海丹波宁慧颖佳嘉琪子轩梓涵诺思雨泽昊天然晓春梅兰林云峰鑫倩玲莉雯雅婧";

fn surname(rng: &mut Rng) -> String {
    let s: Vec<char> = SURNAMES.chars().collect();
    rng.pick(&s).to_string()
}

fn person(rng: &mut Rng) -> String {
    let g: Vec<char> = GIVEN.chars().collect();
    let n = if rng.chance(0.65) { 1 } else { 2 };
    let mut s = surname(rng);
    for _ in 0..n {
        s.push(rng.pick(&g));
    }
    s
}

const PLACES: &[(&str, &str, &[&str])] = &[
    ("北京市", "", &["朝阳区", "海淀区", "东城区", "西城区", "丰台区"]),
    ("上海市", "", &["浦东新区", "徐汇区", "黄浦区", "静安区"]),
    ("天津市", "", &["和平区", "南开区", "河西区"]),
    ("重庆市", "", &["渝中区", "江北区", "南岸区"]),
    ("广东省", "深圳市", &["南山区", "福田区", "罗湖区"]),
    ("广东省", "广州市", &["天河区", "越秀区", "海珠区"]),
    ("浙江省", "杭州市", &["西湖区", "拱墅区", "滨江区"]),
    ("江苏省", "南京市", &["玄武区", "鼓楼区", "建邺区"]),
    ("四川省", "成都市", &["武侯区", "锦江区", "青羊区"]),
    ("湖北省", "武汉市", &["江岸区", "武昌区", "洪山区"]),
    ("陕西省", "西安市", &["雁塔区", "碑林区", "未央区"]),
    ("山东省", "济南市", &["历下区", "市中区"]),
    ("河南省", "郑州市", &["金水区", "二七区"]),
    ("湖南省", "长沙市", &["岳麓区", "芙蓉区"]),
    ("福建省", "厦门市", &["思明区", "湖里区"]),
    ("辽宁省", "沈阳市", &["和平区", "沈河区"]),
    ("内蒙古自治区", "呼和浩特市", &["新城区", "赛罕区"]),
    ("广西壮族自治区", "南宁市", &["青秀区", "兴宁区"]),
    ("新疆维吾尔自治区", "乌鲁木齐市", &["天山区", "沙依巴克区"]),
    ("云南省", "昆明市", &["五华区", "盘龙区"]),
];
const ROADS: &[&str] = &[
    "建国路",
    "人民路",
    "中山路",
    "解放大道",
    "长江路",
    "学府街",
    "文化路",
    "和平街",
    "新华路",
    "友谊大街",
    "滨江大道",
    "科技路",
    "光明巷",
    "胜利街",
    "东风路",
    "幸福路",
    "青年路",
    "向阳路",
    "迎宾大道",
    "朝阳北路",
];

fn address(rng: &mut Rng) -> String {
    let (prov, city, districts) = rng.pick(PLACES);
    let mut s = String::new();
    let full = rng.chance(0.7);
    if full || city.is_empty() {
        s.push_str(prov);
    }
    s.push_str(city);
    s.push_str(rng.pick(districts));
    s.push_str(rng.pick(ROADS));
    s.push_str(&format!("{}号", rng.range(1, 300)));
    match rng.below(4) {
        0 => s.push_str(&format!("{}栋{}单元{}室", rng.range(1, 30), rng.range(1, 6), rng.range(101, 2802))),
        1 => s.push_str(&format!("{}号楼{}室", rng.range(1, 20), rng.range(101, 2802))),
        2 => s.push_str(&format!("院{}号楼{}单元{}", rng.range(1, 20), rng.range(1, 6), rng.range(101, 1802))),
        _ => {}
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Formatting of values: full-width, ideographic spaces.

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            ' ' => '\u{3000}',
            other => other,
        })
        .collect()
}

fn styled(rng: &mut Rng, s: String) -> String {
    match rng.below(20) {
        0 => fullwidth(&s),
        1 => s.replace(' ', "\u{3000}"),
        _ => s,
    }
}

// ---------------------------------------------------------------------------------------------
// Clauses.

fn ctx<'a>(rng: &mut Rng, with: &'a [&'a str], without: &'a [&'a str], p_with: f64) -> &'a str {
    if rng.chance(p_with) { rng.pick(with) } else { rng.pick(without) }
}

/// Neutral lead-ins (no context word of any type).
const NEUTRAL: &[&str] = &["", "号码", "见", "详见：", "信息：", "登记为", "备注 ", "记录 "];

fn clause(rng: &mut Rng, doc: &mut Doc, english: bool) {
    let kind = rng.below(19);
    match kind {
        0 | 1 => {
            let v = resident_id(rng);
            let v = if v.ends_with('X') && rng.chance(0.2) { v.replace('X', "x") } else { v };
            let v = if rng.chance(0.08) { format!("{} {} {}", &v[..6], &v[6..14], &v[14..]) } else { v };
            let lead = if english {
                ctx(rng, &["ID card No. ", "ID number: "], &["No. ", ""], 0.7)
            } else {
                ctx(rng, &["身份证号码", "身份证号：", "公民身份号码", "居民身份证", "证件号码："], NEUTRAL, 0.75)
            };
            doc.plain(lead);
            doc.entity("cn_resident_id", &styled(rng, v));
        }
        2 => {
            if rng.chance(0.3) {
                doc.plain(rng.pick(&["身份证号码", "原身份证号", "旧身份证号"]));
                doc.entity("cn_resident_id", &legacy_id(rng));
            } else {
                let lead = ctx(
                    rng,
                    &["统一社会信用代码：", "统一社会信用代码", "信用代码 ", "纳税人识别号："],
                    &["企业代码", ""],
                    0.8,
                );
                doc.plain(lead);
                doc.entity("cn_uscc", &uscc(rng));
            }
        }
        3 => {
            let code = org_code(rng);
            if rng.chance(0.6) {
                doc.plain(ctx(rng, &["组织机构代码", "机构代码："], &["代码", "", "编码"], 0.5));
                doc.entity("cn_org_code", &format!("{}-{}", &code[..8], &code[8..]));
            } else {
                doc.plain(rng.pick(&["组织机构代码：", "组织机构代码", "组织机构代码证号", "org code "]));
                doc.entity("cn_org_code", &code);
            }
        }
        4 | 5 => {
            let d = bank_card_digits(rng);
            let v = match rng.below(10) {
                0..=5 => d,
                6..=8 => group4(&d, ' '),
                _ => group4(&d, '-'),
            };
            let lead = if english {
                ctx(rng, &["card number ", "bank card: ", "account "], &["", "No. "], 0.7)
            } else {
                ctx(rng, &["银行卡号", "卡号：", "开户行中国农业银行，账号", "工资卡", "收款账户 "], NEUTRAL, 0.75)
            };
            doc.plain(lead);
            doc.entity("bank_card", &styled(rng, v));
        }
        6 | 7 => {
            let lead = if english {
                ctx(rng, &["mobile ", "phone: ", "Tel: ", "call "], &["", "at "], 0.75)
            } else {
                ctx(rng, &["手机", "手机号码：", "联系电话", "联系方式：", "微信同号 ", "请致电"], NEUTRAL, 0.75)
            };
            doc.plain(lead);
            let v = mobile(rng);
            doc.entity("cn_mobile", &styled(rng, v));
        }
        8 => {
            let lead = if english {
                ctx(rng, &["Tel: ", "fax ", "office phone "], &[""], 0.8)
            } else {
                ctx(rng, &["办公电话", "座机：", "联系电话", "传真 ", "值班电话："], &["", "号码"], 0.8)
            };
            doc.plain(lead);
            let v = landline(rng);
            doc.entity("cn_landline", &styled(rng, v));
        }
        9 => {
            doc.plain(if english {
                rng.pick(&["passport No. ", "Passport: "])
            } else {
                rng.pick(&["护照号码", "护照号：", "护照 "])
            });
            doc.entity("cn_passport", &passport(rng));
        }
        10 => {
            doc.plain(rng.pick(&[
                "往来港澳通行证",
                "港澳通行证号码：",
                "回乡证",
                "港澳居民来往内地通行证 ",
                "通行证号",
            ]));
            doc.entity("hk_macau_permit", &permit(rng));
        }
        11 => {
            if rng.chance(0.85) {
                doc.plain(ctx(rng, &["香港身份证", "HKID ", "香港身份证号码："], &["", "证件 "], 0.6));
                doc.entity("hkid", &hkid(rng, true));
            } else {
                doc.plain(rng.pick(&["香港身份证", "HKID: "]));
                doc.entity("hkid", &hkid(rng, false));
            }
        }
        12 => {
            doc.plain(ctx(rng, &["车牌号", "车牌号码：", "机动车号牌", "车辆"], &["", "登记"], 0.7));
            doc.entity("cn_plate", &plate(rng));
        }
        13 => {
            doc.plain(if english {
                ctx(rng, &["email ", "e-mail: "], &["", "write to "], 0.7)
            } else {
                ctx(rng, &["电子邮箱", "邮箱：", "邮件发送至"], &["", "发送至"], 0.7)
            });
            let v = email(rng);
            doc.entity("email", &styled(rng, v));
        }
        14 => {
            doc.plain(ctx(rng, &["服务器IP ", "登录IP：", "来源地址", "内网地址 "], &["", "主机"], 0.8));
            if rng.chance(0.75) {
                doc.entity("ipv4", &ipv4(rng));
            } else {
                doc.entity("ipv6", &ipv6(rng));
            }
        }
        15 => {
            doc.plain(ctx(rng, &["家住", "住址：", "现住", "通讯地址：", "户籍地"], &["", "位于"], 0.7));
            doc.entity("address", &address(rng));
        }
        16 | 17 => {
            let p = person(rng);
            if english {
                let (s, g) = (rng.pick(PINYIN).to_owned(), rng.pick(PINYIN).to_owned());
                let cap = |w: &str| format!("{}{}", w[..1].to_ascii_uppercase(), &w[1..]);
                if rng.chance(0.5) {
                    doc.plain("Name: ");
                    doc.entity("person", &format!("{} {}", cap(&s), cap(&g)));
                } else {
                    doc.plain("contact Mr. ");
                    doc.entity("person", &cap(&s));
                }
                return;
            }
            match rng.below(6) {
                0 => {
                    doc.plain(rng.pick(&["姓名：", "姓名 ", "申请人", "联系人：", "经办人"]));
                    doc.entity("person", &p);
                }
                1 => {
                    doc.plain("我叫");
                    doc.entity("person", &p);
                }
                2 => {
                    let s = surname(rng);
                    doc.plain(rng.pick(&["请联系", "已通知", "来访人"]));
                    doc.entity("person", &s);
                    doc.plain(rng.pick(&["先生", "女士"]));
                }
                3 => {
                    doc.entity("person", &p);
                    doc.plain(rng.pick(&["，男，", "，女，"]));
                    doc.plain(&format!("{}年出生", rng.range(1950, 2000)));
                }
                4 => {
                    doc.plain(rng.pick(&["患者", "当事人", "投诉人"]));
                    doc.entity("person", &p);
                }
                _ => {
                    doc.plain("联系人");
                    doc.entity("person", &p);
                    doc.plain(rng.pick(&["先生", "女士", "同志"]));
                }
            }
        }
        _ => pipl_clause(rng, doc),
    }
}

fn pipl_clause(rng: &mut Rng, doc: &mut Doc) {
    match rng.below(6) {
        0 => {
            doc.plain(rng.pick(&["患者", "该同志", "本人"]));
            doc.entity("health", rng.pick(&["确诊", "患有", "病史"]));
            doc.plain(rng.pick(&["，已记录在案", "，情况属实", "，材料已归档"]));
        }
        1 => {
            doc.plain(rng.pick(&["该同志", "本人", "申请人"]));
            doc.entity("religion", "宗教信仰");
            doc.plain(rng.pick(&["已登记", "情况如实填写"]));
        }
        2 => {
            doc.plain(rng.pick(&["本人", "该员", "用户"]));
            doc.entity("biometric", rng.pick(&["指纹信息", "人脸信息", "声纹"]));
            doc.plain("已采集");
        }
        3 => {
            doc.plain(rng.pick(&["申请人", "本人", "客户"]));
            doc.entity("financial_account", rng.pick(&["银行流水", "征信报告", "收入证明"]));
            doc.plain("已提交");
        }
        4 => {
            doc.plain(rng.pick(&["当事人", "该人员", "嫌疑人"]));
            doc.entity("whereabouts", rng.pick(&["行踪轨迹", "出行记录", "住宿记录"]));
            doc.plain("已调取");
        }
        _ => {
            doc.plain(rng.pick(&["其子", "孙女", "孩子"]));
            doc.plain("现年");
            doc.entity("minor", &format!("{}岁", rng.range(1, 13)));
        }
    }
}

/// Unlabelled text that must produce no finding.
fn near_miss(rng: &mut Rng, doc: &mut Doc) {
    let s = match rng.below(22) {
        0 => format!("编号{}", resident_id_wrong_check(rng)),
        1 => format!("身份证号{}（出生日期不存在）", resident_id_bad_date(rng)),
        2 => format!("流水号{}", rng.digits(20).replacen('0', "1", 1)),
        3 => format!("订单号{}{}", rng.pick(&["2024", "2025", "2023"]), rng.digits(14)),
        4 => format!("订单号：{}", bank_card_digits(rng)),
        5 => format!("金额：{},{:03}.{:02}元", rng.range(1, 999), rng.below(1000), rng.below(100)),
        6 => format!("合计{}.{:02}元", mobile_digits(rng), rng.below(100)),
        7 => format!("{}年{}月{}日", rng.range(1990, 2025), rng.range(1, 12), rng.range(1, 28)),
        8 => format!(
            "{}-{:02}-{:02} {:02}:{:02}:{:02}",
            rng.range(1990, 2025),
            rng.range(1, 12),
            rng.range(1, 28),
            rng.below(24),
            rng.below(60),
            rng.below(60)
        ),
        9 => format!("编号{}{}{}", rng.range(1, 9), mobile_digits(rng), rng.below(10)),
        10 => format!("单据号{}{}", resident_id(rng), rng.below(10)),
        11 => format!("序列号{}", bank_card_bad(rng)),
        12 => format!("版本号{}.{}.{}.{}", rng.below(10), rng.below(20), rng.below(20), rng.below(100)),
        13 => format!("号码{}{}", rng.pick(&["154", "194", "168", "141"]), rng.digits(8)),
        14 => String::from("代码91310115MA1H8R7C6D"),
        15 => {
            let n = rng.range(6, 14);
            format!("{}{}", rng.pick(&["批次", "文号", "案号"]), rng.digits(n))
        }
        16 => String::from("依法保护个人的生物识别、宗教信仰、医疗健康、金融账户、行踪轨迹等敏感个人信息"),
        17 => String::from("这件事是个秘密，不要声张"),
        18 => String::from("全市今日新增确诊病例3例"),
        19 => format!("邮编{}", rng.digits(6)),
        20 => format!("第{}期", rng.range(1, 300)),
        _ => format!("共{}人参加", rng.range(2, 5000)),
    };
    doc.plain(&s);
}

const FILLERS_ZH: &[&str] = &[
    "请于三个工作日内办理",
    "经审核，材料齐全",
    "特此证明",
    "如有疑问请咨询窗口工作人员",
    "现将有关情况报告如下",
    "已按规定归档",
    "该事项已办结",
];
const FILLERS_EN: &[&str] =
    &["The application was received", "Please reply within five working days", "The case is closed"];
const SEPS: &[&str] = &["，", "；", "。", " ", "\n", ", "];

/// Generate `n` labelled texts from `seed`.
pub fn generate(seed: u64, n: usize) -> Vec<LabelledText> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| one_text(&mut rng)).collect()
}

fn one_text(rng: &mut Rng) -> LabelledText {
    let mut doc = Doc::new();
    let english = rng.chance(0.12);
    if rng.chance(0.03) {
        let mark = rng.pick(&["机密★一年", "秘密★", "绝密★启用前", "机密★5年", "秘密★长期"]);
        doc.entity("secrecy_marking", mark);
        doc.plain("\n");
    }
    let parts = rng.range(1, 4);
    for i in 0..parts {
        if i > 0 {
            doc.plain(rng.pick(SEPS));
        }
        match rng.below(10) {
            0 => doc.plain(if english { rng.pick(FILLERS_EN) } else { rng.pick(FILLERS_ZH) }),
            1 | 2 => near_miss(rng, &mut doc),
            _ => clause(rng, &mut doc, english),
        }
    }
    doc.plain(if english { "." } else { "。" });
    // Occasionally the whole text is typed in full-width (spans keep their char offsets).
    if rng.chance(0.03) {
        doc.text = fullwidth(&doc.text);
    }
    LabelledText { text: doc.text, entities: doc.entities }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn deterministic_and_offsets_valid() {
        let a = generate(7, 300);
        assert_eq!(a, generate(7, 300));
        assert_ne!(a, generate(8, 300));
        for t in &a {
            let n = t.text.chars().count();
            for (_, s, e) in &t.entities {
                assert!(s < e && *e <= n, "{t:?}");
            }
        }
    }

    #[test]
    fn generated_values_validate() {
        let mut rng = Rng::new(1);
        for _ in 0..500 {
            let id = resident_id(&mut rng);
            assert!(validate::check_resident_id(id.as_bytes(), (2026, 1, 1)).unwrap().checksum, "{id}");
            let bad = resident_id_wrong_check(&mut rng);
            assert!(!validate::check_resident_id(bad.as_bytes(), (2026, 1, 1)).unwrap().checksum);
            assert!(validate::check_resident_id(resident_id_bad_date(&mut rng).as_bytes(), (2026, 1, 1)).is_none());
            assert!(validate::check_legacy_id(legacy_id(&mut rng).as_bytes()).is_some());
            let u = uscc(&mut rng);
            assert_eq!(validate::check_uscc(u.as_bytes()), Some(true), "{u}");
            assert_eq!(validate::check_org_code(org_code(&mut rng).as_bytes()), Some(true));
            assert!(validate::luhn(bank_card_digits(&mut rng).as_bytes()));
            assert!(!validate::luhn(bank_card_bad(&mut rng).as_bytes()));
            assert!(validate::valid_mobile(mobile_digits(&mut rng).as_bytes()));
            let h = hkid(&mut rng, false);
            assert_eq!(validate::check_hkid(h.as_bytes()), Some(true), "{h}");
        }
        for a in AREA8 {
            assert_eq!(
                validate::split_landline(format!("{a}23456789").as_bytes()).map(|x| x.1),
                Some(validate::Landline::Exact),
                "{a}"
            );
        }
        for a in AREA7 {
            assert_eq!(
                validate::split_landline(format!("{a}2345678").as_bytes()).map(|x| x.1),
                Some(validate::Landline::Exact),
                "{a}"
            );
        }
    }
}
