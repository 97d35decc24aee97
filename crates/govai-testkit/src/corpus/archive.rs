//! A third labelled corpus generator, written blind: its author had not seen the recognizers or
//! the other two generators. It is a check on figures that were tuned against those two.
//!
//! The texts look like records a department keeps or exports: 12345 hotline work orders,
//! case-file excerpts, CSV and TSV exports (with a BOM, CRLF, quoted cells, Excel's leading `'`),
//! Markdown tables, fixed-width text tables, `key: value` blocks, JSON API responses, SQL
//! `INSERT` statements, web-server and application log lines, SMS notifications, OCR output with
//! stray spaces in the words, text converted to traditional characters, English forms and e-mails,
//! values in brackets and quotes, values at the very start or end of a text, and several values
//! of one type on one line separated by `、` or `/`.
//!
//! Every value is produced here with its own checksum code from the public specifications
//! (GB 11643 ISO 7064 MOD 11-2, Luhn, GB 32100 mod 31 with the GB 11714 organisation code
//! inside). Labels are only on values that should be found, and cover exactly the characters
//! written: a phone's `+86` prefix, a landline's parenthesised area code and extension, and a
//! plate's `·` are part of the span; quotes, brackets, an Excel `'` and the port after an address
//! are not. No space is ever inserted inside a labelled value (OCR noise touches only words,
//! names and dates; the grouped forms a person writes, `138 1234 5678`, `6222 0212 …`,
//! `010 62751234`, are written as such and labelled whole).
//!
//! Near misses are written unlabelled: work-order, order, invoice, case and tracking numbers,
//! amounts, dates, Unix timestamps, 18-digit IDs with a wrong check character or an impossible
//! date, Luhn-invalid numbers after 卡号, four-part version numbers after 版本, masked values
//! (`138****5678`), Excel's `1.10105E+17`, 6-digit codes, `尾号1234`.
//!
//! Offsets are Unicode scalar (char) offsets, end exclusive, as in [`LabelledText`].

use std::net::{Ipv4Addr, Ipv6Addr};

use super::LabelledText;

// ------------------------------------------------------------------------------------------------
// PRNG
// ------------------------------------------------------------------------------------------------

/// SplitMix64 (Steele, Lea, Flood 2014): the state is one 64-bit counter.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// Index chosen with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    fn digit(&mut self) -> char {
        char::from(b'0' + self.below(10) as u8)
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| self.digit()).collect()
    }
}

type Rng = SplitMix64;

// ------------------------------------------------------------------------------------------------
// Checksums, from the public specifications
// ------------------------------------------------------------------------------------------------

/// Check characters and validity tests, written from the standards.
pub mod check {
    const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const ID_CHECK: &[u8; 11] = b"10X98765432";
    const PROVINCES: &[&str] = &[
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
        "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    ];

    /// GB 11643-1999 check character (ISO 7064 MOD 11-2) of the first 17 digits of a resident ID.
    pub fn gb11643_check(first17: &str) -> Option<char> {
        let b = first17.as_bytes();
        if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sum: u32 = b.iter().zip(ID_WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
        Some(char::from(ID_CHECK[(sum % 11) as usize]))
    }

    /// Days in a Gregorian month (0 for a month out of range).
    pub fn days_in_month(y: u32, m: u32) -> u32 {
        match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
            2 => 28,
            _ => 0,
        }
    }

    /// An 18-character resident ID: a province code, a real birth date (1800 to 2026; the standard's own example is born in 1880), and the
    /// right check character (`X` or `x`).
    pub fn is_resident_id(s: &str) -> bool {
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || !PROVINCES.contains(&&s[..2]) {
            return false;
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
        let (y, m, d) = (num(6..10), num(10..12), num(12..14));
        if !(1800..=2026).contains(&y) || d == 0 || d > days_in_month(y, m) {
            return false;
        }
        gb11643_check(&s[..17]).is_some_and(|c| b[17].to_ascii_uppercase() == c as u8)
    }

    /// Luhn (ISO/IEC 7812-1 annex B): the digit string's check digit is right.
    pub fn luhn_ok(s: &str) -> bool {
        let b = s.as_bytes();
        if b.len() < 2 || !b.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let sum: u32 = b
            .iter()
            .rev()
            .enumerate()
            .map(|(i, c)| {
                let d = u32::from(c - b'0');
                if i % 2 == 1 {
                    let x = 2 * d;
                    if x > 9 { x - 9 } else { x }
                } else {
                    d
                }
            })
            .sum();
        sum.is_multiple_of(10)
    }

    /// The Luhn check digit to append to `payload`.
    pub fn luhn_digit(payload: &str) -> Option<char> {
        if payload.is_empty() || !payload.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        (b'0'..=b'9').map(char::from).find(|d| luhn_ok(&format!("{payload}{d}")))
    }

    const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

    /// GB 11714-1997 organisation code check character of the 8-character body
    /// (digits 0-9, letters A=10 … Z=35; check 10 is `X`, 11 is `0`).
    pub fn gb11714_check(body8: &str) -> Option<char> {
        let b = body8.as_bytes();
        if b.len() != 8 {
            return None;
        }
        let mut sum = 0;
        for (c, w) in b.iter().zip(ORG_WEIGHTS) {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'A'..=b'Z' => u32::from(c - b'A') + 10,
                _ => return None,
            };
            sum += v * w;
        }
        Some(match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            n => char::from(b'0' + n as u8),
        })
    }

    /// The GB 32100-2015 character set (no I, O, Z, S, V), in value order.
    pub const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// GB 32100-2015 check character of the first 17 characters of a unified social credit code.
    pub fn gb32100_check(first17: &str) -> Option<char> {
        if first17.len() != 17 {
            return None;
        }
        let mut sum = 0;
        for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
            sum += USCC_CHARSET.find(c)? as u32 * w;
        }
        USCC_CHARSET.chars().nth(((31 - sum % 31) % 31) as usize)
    }

    /// A unified social credit code: 18 characters of the set, the right check character, and
    /// the organisation code inside (characters 9-17) with its own right check character.
    pub fn is_uscc(s: &str) -> bool {
        s.len() == 18
            && s.chars().all(|c| USCC_CHARSET.contains(c))
            && gb32100_check(&s[..17]).is_some_and(|c| s.ends_with(c))
            && gb11714_check(&s[8..16]).is_some_and(|c| s[16..17].starts_with(c))
    }
}

// ------------------------------------------------------------------------------------------------
// Types, documents, values
// ------------------------------------------------------------------------------------------------

/// The identifier types this corpus labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// GB 11643 resident ID.
    ResidentId,
    /// Payment card.
    BankCard,
    /// Mainland mobile number.
    Mobile,
    /// Mainland landline with area code.
    Landline,
    /// PRC passport.
    Passport,
    /// Mainland residents' permit to HK/Macau, or HK/Macau residents' permit to the mainland.
    Permit,
    /// E-mail address.
    Email,
    /// IPv4 address.
    Ipv4,
    /// IPv6 address.
    Ipv6,
    /// Unified social credit code.
    Uscc,
    /// Licence plate.
    Plate,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 11] = [
        Kind::ResidentId,
        Kind::BankCard,
        Kind::Mobile,
        Kind::Landline,
        Kind::Passport,
        Kind::Permit,
        Kind::Email,
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Uscc,
        Kind::Plate,
    ];

    /// The classifier's entity type name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::ResidentId => "cn_resident_id",
            Kind::BankCard => "bank_card",
            Kind::Mobile => "cn_mobile",
            Kind::Landline => "cn_landline",
            Kind::Passport => "cn_passport",
            Kind::Permit => "hk_macau_permit",
            Kind::Email => "email",
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Uscc => "cn_uscc",
            Kind::Plate => "cn_plate",
        }
    }
}

use Kind as K;

/// A value as written, labelled (`kind`) or a near miss (`None`).
#[derive(Debug, Clone)]
struct Val {
    s: String,
    kind: Option<Kind>,
}

fn pos(kind: Kind, s: String) -> Val {
    Val { s, kind: Some(kind) }
}

fn neg(s: String) -> Val {
    Val { s, kind: None }
}

/// Text under construction; `tc` converts plain text (never labelled values) to traditional.
#[derive(Debug)]
struct Doc {
    text: String,
    chars: usize,
    ents: Vec<(String, usize, usize)>,
    tc: bool,
}

impl Doc {
    fn new() -> Self {
        Self { text: String::new(), chars: 0, ents: Vec::new(), tc: false }
    }

    fn raw(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count();
    }

    /// Plain text.
    fn t(&mut self, s: &str) {
        if self.tc {
            let c = to_tc(s);
            self.raw(&c);
        } else {
            self.raw(s);
        }
    }

    fn v(&mut self, v: &Val) {
        match v.kind {
            Some(k) => self.p(k, &v.s),
            None => self.t(&v.s),
        }
    }

    /// A labelled value.
    fn p(&mut self, k: Kind, s: &str) {
        let start = self.chars;
        self.raw(s);
        self.ents.push((k.name().to_owned(), start, self.chars));
    }

    fn finish(self) -> LabelledText {
        LabelledText { text: self.text, entities: self.ents }
    }
}

// --- traditional characters (plain text only) --------------------------------------------------

const TC_PAIRS: &str = "证證号號码碼联聯电電话話机機银銀户戶开開护護车車邮郵统統会會当當汉漢别別请請托託师師务務\
经經于於过過转轉账賬区區县縣镇鎮乡鄉楼樓栋棟单單门門广廣东東华華国國龙龍长長马馬杨楊陈陳张張刘劉赵趙吴吳郑鄭\
谢謝许許韩韓冯馮邓鄧叶葉苏蘇吕呂罗羅黄黃为為与與这這个個们們时時间間处處决決书書罚罰违違规規业業办辦见見关關\
对對应應该該将將从從发發现現实實际際记記录錄资資产產权權责責审審报報备備称稱项項类類题題结結访訪复復级級网網\
络絡设設陆陸贯貫湾灣来來签簽册冊营營执執条條讯訊验驗阅閱读讀财財贷貸额額余餘币幣详詳细細历歷维維诉訴纠糾纷紛\
医醫疗療学學园園厅廳队隊宁寧云雲贵貴陕陝辽遼鲁魯闽閩赣贛晋晉沪滬琼瓊粤粵问問驶駛辆輛轿轎领領预預约約携攜换換\
还還拨撥满滿诈詐骗騙链鏈击擊点點页頁买買卖賣费費缴繳纳納给給编編兰蘭丽麗伟偉静靜涛濤刚剛军軍强強杰傑轩軒远遠\
鸣鳴庆慶兴興农農储儲议議协協调調询詢笔筆节節选選认認据據递遞达達内內讼訟专專员員动動态態体體场場监監总總岗崗\
厂廠万萬价價优優传傳确確论論进進运運难難头頭带帶帮幫库庫异異归歸损損数數无無显顯术術极極构構标標样樣检檢欢歡\
气氣汇匯没沒测測济濟满滿灵靈热熱爱愛环環画畫礼禮离離积積稳穩简簡纪紀级級纸紙线線组組终終绝絕继繼续續综綜职職\
脑腦药藥获獲补補装裝视視觉覺计計讨討让讓训訓讲講识識词詞试試语語误誤说說谈談负負质質购購赔賠轻輕载載输輸边邊\
连連遗遺钱錢错錯闭閉阳陽险險随隨隐隱顺順须須频頻风風飞飛馆館驾駕齐齊龄齡门門诊診预預话話状狀态態审審签簽宾賓\
邻鄰庄莊扫掃择擇拥擁杀殺旧舊泽澤洁潔渔漁灾災础礎盖蓋畅暢样樣众眾伤傷亿億仅僅惯慣战戰扑撲览覽讯訊丢丟户戶罗羅\
拟擬营營诺諾销銷锁鎖阶階障障齿齒确確盗盜窃竊赃贓审審讯訊侦偵缉緝罪罪犯犯嫌嫌";

fn to_tc(s: &str) -> String {
    let s = s.replace("联系", "聯繫").replace("系统", "系統");
    let pairs: Vec<char> = TC_PAIRS.chars().collect();
    s.chars().map(|c| pairs.chunks_exact(2).find(|p| p[0] == c).map_or(c, |p| p[1])).collect()
}

// --- names, places, companies ------------------------------------------------------------------

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡",
    "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈", "欧阳", "上官",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "海燕", "子涵", "浩然", "雨桐", "欣怡", "宇轩", "梓萱",
    "俊杰", "思远", "文博", "佳怡", "一鸣", "国庆", "建国", "春梅", "德明",
];
const PY_SUR: &[&str] = &[
    "zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo",
    "he", "lin", "luo", "zheng", "xie", "song", "tang", "han",
];
const PY_GIVEN: &[&str] = &[
    "wei", "fang", "na", "min", "jing", "lei", "jun", "yang", "yong", "jie", "tao", "ming", "chao", "xiaodong",
    "haiyan", "zihan", "haoran", "yutong", "xinyi", "junjie", "siyuan", "wenbo", "jianhua", "zhiqiang",
];
const CITY_DIST: &[(&str, &str)] = &[
    ("北京市", "朝阳区"),
    ("北京市", "海淀区"),
    ("上海市", "浦东新区"),
    ("上海市", "徐汇区"),
    ("广州市", "天河区"),
    ("深圳市", "南山区"),
    ("杭州市", "西湖区"),
    ("成都市", "武侯区"),
    ("武汉市", "洪山区"),
    ("南京市", "玄武区"),
    ("西安市", "雁塔区"),
    ("重庆市", "渝北区"),
    ("天津市", "南开区"),
    ("长沙市", "岳麓区"),
    ("郑州市", "金水区"),
];
const ROADS: &[&str] = &[
    "建国路",
    "中山路",
    "人民路",
    "解放大道",
    "长江路",
    "文三路",
    "科技园南路",
    "天府大道",
    "学院路",
    "和平街",
    "滨江大道",
    "幸福里",
];
const UNITS: &[&str] = &[
    "区城市管理局",
    "区市场监督管理局",
    "区人力资源和社会保障局",
    "区住房和城乡建设局",
    "区公安分局",
    "街道办事处",
    "区交通运输局",
    "区生态环境分局",
];

#[derive(Debug, Clone)]
struct Person {
    sur: &'static str,
    name: String,
    male: bool,
    birth: (u32, u32, u32),
    id: String,
}

fn person(r: &mut Rng) -> Person {
    let sur = r.pick(SURNAMES);
    let name = format!("{sur}{}", r.pick(GIVEN));
    let male = r.chance(0.5);
    let y = if r.chance(0.06) { r.between(2009, 2019) } else { r.between(1940, 2008) } as u32;
    let m = r.between(1, 12) as u32;
    let d = r.between(1, check::days_in_month(y, m) as usize) as u32;
    let id = resident_id_for(r, (y, m, d), Some(male));
    Person { sur, name, male, birth: (y, m, d), id }
}

fn en_name(r: &mut Rng) -> String {
    let s = r.pick(PY_SUR);
    let g = r.pick(PY_GIVEN);
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
    };
    match r.below(3) {
        0 => format!("{} {}", s.to_ascii_uppercase(), cap(g)),
        1 => format!("{} {}", cap(g), cap(s)),
        _ => format!("{} {}", cap(s), cap(g)),
    }
}

fn address(r: &mut Rng) -> String {
    let (c, d) = r.pick(CITY_DIST);
    let road = r.pick(ROADS);
    let n = r.between(1, 999);
    match r.below(4) {
        0 => format!("{c}{d}{road}{n}号"),
        1 => format!("{c}{d}{road}{n}号{}栋{}单元{}室", r.between(1, 30), r.between(1, 6), r.between(101, 2808)),
        2 => format!("{c}{d}{road}{n}号院{}号楼{}", r.between(1, 20), r.between(101, 1806)),
        _ => format!("{d}{road}{n}弄{}号{}室", r.between(1, 80), r.between(101, 602)),
    }
}

fn company(r: &mut Rng) -> String {
    format!(
        "{}{}{}",
        r.pick(&["杭州", "深圳", "北京", "成都", "武汉", "苏州", "南京", "广州", "西安", "合肥"]),
        r.pick(&["恒信", "华创", "鼎盛", "瑞丰", "中科", "博远", "启明", "安泰", "宏达", "汇通", "云帆", "青禾"]),
        r.pick(&[
            "科技有限公司",
            "商贸有限公司",
            "建筑工程有限公司",
            "物业管理有限公司",
            "餐饮管理有限公司",
            "网络科技股份有限公司",
            "劳务派遣有限公司",
            "教育咨询有限公司",
        ])
    )
}

fn company_en(r: &mut Rng) -> String {
    format!(
        "{} {} {}",
        r.pick(&["Hangzhou", "Shenzhen", "Beijing", "Chengdu", "Suzhou"]),
        r.pick(&["Hengxin", "Huachuang", "Dingsheng", "Ruifeng", "Qiming"]),
        r.pick(&["Technology Co., Ltd.", "Trading Co., Ltd.", "Property Management Co., Ltd."])
    )
}

fn colon(r: &mut Rng) -> &'static str {
    r.pick(&["：", "：", "：", ":", ": ", "： "])
}

// --- dates and other near misses ---------------------------------------------------------------

fn ymd(r: &mut Rng) -> (u32, u32, u32) {
    let y = r.between(2019, 2025) as u32;
    let m = r.between(1, 12) as u32;
    let d = r.between(1, check::days_in_month(y, m) as usize) as u32;
    (y, m, d)
}

fn date_text(r: &mut Rng) -> String {
    let (y, m, d) = ymd(r);
    match r.below(5) {
        0 | 1 => format!("{y}-{m:02}-{d:02}"),
        2 => format!("{y}年{m}月{d}日"),
        3 => format!("{y}/{m}/{d}"),
        _ => format!("{y}.{m:02}.{d:02}"),
    }
}

fn datetime(r: &mut Rng) -> String {
    let (y, m, d) = ymd(r);
    format!("{y}-{m:02}-{d:02} {:02}:{:02}:{:02}", r.below(24), r.below(60), r.below(60))
}

fn work_order_no(r: &mut Rng) -> String {
    let (y, m, d) = ymd(r);
    match r.below(3) {
        0 => format!("GD{y}{m:02}{d:02}{}", r.digits(6)),
        1 => format!("{y}{m:02}{d:02}{}", r.digits(8)),
        _ => format!("ZX-{y}-{}", r.digits(6)),
    }
}

fn order_no(r: &mut Rng) -> String {
    let (y, m, d) = ymd(r);
    match r.below(3) {
        0 => format!("DD{y}{m:02}{d:02}{}", r.digits(8)),
        1 => {
            let n = r.between(4, 6);
            format!("{y}{m:02}{d:02}{:02}{:02}{:02}{}", r.below(24), r.below(60), r.below(60), r.digits(n))
        }
        _ => format!("{}{}", r.between(1, 9), r.digits(11)),
    }
}

fn tracking_no(r: &mut Rng) -> String {
    match r.below(5) {
        0 => format!("SF{}", r.digits(13)),
        1 => format!("YT{}", r.digits(13)),
        2 => format!("JT{}", r.digits(13)),
        3 => format!("7{}", r.digits(13)),
        _ => format!("E{}{}CN", r.pick(&['A', 'B', 'E', 'M']), r.digits(9)),
    }
}

fn amount(r: &mut Rng, machine: bool) -> String {
    let yuan = r.between(1, 250_000);
    let fen = r.below(100);
    if machine {
        return format!("{yuan}.{fen:02}");
    }
    let mut s = yuan.to_string();
    let mut out = String::new();
    while s.len() > 3 {
        let tail = s.split_off(s.len() - 3);
        out = format!(",{tail}{out}");
    }
    format!("{s}{out}.{fen:02}")
}

fn timestamp(r: &mut Rng) -> String {
    let secs = r.between(1_600_000_000, 1_760_000_000);
    if r.chance(0.5) { secs.to_string() } else { format!("{secs}{:03}", r.below(1000)) }
}

/// Four parts, each at most 255: a syntactically valid IPv4 address that is a version number.
fn version4(r: &mut Rng) -> String {
    format!("{}.{}.{}.{}", r.between(1, 12), r.below(21), r.below(31), r.between(0, 200))
}

fn case_no(r: &mut Rng) -> String {
    let (y, _, _) = ymd(r);
    match r.below(3) {
        0 => format!(
            "（{y}）{}{}{}号",
            r.pick(&["京0105", "浙0106", "粤0305", "川0107", "沪0115"]),
            r.pick(&["民初", "行初", "执", "刑初"]),
            r.between(100, 39999)
        ),
        1 => format!("{}市监处罚〔{y}〕{}号", r.pick(&["杭", "深", "蓉", "宁"]), r.between(1, 999)),
        _ => format!(
            "{}公（{}）行罚决字〔{y}〕{}号",
            r.pick(&["杭", "深", "京"]),
            r.pick(&["西", "南", "朝"]),
            r.digits(5)
        ),
    }
}

fn masked_mobile(r: &mut Rng) -> String {
    format!("{}****{}", r.pick(SEGMENTS), r.digits(4))
}

fn masked_id(r: &mut Rng) -> String {
    let id = resident_id(r);
    match r.below(2) {
        0 => format!("{}********{}", &id[..6], &id[14..]),
        _ => format!("{}**************{}", &id[..2], &id[16..]),
    }
}

fn masked_card(r: &mut Rng) -> String {
    let (c, _, _) = bank_card(r);
    if r.chance(0.5) {
        format!("{}******{}", &c[..6], &c[c.len() - 4..])
    } else {
        format!("{} **** **** {}", &c[..4], &c[c.len() - 4..])
    }
}

// --- resident ID ---------------------------------------------------------------------------------

const REGIONS: &[&str] = &[
    "110101", "110102", "110105", "110108", "120101", "120104", "130102", "130203", "140105", "150102", "210102",
    "210202", "220102", "230103", "310101", "310104", "310115", "320102", "320506", "330106", "330203", "340104",
    "350102", "350203", "360102", "370102", "370202", "371302", "410105", "411302", "420106", "420111", "430102",
    "430104", "433101", "440103", "440106", "440304", "440305", "441900", "445102", "450103", "460105", "500103",
    "500112", "510104", "510107", "513401", "520102", "530102", "540102", "610113", "620102", "630102", "640104",
    "650102", "652301",
];

fn resident_id_for(r: &mut Rng, (y, m, d): (u32, u32, u32), male: Option<bool>) -> String {
    let mut seq = r.between(1, 999) as u32;
    if let Some(male) = male
        && (seq % 2 == 1) != male
    {
        seq = if seq == 999 { 998 } else { seq + 1 };
    }
    let body = format!("{}{y:04}{m:02}{d:02}{seq:03}", r.pick(REGIONS));
    let c = check::gb11643_check(&body).unwrap_or('0');
    format!("{body}{c}")
}

fn resident_id(r: &mut Rng) -> String {
    let y = r.between(1940, 2015) as u32;
    let m = r.between(1, 12) as u32;
    let d = r.between(1, check::days_in_month(y, m) as usize) as u32;
    resident_id_for(r, (y, m, d), None)
}

/// As written: a final `X` is sometimes lower case.
fn id_text(r: &mut Rng, id: &str) -> String {
    if id.ends_with('X') && r.chance(0.2) { id.to_ascii_lowercase() } else { id.to_owned() }
}

/// Right region and date, wrong check character.
fn id_wrong_check(r: &mut Rng) -> String {
    let id = resident_id(r);
    let right = id.as_bytes()[17];
    let wrong = loop {
        let c = b"0123456789X"[r.below(11)];
        if c != right {
            break c;
        }
    };
    format!("{}{}", &id[..17], char::from(wrong))
}

/// Right check character for an impossible date.
fn id_bad_date(r: &mut Rng) -> String {
    let date = r.pick(&["19870230", "19921301", "20010431", "19750000", "19680632", "20050229"]);
    let body = format!("{}{date}{:03}", r.pick(REGIONS), r.between(1, 999));
    let c = check::gb11643_check(&body).unwrap_or('0');
    format!("{body}{c}")
}

// --- bank cards ----------------------------------------------------------------------------------

/// `(prefix, length, bank, bank in English)`; prefix `"2"` means a Mastercard 2221-2720 prefix.
const BINS: &[(&str, usize, &str, &str)] = &[
    ("622202", 19, "中国工商银行", "ICBC"),
    ("621226", 19, "中国工商银行", "ICBC"),
    ("622848", 19, "中国农业银行", "Agricultural Bank of China"),
    ("621700", 19, "中国建设银行", "China Construction Bank"),
    ("622700", 19, "中国建设银行", "China Construction Bank"),
    ("601382", 19, "中国银行", "Bank of China"),
    ("621661", 19, "中国银行", "Bank of China"),
    ("622262", 19, "交通银行", "Bank of Communications"),
    ("622588", 16, "招商银行", "China Merchants Bank"),
    ("621483", 16, "招商银行", "China Merchants Bank"),
    ("621799", 19, "中国邮政储蓄银行", "Postal Savings Bank of China"),
    ("622188", 19, "中国邮政储蓄银行", "Postal Savings Bank of China"),
    ("622909", 18, "兴业银行", "Industrial Bank"),
    ("622908", 18, "兴业银行", "Industrial Bank"),
    ("622155", 16, "平安银行", "Ping An Bank"),
    ("622690", 16, "中信银行", "China CITIC Bank"),
    ("625965", 16, "招商银行信用卡", "China Merchants Bank credit card"),
    ("427020", 16, "中国工商银行", "ICBC"),
    ("436742", 16, "中国建设银行", "China Construction Bank"),
    ("456351", 16, "中国银行", "Bank of China"),
    ("552599", 16, "中国农业银行", "Agricultural Bank of China"),
    ("512315", 16, "中国银行", "Bank of China"),
    ("518710", 16, "招商银行", "China Merchants Bank"),
    ("2", 16, "交通银行信用卡", "Bank of Communications credit card"),
];

/// `(digits, bank, bank in English)`.
fn bank_card(r: &mut Rng) -> (String, &'static str, &'static str) {
    loop {
        let (prefix, len, bank, bank_en) = r.pick(BINS);
        let prefix =
            if prefix == "2" { format!("{}{}", r.between(2221, 2720), r.digits(2)) } else { prefix.to_owned() };
        let payload = format!("{prefix}{}", r.digits(len - 1 - prefix.len()));
        let c = check::luhn_digit(&payload).unwrap_or('0');
        let card = format!("{payload}{c}");
        // An 18-digit card that also reads as a resident ID is ambiguous: draw again.
        if !check::is_resident_id(&card) {
            return (card, bank, bank_en);
        }
    }
}

fn group4(s: &str, sep: &str) -> String {
    s.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(sep)
}

fn card_text(r: &mut Rng, digits: &str) -> String {
    if r.chance(0.08) { group4(digits, " ") } else { digits.to_owned() }
}

/// A card-like number with a real prefix and length whose Luhn check fails.
fn card_luhn_bad(r: &mut Rng) -> String {
    let (c, _, _) = bank_card(r);
    let last = c.as_bytes()[c.len() - 1] - b'0';
    let wrong = (last + 1 + r.below(9) as u8) % 10;
    format!("{}{}", &c[..c.len() - 1], wrong)
}

// --- phones --------------------------------------------------------------------------------------

const SEGMENTS: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "149", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "162", "165", "166", "167", "170", "171", "172", "173", "175", "176",
    "177", "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193",
    "195", "196", "197", "198", "199",
];

fn mobile_digits(r: &mut Rng) -> String {
    format!("{}{}", r.pick(SEGMENTS), r.digits(8))
}

fn mobile_text(r: &mut Rng) -> String {
    let m = mobile_digits(r);
    let (a, b, c) = (&m[..3], &m[3..7], &m[7..]);
    match r.weighted(&[80, 5, 3, 5, 5, 2]) {
        1 => format!("+86 {m}"),
        2 => format!("+86{m}"),
        3 => format!("{a}-{b}-{c}"),
        4 => format!("{a} {b} {c}"),
        5 => format!("+86 {a} {b} {c}"),
        _ => m,
    }
}

fn mobile(r: &mut Rng) -> Val {
    pos(K::Mobile, mobile_text(r))
}

/// Area codes whose local numbers have 8 digits.
const AREA8: &[&str] = &[
    "010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0571", "0755", "0512", "0531", "0532",
    "0769", "0757", "0574", "0591", "0731", "0371", "0311", "0431", "0451", "0791", "0851", "0871", "0898", "0411",
    "0760",
];
/// Area codes whose local numbers have 7 digits.
const AREA7: &[&str] = &["0891", "0937", "0902", "0883", "0970", "0943", "0975", "0979"];

fn landline_text(r: &mut Rng) -> String {
    let (area, len) = match r.below(20) {
        0..=9 => (r.pick(&AREA8[..10]), 8),
        10..=16 => (r.pick(&AREA8[10..]), 8),
        _ => (r.pick(AREA7), 7),
    };
    let local = format!("{}{}", r.between(2, 8), r.digits(len - 1));
    match r.weighted(&[52, 12, 10, 8, 7, 4, 4, 3]) {
        1 => format!("{area} {local}"),
        2 => format!("({area}){local}"),
        3 => format!("（{area}）{local}"),
        4 => format!("{area}{local}"),
        5 if len == 8 => format!("{area}-{}-{}", &local[..4], &local[4..]),
        6 => format!("{area}-{local}-{}", r.between(1, 9999)),
        7 => format!("({area}) {local}"),
        _ => format!("{area}-{local}"),
    }
}

fn landline(r: &mut Rng) -> Val {
    pos(K::Landline, landline_text(r))
}

fn phone(r: &mut Rng) -> Val {
    if r.chance(0.7) { mobile(r) } else { landline(r) }
}

// --- travel documents ----------------------------------------------------------------------------

const LETTERS: &[char] = &[
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y',
    'Z',
];

fn passport(r: &mut Rng) -> String {
    match r.below(10) {
        0..=4 => format!("E{}", r.digits(8)),
        5..=7 => format!("E{}{}", r.pick(LETTERS), r.digits(7)),
        _ => format!("G{}", r.digits(8)),
    }
}

/// 往来港澳通行证 (mainland residents travelling to Hong Kong and Macau).
fn eep(r: &mut Rng) -> String {
    if r.chance(0.6) { format!("C{}", r.digits(8)) } else { format!("C{}{}", r.pick(LETTERS), r.digits(7)) }
}

/// 港澳居民来往内地通行证 (回乡证).
fn home_return(r: &mut Rng) -> String {
    let l = if r.chance(0.7) { 'H' } else { 'M' };
    if r.chance(0.5) { format!("{l}{}", r.digits(8)) } else { format!("{l}{}", r.digits(10)) }
}

// --- organisations, network, vehicles ------------------------------------------------------------

fn uscc(r: &mut Rng) -> String {
    let cs: Vec<char> = check::USCC_CHARSET.chars().collect();
    let head = r.pick(&["91", "91", "91", "91", "92", "93", "11", "12", "51", "52", "53", "Y1"]);
    let region = r.pick(REGIONS);
    let body = if r.chance(0.6) {
        r.digits(8)
    } else {
        let tail: String = (0..6).map(|_| cs[r.below(cs.len())]).collect();
        format!("MA{tail}")
    };
    let org = check::gb11714_check(&body).unwrap_or('0');
    let first17 = format!("{head}{region}{body}{org}");
    let c = check::gb32100_check(&first17).unwrap_or('0');
    format!("{first17}{c}")
}

fn email(r: &mut Rng) -> String {
    let dom = r.pick(&[
        "163.com",
        "126.com",
        "qq.com",
        "qq.com",
        "sina.com",
        "sohu.com",
        "foxmail.com",
        "gmail.com",
        "outlook.com",
        "aliyun.com",
        "yeah.net",
        "139.com",
        "hz.gov.cn",
        "sz.gov.cn",
        "bjhd.gov.cn",
        "zjzwfw.gov.cn",
        "pku.edu.cn",
        "mail.ustc.edu.cn",
        "huawei.com",
        "hengxin-tech.com.cn",
    ]);
    let (s, g) = (r.pick(PY_SUR), r.pick(PY_GIVEN));
    let local = if dom == "qq.com" && r.chance(0.6) {
        let n = r.between(4, 9);
        format!("{}{}", r.between(1, 9), r.digits(n))
    } else {
        match r.below(6) {
            0 => format!("{s}{g}"),
            1 => format!("{s}.{g}"),
            2 => {
                let n = r.between(2, 4);
                format!("{g}_{s}{}", r.digits(n))
            }
            3 => format!("{}{}{}", &s[..1], &g[..1], r.between(1960, 2010)),
            4 => format!("{s}-{g}"),
            _ => format!("{g}{s}{}", r.between(1, 99)),
        }
    };
    let e = format!("{local}@{dom}");
    if r.chance(0.04) {
        let mut c = e.chars();
        c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or(e)
    } else {
        e
    }
}

fn ipv4(r: &mut Rng) -> String {
    let last = r.between(1, 254);
    match r.below(5) {
        0 => format!("10.{}.{}.{last}", r.below(256), r.below(256)),
        1 => format!("172.{}.{}.{last}", r.between(16, 31), r.below(256)),
        2 => format!("192.168.{}.{last}", r.below(256)),
        _ => {
            let first = r.pick(&[
                36u16, 39, 42, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121,
                122, 123, 124, 125, 180, 182, 183, 202, 210, 211, 218, 219, 220, 221, 222, 223,
            ]);
            format!("{first}.{}.{}.{last}", r.below(256), r.below(256))
        }
    }
}

fn ipv6(r: &mut Rng) -> String {
    let mut g = [0u16; 8];
    let rnd = |r: &mut Rng| r.below(0x1_0000) as u16;
    match r.below(5) {
        0 => g[0] = 0x240e,
        1 => g[0] = 0x2408,
        2 => g[0] = 0x2409,
        3 => {
            g[0] = 0x2001;
            g[1] = 0x0da8;
        }
        _ => g[0] = 0xfe80,
    }
    if g[0] != 0xfe80 {
        if g[1] == 0 {
            g[1] = rnd(r);
        }
        g[2] = rnd(r);
        g[3] = if r.chance(0.3) { 0 } else { rnd(r) };
    }
    for x in &mut g[4..] {
        *x = rnd(r);
    }
    if r.chance(0.35) {
        let at = r.between(3, 5);
        g[at] = 0;
        g[at + 1] = 0;
    }
    if r.chance(0.2) {
        g[7] = r.between(1, 255) as u16;
    }
    let s = match r.weighted(&[55, 30, 15]) {
        0 => Ipv6Addr::new(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]).to_string(),
        1 => g.iter().map(|x| format!("{x:x}")).collect::<Vec<_>>().join(":"),
        _ => g.iter().map(|x| format!("{x:04x}")).collect::<Vec<_>>().join(":"),
    };
    if r.chance(0.12) { s.to_ascii_uppercase() } else { s }
}

const PROVINCES: &[&str] = &[
    "京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖", "鲁", "新", "苏", "浙", "赣", "鄂", "桂", "甘",
    "晋", "蒙", "陕", "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼",
];
/// Provinces whose abbreviation is the same character in traditional script.
const PROVINCES_SAME_TC: &[&str] =
    &["京", "津", "渝", "冀", "豫", "黑", "湘", "皖", "新", "浙", "鄂", "桂", "甘", "蒙", "吉", "青", "藏", "川"];

fn plate(r: &mut Rng, tc: bool) -> String {
    let prov = if tc { r.pick(PROVINCES_SAME_TC) } else { r.pick(PROVINCES) };
    let city = r.pick(&LETTERS[..20]);
    let dot = if r.chance(0.1) { "·" } else { "" };
    let rest = match r.weighted(&[78, 16, 6]) {
        0 => {
            let mut cs: Vec<char> = r.digits(5).chars().collect();
            let letters = r.weighted(&[70, 22, 8]);
            for _ in 0..letters {
                let i = r.below(5);
                cs[i] = r.pick(LETTERS);
            }
            cs.into_iter().collect()
        }
        1 => {
            let second = if r.chance(0.5) { r.digit() } else { r.pick(LETTERS) };
            format!("{}{second}{}", r.pick(&['D', 'D', 'F', 'A', 'B', 'C', 'E', 'G', 'H', 'J', 'K']), r.digits(4))
        }
        _ => format!("{}{}", r.digits(5), r.pick(&['D', 'F'])),
    };
    format!("{prov}{city}{dot}{rest}")
}

// ------------------------------------------------------------------------------------------------
// The self-check every labelled value passes
// ------------------------------------------------------------------------------------------------

fn is_plate(s: &str) -> bool {
    let cs: Vec<char> = s.chars().filter(|c| *c != '·').collect();
    if cs.len() < 7 || !PROVINCES.iter().any(|p| p.starts_with(cs[0])) || !LETTERS.contains(&cs[1]) {
        return false;
    }
    let rest = &cs[2..];
    let alnum = |c: &char| c.is_ascii_digit() || LETTERS.contains(c);
    match rest.len() {
        5 => rest.iter().all(alnum),
        6 => {
            let small = "DFABCEGHJK".contains(rest[0]) && alnum(&rest[1]) && rest[2..].iter().all(char::is_ascii_digit);
            let large = rest[..5].iter().all(char::is_ascii_digit) && "DF".contains(rest[5]);
            small || large
        }
        _ => false,
    }
}

fn is_landline(s: &str) -> bool {
    let flat: String = s.chars().filter(|c| !"()（）".contains(*c)).collect();
    let parts: Vec<&str> = flat.split(['-', ' ']).collect();
    if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let local_ok = |area: &str, local: &str| {
        let len = if AREA8.contains(&area) {
            8
        } else if AREA7.contains(&area) {
            7
        } else {
            return false;
        };
        local.len() == len && (b'2'..=b'8').contains(&local.as_bytes()[0])
    };
    match parts.as_slice() {
        [all] => (3..=4).any(|n| all.len() > n && local_ok(&all[..n], &all[n..])),
        [area, local] => local_ok(area, local),
        [area, a, b] if a.len() == 4 && b.len() == 4 && local_ok(area, &format!("{a}{b}")) => true,
        [area, local, ext] => local_ok(area, local) && (1..=4).contains(&ext.len()),
        _ => false,
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, dom)) = s.split_once('@') else { return false };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    let labels: Vec<&str> = dom.split('.').collect();
    local_ok
        && labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Whether `value`, as labelled with entity type `ty`, passes this generator's own checks
/// (checksums, formats, area-code lengths, mobile segments).
pub fn value_is_valid(ty: &str, value: &str) -> bool {
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match ty {
        "cn_resident_id" => check::is_resident_id(value),
        "bank_card" => {
            let d: String = value.chars().filter(|c| *c != ' ').collect();
            if !(16..=19).contains(&d.len()) || !digits_only(&d) {
                return false;
            }
            let grouped_ok = !value.contains(' ') || value == group4(&d, " ");
            let mc2 = d.len() >= 4 && (2221..=2720).contains(&d[..4].parse::<u32>().unwrap_or(0));
            let brand = ["62", "60", "4", "51", "52", "53", "54", "55"].iter().any(|p| d.starts_with(p)) || mc2;
            grouped_ok && brand && check::luhn_ok(&d)
        }
        "cn_mobile" => {
            let d: String = value.strip_prefix("+86").unwrap_or(value).chars().filter(|c| !" -".contains(*c)).collect();
            d.len() == 11 && digits_only(&d) && SEGMENTS.contains(&&d[..3])
        }
        "cn_landline" => is_landline(value),
        "cn_passport" => {
            let b = value.as_bytes();
            value.is_ascii()
                && b.len() == 9
                && match b[0] {
                    b'E' => {
                        digits_only(&value[1..]) || (LETTERS.contains(&char::from(b[1])) && digits_only(&value[2..]))
                    }
                    b'G' => digits_only(&value[1..]),
                    _ => false,
                }
        }
        "hk_macau_permit" => {
            let b = value.as_bytes();
            if !value.is_ascii() {
                return false;
            }
            match b.first() {
                Some(b'C') => {
                    b.len() == 9
                        && (digits_only(&value[1..])
                            || (LETTERS.contains(&char::from(b[1])) && digits_only(&value[2..])))
                }
                Some(b'H' | b'M') => (b.len() == 9 || b.len() == 11) && digits_only(&value[1..]),
                _ => false,
            }
        }
        "email" => is_email(value),
        "ipv4" => value.parse::<Ipv4Addr>().is_ok_and(|a| a.to_string() == value),
        "ipv6" => value.parse::<Ipv6Addr>().is_ok(),
        "cn_uscc" => check::is_uscc(value),
        "cn_plate" => is_plate(value),
        _ => false,
    }
}

// ------------------------------------------------------------------------------------------------
// Generation
// ------------------------------------------------------------------------------------------------

type ShapeFn = fn(&mut Rng, &mut Doc);

/// `(name, weight, writer)`.
const SHAPES: &[(&str, u32, ShapeFn)] = &[
    ("hotline", 12, hotline),
    ("case_file", 9, case_file),
    ("csv", 10, csv),
    ("markdown", 6, markdown),
    ("fixed_width", 6, fixed_width),
    ("kv_block", 8, kv_block),
    ("json", 7, json),
    ("sql", 6, sql),
    ("log", 7, logs),
    ("sms", 7, sms),
    ("ocr", 5, ocr),
    ("english", 6, english),
    ("traditional", 5, traditional),
    ("bracketed", 4, bracketed),
    ("edge", 3, edge),
    ("multi_value", 3, multi_value),
];

/// The names of the text shapes, in the order [`generate_with_shapes`] may report them.
pub fn shape_names() -> Vec<&'static str> {
    SHAPES.iter().map(|s| s.0).collect()
}

/// Generate `n` labelled texts from `seed`.
pub fn generate(seed: u64, n: usize) -> Vec<LabelledText> {
    generate_with_shapes(seed, n).into_iter().map(|(_, t)| t).collect()
}

/// Generate `n` labelled texts from `seed`, each with the name of its text shape.
pub fn generate_with_shapes(seed: u64, n: usize) -> Vec<(&'static str, LabelledText)> {
    let mut r = Rng::new(seed);
    let weights: Vec<u32> = SHAPES.iter().map(|s| s.1).collect();
    (0..n)
        .map(|_| {
            let (name, _, write) = SHAPES[r.weighted(&weights)];
            let mut d = Doc::new();
            write(&mut r, &mut d);
            (name, d.finish())
        })
        .collect()
}

// --- 12345 hotline work orders -------------------------------------------------------------------

fn hotline_topic(r: &mut Rng, d: &mut Doc, p: &Person) {
    match r.below(9) {
        0 => {
            d.t(&format!("来电人反映{}附近有车牌号为", address(r)));
            let pl = plate(r, d.tc);
            d.p(K::Plate, &pl);
            d.t("的车辆长期占用消防通道，多次联系车主（电话");
            d.v(&mobile(r));
            d.t("）未果，要求相关部门处理。");
        }
        1 => {
            d.t(&format!("来电人称其在{}办理会员时被要求提供身份证号及银行卡号，其后名下尾号", company(r)));
            d.t(&r.digits(4));
            let (c, bank, _) = bank_card(r);
            d.t(&format!("的{bank}卡（卡号"));
            let ct = card_text(r, &c);
            d.p(K::BankCard, &ct);
            d.t("）被扣款");
            d.t(&amount(r, false));
            d.t("元，订单号");
            d.t(&order_no(r));
            d.t("，要求退款。");
        }
        2 => {
            d.t(&format!("来电人于{}在{}遗失", date_text(r), r.pick(&["地铁站", "机场", "出租车上", "商场"])));
            match r.below(3) {
                0 => {
                    d.t("往来港澳通行证（证件号码");
                    d.p(K::Permit, &eep(r));
                    d.t("）");
                }
                1 => {
                    d.t("护照（护照号");
                    d.p(K::Passport, &passport(r));
                    d.t("）");
                }
                _ => {
                    d.t("港澳居民来往内地通行证，证件号");
                    d.p(K::Permit, &home_return(r));
                }
            }
            d.t("，咨询补办流程及是否需要登报声明。");
        }
        3 => {
            d.t(&format!("来电人投诉{}（统一社会信用代码", company(r)));
            d.p(K::Uscc, &uscc(r));
            d.t(&format!("）拖欠其{}个月工资共计{}元，该公司联系电话", r.between(2, 8), amount(r, false)));
            d.v(&landline(r));
            d.t("无人接听，要求劳动监察部门介入。");
        }
        4 => {
            d.t("来电人称收到自称客服的邮件（发件邮箱");
            d.p(K::Email, &email(r));
            d.t("），点击链接后页面显示其登录地址为");
            d.p(K::Ipv4, &ipv4(r));
            if r.chance(0.4) {
                d.t("（IPv6：");
                d.p(K::Ipv6, &ipv6(r));
                d.t("）");
            }
            d.t(&format!("，随后被骗{}元，已向派出所报案。", amount(r, false)));
        }
        5 => {
            d.t(&format!("来电人反映{}楼上住户夜间噪音扰民，", address(r)));
            if r.chance(0.5) {
                d.t("楼上住户电话");
                d.v(&mobile(r));
                d.t("，");
            }
            d.t("物业协调无果。");
        }
        6 => {
            d.t("来电人反映快递（运单号");
            d.t(&tracking_no(r));
            d.t(&format!("）于{}显示签收但本人未收到，快递员电话", date_text(r)));
            d.v(&mobile(r));
            d.t("，要求核实。");
        }
        7 => {
            d.t("来电人咨询社保缴费年限，其社会保障号码");
            let id = id_text(r, &p.id);
            d.p(K::ResidentId, &id);
            d.t(&format!("，系统显示{}至今未缴费。", date_text(r)));
        }
        _ => {
            d.t("来电人反映其邮箱");
            d.p(K::Email, &email(r));
            d.t("长期收到冒充政务服务网的邮件，邮件称其身份证号");
            d.t(&id_wrong_check(r));
            d.t("存在异常，要求核查。");
        }
    }
}

fn hotline(r: &mut Rng, d: &mut Doc) {
    let p = person(r);
    let honor = if p.male { "先生" } else { "女士" };
    if r.chance(0.25) {
        // One paragraph, as the agent typed it.
        d.t(&datetime(r));
        d.t(&format!("，市民{}{honor}（来电号码", p.sur));
        d.v(&phone(r));
        d.t("）来电：");
        hotline_topic(r, d, &p);
        d.t("工单号");
        d.t(&work_order_no(r));
        d.t(&format!("，已转{}办理。", r.pick(UNITS)));
        return;
    }
    let c = colon(r);
    let title =
        r.pick(&["12345政务服务便民热线工单", "市民服务热线来电记录", "12345热线转办单", "便民服务热线工单（转办）"]);
    if r.chance(0.6) {
        d.t(&format!("【{title}】\n"));
    } else {
        d.t(&format!("{title}\n"));
    }
    d.t(&format!("工单编号{c}"));
    d.t(&work_order_no(r));
    d.t(&format!("\n{}{c}", r.pick(&["受理时间", "来电时间"])));
    d.t(&datetime(r));
    if r.chance(0.5) {
        d.t(&format!("\n来电人{c}{}{honor}\n", p.sur));
    } else {
        d.t(&format!("\n来电人{c}{}\n", p.name));
    }
    d.t(&format!("{}{c}", r.pick(&["来电号码", "主叫号码", "来电电话"])));
    d.v(&phone(r));
    d.t("\n");
    match r.below(4) {
        0 => d.t(&format!("联系方式{c}同来电号码\n")),
        1 => {
            d.t(&format!("联系方式{c}"));
            d.v(&mobile(r));
            if r.chance(0.4) {
                d.t(r.pick(&["、", "/", "，", " / "]));
                d.v(&landline(r));
            }
            d.t("\n");
        }
        _ => {}
    }
    if r.chance(0.35) {
        d.t(&format!("{}{c}", r.pick(&["身份证号", "证件号码", "身份证号码"])));
        let id = id_text(r, &p.id);
        d.p(K::ResidentId, &id);
        d.t("\n");
    }
    d.t(&format!("诉求类型{c}{}\n", r.pick(&["投诉", "咨询", "求助", "建议", "举报"])));
    d.t(&format!("诉求内容{c}"));
    hotline_topic(r, d, &p);
    d.t(&format!("\n承办单位{c}{}", r.pick(UNITS)));
    if r.chance(0.5) {
        d.t(&format!("\n办理时限{c}{}个工作日", r.pick(&[3, 5, 7, 15])));
    }
    if r.chance(0.3) {
        d.t(&format!("\n回访情况{c}已于"));
        d.t(&datetime(r));
        d.t("电话回访，来电人表示满意");
    }
}

// --- case files ----------------------------------------------------------------------------------

fn case_file(r: &mut Rng, d: &mut Doc) {
    let p = person(r);
    let c = colon(r);
    d.t(r.pick(&["行政处罚决定书", "民事判决书（节选）", "询问笔录（摘录）", "行政复议决定书", "人民调解协议书"]));
    d.t("\n");
    if r.chance(0.7) {
        d.t(&format!("{}{c}{}\n", r.pick(&["案号", "文号"]), case_no(r)));
    }
    let (y, m, dd) = p.birth;
    d.t(&format!(
        "{}{c}{}，{}，{y}年{m}月{dd}日出生，{}族，",
        r.pick(&["当事人", "申请人", "原告", "被处罚人"]),
        p.name,
        if p.male { "男" } else { "女" },
        r.pick(&["汉", "汉", "汉", "回", "满", "壮", "蒙古"])
    ));
    d.t(&format!("{}{}", r.pick(&["身份证号码", "公民身份号码", "身份证号"]), r.pick(&["：", "", " "])));
    let id = id_text(r, &p.id);
    d.p(K::ResidentId, &id);
    d.t(&format!("，住{}，联系电话{}", address(r), r.pick(&["：", "", " "])));
    d.v(&mobile(r));
    if r.chance(0.25) {
        d.t("、");
        d.v(&landline(r));
    }
    d.t("。\n");
    if r.chance(0.4) {
        d.t(&format!(
            "委托代理人{c}{}{}，{}律师事务所律师，执业证号1{}，联系电话",
            r.pick(SURNAMES),
            r.pick(GIVEN),
            r.pick(&["浙江天册", "北京大成", "广东广和", "四川发现"]),
            r.digits(16),
        ));
        d.v(&landline(r));
        d.t("。\n");
    }
    if r.chance(0.5) {
        d.t(&format!("{}{c}{}，统一社会信用代码", r.pick(&["被申请人", "被告", "第三人"]), company(r)));
        d.t(r.pick(&["：", "", " "]));
        d.p(K::Uscc, &uscc(r));
        d.t(&format!("，住所地{}，法定代表人{}{}，电话", address(r), r.pick(SURNAMES), r.pick(GIVEN)));
        d.v(&landline(r));
        d.t("。\n");
    }
    for _ in 0..r.between(1, 2) {
        match r.below(7) {
            0 => {
                let (card, bank, _) = bank_card(r);
                d.t(&format!("经查，{}于{}通过其名下{bank}账户（卡号：", p.name, date_text(r)));
                let ct = card_text(r, &card);
                d.p(K::BankCard, &ct);
                d.t(&format!("）向{}{}转账人民币{}元。", r.pick(SURNAMES), r.pick(GIVEN), amount(r, false)));
            }
            1 => {
                d.t(&format!("{}于{}持护照（证件号码：", p.name, date_text(r)));
                d.p(K::Passport, &passport(r));
                d.t(&format!("）经{}口岸出境", r.pick(&["罗湖", "拱北", "首都机场", "浦东机场"])));
                if r.chance(0.5) {
                    d.t("，后持往来港澳通行证");
                    d.p(K::Permit, &eep(r));
                    d.t("入境");
                }
                d.t("。");
            }
            2 => {
                d.t(&format!("{}，{}驾驶车牌号为", date_text(r), p.name));
                let pl = plate(r, d.tc);
                d.p(K::Plate, &pl);
                d.t(&format!(
                    "的小型轿车在{}{}路段与他人车辆发生碰撞。",
                    r.pick(ROADS),
                    r.pick(&["东段", "西段", "与中山路交叉口"])
                ));
            }
            3 => {
                d.t(&format!("{}使用电子邮箱", p.name));
                d.p(K::Email, &email(r));
                d.t("注册账号，后台记录其登录IP地址为");
                d.p(K::Ipv4, &ipv4(r));
                if r.chance(0.35) {
                    d.t("及");
                    d.p(K::Ipv6, &ipv6(r));
                }
                d.t("。");
            }
            4 => {
                d.t(&format!("另查明，{}{}提供的身份证号码", r.pick(SURNAMES), r.pick(GIVEN)));
                let bad = if r.chance(0.7) { id_wrong_check(r) } else { id_bad_date(r) };
                d.t(&bad);
                d.t("经核验与户籍信息不符。");
            }
            5 => {
                d.t("当事人称其银行卡卡号");
                d.t(&card_luhn_bad(r));
                d.t("为收款账户，经核实该卡号不存在。");
            }
            _ => {
                d.t(&format!("{}的港澳居民来往内地通行证号码为", p.name));
                d.p(K::Permit, &home_return(r));
                d.t("。");
            }
        }
    }
    d.t(&format!(
        "\n以上事实，有{}等证据证实。",
        r.pick(&["询问笔录、银行流水", "现场照片、视频资料", "合同、转账记录"])
    ));
}

// --- tables --------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    Seq,
    Name,
    Gender,
    Id,
    Mobile,
    Landline,
    Email,
    Card,
    Bank,
    Passport,
    Permit,
    HomeReturn,
    Plate,
    Company,
    Uscc,
    LegalRep,
    Ipv4,
    Ipv6,
    Host,
    Address,
    OrderNo,
    Amount,
    Date,
    Version,
    Tracking,
    MaskedMobile,
    MaskedId,
    Status,
    Invoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Zh,
    En,
    Snake,
    Camel,
}

fn field_labels(f: F, st: Style) -> &'static [&'static str] {
    match st {
        Style::Zh => match f {
            F::Seq => &["序号", "编号"],
            F::Name => &["姓名", "申请人", "联系人", "户主姓名"],
            F::Gender => &["性别"],
            F::Id => &["身份证号", "身份证号码", "证件号码", "公民身份号码", "社会保障号码"],
            F::Mobile => &["手机号", "手机号码", "联系电话", "移动电话"],
            F::Landline => &["固定电话", "办公电话", "座机", "单位电话"],
            F::Email => &["电子邮箱", "邮箱", "E-mail"],
            F::Card => &["银行卡号", "卡号", "收款账号", "社保卡金融账号"],
            F::Bank => &["开户行", "开户银行", "发卡行"],
            F::Passport => &["护照号码", "护照号", "普通护照号码"],
            F::Permit => &["往来港澳通行证号码", "港澳通行证号", "通行证号码"],
            F::HomeReturn => &["回乡证号码", "港澳居民来往内地通行证", "来往内地通行证号码"],
            F::Plate => &["车牌号", "车牌号码", "号牌号码"],
            F::Company => &["单位名称", "企业名称", "市场主体名称"],
            F::Uscc => &["统一社会信用代码", "信用代码"],
            F::LegalRep => &["法定代表人", "负责人"],
            F::Ipv4 => &["IP地址", "IPv4地址", "管理IP", "业务IP"],
            F::Ipv6 => &["IPv6地址", "IPv6"],
            F::Host => &["主机名", "设备名称", "资产名称"],
            F::Address => &["住址", "地址", "联系地址", "户籍地址"],
            F::OrderNo => &["订单号", "业务流水号", "受理编号"],
            F::Amount => &["金额", "发放金额（元）", "补贴金额", "交易金额"],
            F::Date => &["日期", "登记日期", "办理日期", "申请日期"],
            F::Version => &["版本", "固件版本", "系统版本"],
            F::Tracking => &["快递单号", "运单号", "物流单号"],
            F::MaskedMobile => &["手机号（脱敏）", "联系电话（脱敏）"],
            F::MaskedId => &["身份证号（脱敏）", "证件号码（已脱敏）"],
            F::Status => &["状态", "办理状态", "审核状态"],
            F::Invoice => &["发票号码", "发票代码"],
        },
        Style::En => match f {
            F::Seq => &["No.", "#"],
            F::Name => &["Name", "Full name"],
            F::Gender => &["Sex", "Gender"],
            F::Id => &["ID No.", "ID Number", "Citizen ID"],
            F::Mobile => &["Mobile", "Phone", "Cell"],
            F::Landline => &["Tel", "Office Tel", "Landline"],
            F::Email => &["Email", "E-mail"],
            F::Card => &["Card No.", "Bank Card", "Account No."],
            F::Bank => &["Bank", "Issuing Bank"],
            F::Passport => &["Passport No.", "Passport"],
            F::Permit => &["EEP No.", "HK/Macau Permit"],
            F::HomeReturn => &["Home Return Permit", "Mainland Travel Permit"],
            F::Plate => &["Plate", "Plate No.", "Vehicle"],
            F::Company => &["Company", "Entity Name"],
            F::Uscc => &["USCC", "Credit Code"],
            F::LegalRep => &["Legal Rep."],
            F::Ipv4 => &["IP", "IPv4", "Mgmt IP"],
            F::Ipv6 => &["IPv6"],
            F::Host => &["Hostname", "Host"],
            F::Address => &["Address"],
            F::OrderNo => &["Order No.", "Ref"],
            F::Amount => &["Amount", "Amount (CNY)"],
            F::Date => &["Date"],
            F::Version => &["Version", "Firmware"],
            F::Tracking => &["Tracking No.", "Waybill"],
            F::MaskedMobile => &["Mobile (masked)"],
            F::MaskedId => &["ID (masked)"],
            F::Status => &["Status"],
            F::Invoice => &["Invoice No."],
        },
        Style::Snake => match f {
            F::Seq => &["id"],
            F::Name => &["name", "xm", "user_name"],
            F::Gender => &["gender", "xb"],
            F::Id => &["sfzh", "id_card", "id_no", "cert_no"],
            F::Mobile => &["sjhm", "mobile", "phone"],
            F::Landline => &["lxdh", "tel", "office_tel"],
            F::Email => &["email", "dzyx"],
            F::Card => &["yhkh", "bank_card_no", "card_no"],
            F::Bank => &["khh", "bank_name"],
            F::Passport => &["passport_no", "hzhm"],
            F::Permit => &["eep_no", "gatxz_no"],
            F::HomeReturn => &["hxz_no", "hrp_no"],
            F::Plate => &["plate_no", "cphm"],
            F::Company => &["dwmc", "company_name"],
            F::Uscc => &["tyshxydm", "uscc", "credit_code"],
            F::LegalRep => &["fddbr", "legal_rep"],
            F::Ipv4 => &["ip", "ipv4_addr", "mgmt_ip"],
            F::Ipv6 => &["ipv6", "ipv6_addr"],
            F::Host => &["hostname"],
            F::Address => &["address", "dz"],
            F::OrderNo => &["order_no", "lsh"],
            F::Amount => &["amount", "je"],
            F::Date => &["create_date", "djrq"],
            F::Version => &["version", "fw_version"],
            F::Tracking => &["waybill_no"],
            F::MaskedMobile => &["mobile_masked"],
            F::MaskedId => &["id_masked"],
            F::Status => &["status", "zt"],
            F::Invoice => &["invoice_no", "fphm"],
        },
        Style::Camel => match f {
            F::Seq => &["id"],
            F::Name => &["name", "userName", "realName"],
            F::Gender => &["gender"],
            F::Id => &["idCard", "idNo", "certNo"],
            F::Mobile => &["mobile", "phone", "phoneNumber"],
            F::Landline => &["tel", "officeTel"],
            F::Email => &["email"],
            F::Card => &["bankCardNo", "cardNo"],
            F::Bank => &["bankName"],
            F::Passport => &["passportNo"],
            F::Permit => &["eepNo", "hkMacauPermitNo"],
            F::HomeReturn => &["homeReturnNo"],
            F::Plate => &["plateNo", "licensePlate"],
            F::Company => &["companyName"],
            F::Uscc => &["creditCode", "uscc"],
            F::LegalRep => &["legalRep"],
            F::Ipv4 => &["ip", "clientIp"],
            F::Ipv6 => &["ipv6"],
            F::Host => &["hostname"],
            F::Address => &["address"],
            F::OrderNo => &["orderNo", "bizNo"],
            F::Amount => &["amount"],
            F::Date => &["createDate", "applyDate"],
            F::Version => &["version", "fwVersion"],
            F::Tracking => &["waybillNo"],
            F::MaskedMobile => &["mobileMasked"],
            F::MaskedId => &["idMasked"],
            F::Status => &["status"],
            F::Invoice => &["invoiceNo"],
        },
    }
}

const SCHEMAS: &[(&str, &[F])] = &[
    ("人员信息登记表", &[F::Seq, F::Name, F::Gender, F::Id, F::Mobile, F::Address]),
    ("补贴发放明细", &[F::Seq, F::Name, F::Id, F::Card, F::Bank, F::Amount, F::Status]),
    ("车辆登记信息", &[F::Seq, F::Name, F::Plate, F::Mobile, F::Date]),
    ("出入境证件信息", &[F::Seq, F::Name, F::Passport, F::Permit, F::Mobile, F::Date]),
    ("港澳居民登记", &[F::Seq, F::Name, F::HomeReturn, F::Mobile, F::Email]),
    ("市场主体名录", &[F::Seq, F::Company, F::Uscc, F::LegalRep, F::Landline, F::Email]),
    ("网络资产台账", &[F::Seq, F::Host, F::Ipv4, F::Ipv6, F::Email, F::Version]),
    ("寄递信息", &[F::OrderNo, F::Name, F::MaskedMobile, F::Tracking, F::Amount, F::Address]),
    ("来访登记", &[F::Seq, F::Name, F::Id, F::Landline, F::Mobile, F::Date, F::Status]),
    ("开票信息", &[F::Seq, F::Company, F::Uscc, F::Invoice, F::Amount, F::Email]),
    ("核验名单", &[F::Seq, F::Name, F::MaskedId, F::Mobile, F::Card, F::Status]),
];

struct Table {
    title: &'static str,
    cols: Vec<F>,
    headers: Vec<&'static str>,
    rows: Vec<Vec<Val>>,
}

/// `machine`: amounts without thousands separators and ISO dates (JSON, SQL).
fn table(r: &mut Rng, st: Style, machine: bool, tc: bool, max_rows: usize) -> Table {
    let (title, cols) = r.pick(SCHEMAS);
    let headers: Vec<&'static str> = cols.iter().map(|f| r.pick(field_labels(*f, st))).collect();
    let en = st != Style::Zh;
    let n = r.between(2, max_rows);
    let rows = (0..n)
        .map(|i| {
            let p = person(r);
            let (card, bank, bank_en) = bank_card(r);
            cols.iter()
                .map(|f| {
                    let optional = matches!(f, F::Email | F::Landline | F::Address | F::Ipv6);
                    if optional && r.chance(0.04) {
                        return neg(String::new());
                    }
                    cell(r, *f, i, &p, (card.as_str(), bank, bank_en), machine, en, tc)
                })
                .collect()
        })
        .collect();
    Table { title, cols: cols.to_vec(), headers, rows }
}

#[allow(clippy::too_many_arguments)]
fn cell(
    r: &mut Rng,
    f: F,
    i: usize,
    p: &Person,
    card: (&str, &'static str, &'static str),
    machine: bool,
    en: bool,
    tc: bool,
) -> Val {
    match f {
        F::Seq => neg((i + 1).to_string()),
        F::Name => neg(if en { en_name(r) } else { p.name.clone() }),
        F::Gender => neg(match (en, p.male) {
            (true, true) => "M",
            (true, false) => "F",
            (false, true) => "男",
            (false, false) => "女",
        }
        .to_owned()),
        F::Id => pos(K::ResidentId, id_text(r, &p.id)),
        F::Mobile => {
            if r.chance(0.9) {
                pos(K::Mobile, mobile_digits(r))
            } else {
                mobile(r)
            }
        }
        F::Landline => landline(r),
        F::Email => pos(K::Email, email(r)),
        F::Card => pos(K::BankCard, if r.chance(0.95) { card.0.to_owned() } else { group4(card.0, " ") }),
        F::Bank => neg((if en { card.2 } else { card.1 }).to_owned()),
        F::Passport => pos(K::Passport, passport(r)),
        F::Permit => pos(K::Permit, eep(r)),
        F::HomeReturn => pos(K::Permit, home_return(r)),
        F::Plate => pos(K::Plate, plate(r, tc)),
        F::Company => neg(if en { company_en(r) } else { company(r) }),
        F::Uscc => pos(K::Uscc, uscc(r)),
        F::LegalRep => neg(if en { en_name(r) } else { format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN)) }),
        F::Ipv4 => pos(K::Ipv4, ipv4(r)),
        F::Ipv6 => pos(K::Ipv6, ipv6(r)),
        F::Host => neg(format!(
            "{}-{}-{:02}",
            r.pick(&["zwfw", "oa", "db", "gis", "dmz", "core"]),
            r.pick(&["app", "web", "master", "node", "sw"]),
            r.between(1, 40)
        )),
        F::Address => neg(if en {
            format!(
                "No. {} {} Road, {}",
                r.between(1, 999),
                r.pick(&["Jianguo", "Zhongshan", "Renmin", "Xueyuan"]),
                r.pick(&["Beijing", "Hangzhou", "Shenzhen"])
            )
        } else {
            address(r)
        }),
        F::OrderNo => neg(order_no(r)),
        F::Amount => neg(amount(r, machine)),
        F::Date => neg(if machine {
            let (y, m, d) = ymd(r);
            format!("{y}-{m:02}-{d:02}")
        } else {
            date_text(r)
        }),
        F::Version => neg(match r.below(3) {
            0 => version4(r),
            1 => format!("V{}", version4(r)),
            _ => format!("{}.{}.{}", r.between(1, 9), r.below(20), r.below(50)),
        }),
        F::Tracking => neg(tracking_no(r)),
        F::MaskedMobile => neg(masked_mobile(r)),
        F::MaskedId => neg(masked_id(r)),
        F::Status => neg((if en {
            r.pick(&["Approved", "Pending", "Done", "Rejected"])
        } else {
            r.pick(&["已办结", "待审核", "已发放", "已核实", "退回补正"])
        })
        .to_owned()),
        F::Invoice => neg(if r.chance(0.5) { r.digits(8) } else { format!("24{}", r.digits(18)) }),
    }
}

fn table_style(r: &mut Rng) -> Style {
    if r.chance(0.7) {
        Style::Zh
    } else if r.chance(0.5) {
        Style::En
    } else {
        Style::Snake
    }
}

fn csv(r: &mut Rng, d: &mut Doc) {
    let st = table_style(r);
    let t = table(r, st, false, false, 8);
    let delim = if r.chance(0.7) { "," } else { "\t" };
    let nl = if r.chance(0.3) { "\r\n" } else { "\n" };
    let quote_all = r.chance(0.3);
    let apostrophe = r.chance(0.12);
    let tab_suffix = !apostrophe && delim == "," && r.chance(0.08);
    if r.chance(0.15) {
        d.raw("\u{FEFF}");
    }
    if r.chance(0.2) {
        d.t(&format!("导出时间：{}{nl}", datetime(r)));
    }
    let head: Vec<String> = t
        .headers
        .iter()
        .map(|h| if quote_all || h.contains(delim) { format!("\"{h}\"") } else { (*h).to_owned() })
        .collect();
    d.t(&head.join(delim));
    for row in &t.rows {
        d.t(nl);
        for (j, (f, v)) in t.cols.iter().zip(row).enumerate() {
            if j > 0 {
                d.t(delim);
            }
            let long_digits = matches!(f, F::Id | F::Card);
            // Excel shows a long number it was not told is text as 1.10105E+17.
            if *f == F::Id && !apostrophe && !tab_suffix && r.chance(0.04) {
                let id = &p_digits(v);
                d.t(&format!("{}.{}E+17", &id[..1], &id[1..6]));
                continue;
            }
            let q = quote_all || v.s.contains(delim) || (tab_suffix && long_digits);
            if q {
                d.t("\"");
            }
            if apostrophe && long_digits && v.kind.is_some() {
                d.t("'");
            }
            d.v(v);
            if tab_suffix && long_digits {
                d.t("\t");
            }
            if q {
                d.t("\"");
            }
        }
    }
    if r.chance(0.5) {
        d.t(nl);
    }
}

fn p_digits(v: &Val) -> String {
    v.s.chars().filter(char::is_ascii_digit).collect::<String>() + "000000"
}

fn markdown(r: &mut Rng, d: &mut Doc) {
    let st = if r.chance(0.75) { Style::Zh } else { Style::En };
    let t = table(r, st, false, false, 7);
    if r.chance(0.5) {
        d.t(&format!("### {}\n\n", if st == Style::Zh { t.title } else { "Records" }));
    }
    d.t(&format!("| {} |\n", t.headers.join(" | ")));
    let align = r.pick(&["---", ":---", ":---:", "----"]);
    d.t(&format!("|{}|", vec![format!(" {align} "); t.headers.len()].join("|")));
    for row in &t.rows {
        d.t("\n|");
        for v in row {
            d.t(" ");
            d.v(v);
            d.t(" |");
        }
    }
    if r.chance(0.4) {
        d.t(&format!("\n\n注：共{}条记录，数据截至{}。", t.rows.len(), date_text(r)));
    }
}

fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn fixed_width(r: &mut Rng, d: &mut Doc) {
    let st = if r.chance(0.75) { Style::Zh } else { Style::En };
    let t = table(r, st, false, false, 8);
    let ncol = t.headers.len();
    let mut w = vec![0; ncol];
    for (j, h) in t.headers.iter().enumerate() {
        w[j] = width(h);
    }
    for row in &t.rows {
        for (j, v) in row.iter().enumerate() {
            w[j] = w[j].max(width(&v.s));
        }
    }
    let gap = r.between(1, 4);
    if r.chance(0.5) {
        d.t(&format!("{}\n", t.title));
    }
    for (j, h) in t.headers.iter().enumerate() {
        d.t(h);
        if j + 1 < ncol {
            d.t(&" ".repeat(w[j] - width(h) + gap));
        }
    }
    if r.chance(0.6) {
        let total: usize = w.iter().sum::<usize>() + gap * (ncol - 1);
        d.t(&format!("\n{}", r.pick(&["-", "=", "─"]).repeat(total)));
    }
    for row in &t.rows {
        d.t("\n");
        for (j, v) in row.iter().enumerate() {
            d.v(v);
            if j + 1 < ncol {
                d.t(&" ".repeat(w[j] - width(&v.s) + gap));
            }
        }
    }
}

fn kv_block(r: &mut Rng, d: &mut Doc) {
    let st = if d.tc || r.chance(0.75) { Style::Zh } else { Style::En };
    let t = table(r, st, false, d.tc, 3);
    let sep = r.pick(&["：", ":", ": ", "=", "\t", " : ", "："]);
    let bracket = st == Style::Zh && r.chance(0.15);
    for (i, row) in t.rows.iter().enumerate() {
        if i > 0 {
            d.t(r.pick(&["\n\n", "\n----\n", "\n"]));
        }
        let mut first = true;
        for (f, (h, v)) in t.cols.iter().zip(t.headers.iter().zip(row)) {
            if *f == F::Seq {
                continue;
            }
            if !first {
                d.t("\n");
            }
            first = false;
            if bracket {
                d.t(&format!("【{h}】"));
            } else {
                d.t(&format!("{h}{sep}"));
            }
            d.v(v);
        }
    }
}

fn json(r: &mut Rng, d: &mut Doc) {
    let t = table(r, Style::Camel, true, false, 5);
    let pretty = r.chance(0.4);
    let mobile_num = r.chance(0.2);
    let wrap = r.chance(0.5);
    let (nl, ind) = if pretty { ("\n", "  ") } else { ("", "") };
    let colon = if pretty { ": " } else { ":" };
    if wrap {
        d.t(&format!("{{\"code\"{colon}0,\"msg\"{colon}\"success\",\"timestamp\"{colon}{},\"data\"{colon}{{\"total\"{colon}{},\"list\"{colon}", timestamp(r), t.rows.len()));
    }
    d.t("[");
    for (i, row) in t.rows.iter().enumerate() {
        if i > 0 {
            d.t(",");
        }
        d.t(&format!("{nl}{ind}{{"));
        for (j, (f, (h, v))) in t.cols.iter().zip(t.headers.iter().zip(row)).enumerate() {
            if j > 0 {
                d.t(",");
            }
            d.t(&format!("{nl}{ind}{ind}\"{h}\"{colon}"));
            let bare = matches!(f, F::Seq | F::Amount)
                || (mobile_num && *f == F::Mobile && v.s.bytes().all(|b| b.is_ascii_digit()));
            if v.s.is_empty() {
                d.t("null");
            } else if bare {
                d.v(v);
            } else {
                d.t("\"");
                d.v(v);
                d.t("\"");
            }
        }
        d.t(&format!("{nl}{ind}}}"));
    }
    d.t(&format!("{nl}]"));
    if wrap {
        d.t("}}");
    }
}

fn sql(r: &mut Rng, d: &mut Doc) {
    let t = table(r, Style::Snake, true, false, 5);
    let tbl = r.pick(&["t_person", "zwfw.t_applicant", "t_subsidy_detail", "ods_citizen_info", "t_visit_log"]);
    let bt = r.chance(0.5);
    let q = |s: &str| if bt { format!("`{s}`") } else { s.to_owned() };
    let cols: Vec<String> = t.headers.iter().map(|h| q(h)).collect();
    let head = format!("INSERT INTO {} ({}) VALUES ", q(tbl), cols.join(", "));
    let multi = r.chance(0.5);
    if r.chance(0.3) {
        d.t(&format!("-- 导出自 {} 于 {}\n", tbl, datetime(r)));
    }
    for (i, row) in t.rows.iter().enumerate() {
        if i == 0 || !multi {
            if i > 0 {
                d.t("\n");
            }
            d.t(&head);
        } else {
            d.t(",\n  ");
        }
        d.t("(");
        for (j, (f, v)) in t.cols.iter().zip(row).enumerate() {
            if j > 0 {
                d.t(", ");
            }
            if v.s.is_empty() {
                d.t("NULL");
            } else if matches!(f, F::Seq | F::Amount) {
                d.v(v);
            } else {
                d.t("'");
                d.v(v);
                d.t("'");
            }
        }
        d.t(")");
        if !multi {
            d.t(";");
        }
    }
    if multi {
        d.t(";");
    }
}

// --- logs ----------------------------------------------------------------------------------------

const MONTHS: &[&str] = &["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const UAS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.92",
    "okhttp/4.9.3",
    "curl/7.81.0",
];

fn any_ip(r: &mut Rng) -> Val {
    if r.chance(0.75) { pos(K::Ipv4, ipv4(r)) } else { pos(K::Ipv6, ipv6(r)) }
}

fn log_line(r: &mut Rng, d: &mut Doc) {
    let (y, m, dd) = ymd(r);
    let (hh, mi, ss) = (r.below(24), r.below(60), r.below(60));
    match r.below(6) {
        0 | 1 => {
            d.v(&any_ip(r));
            d.t(&format!(
                " - - [{dd:02}/{}/{y}:{hh:02}:{mi:02}:{ss:02} +0800] \"{} ",
                MONTHS[(m - 1) as usize],
                r.pick(&["GET", "GET", "POST"])
            ));
            d.t(r.pick(&["/api/v1/user/query", "/zwfw/apply/detail", "/portal/login", "/api/citizen/verify"]));
            match r.below(5) {
                0 => {
                    d.t("?mobile=");
                    d.p(K::Mobile, &mobile_digits(r));
                    d.t(&format!("&_t={}", timestamp(r)));
                }
                1 => {
                    d.t("?idCard=");
                    let id = resident_id(r);
                    d.p(K::ResidentId, &id);
                    d.t("&type=1");
                }
                2 => {
                    d.t("?email=");
                    d.p(K::Email, &email(r));
                }
                3 => d.t(&format!("?page={}&size=20&version={}", r.between(1, 30), version4(r))),
                _ => {}
            }
            d.t(&format!(
                " HTTP/1.1\" {} {} \"{}\" \"{}\"",
                r.pick(&[200, 200, 200, 302, 404, 500]),
                r.between(200, 99_999),
                r.pick(&["-", "https://zwfw.example.gov.cn/", "https://www.example.gov.cn/portal/index.html"]),
                r.pick(UAS)
            ));
        }
        2 => {
            d.t(&format!(
                "{y}-{m:02}-{dd:02} {hh:02}:{mi:02}:{ss:02}.{:03} [http-nio-8080-exec-{}] {} c.g.zwfw.UserController - {}, userId={}, mobile=",
                r.below(1000),
                r.between(1, 200),
                r.pick(&["INFO ", "WARN ", "INFO "]),
                r.pick(&["login ok", "sms sent", "verify failed"]),
                r.digits(6)
            ));
            d.p(K::Mobile, &mobile_digits(r));
            d.t(", clientIp=");
            d.p(K::Ipv4, &ipv4(r));
            d.t(&format!(", appVersion={}", version4(r)));
        }
        3 => {
            d.t(&format!("{{\"ts\":\"{y}-{m:02}-{dd:02}T{hh:02}:{mi:02}:{ss:02}.{:03}+08:00\",\"level\":\"INFO\",\"remote_addr\":\"", r.below(1000)));
            d.v(&any_ip(r));
            d.t("\",\"uri\":\"/api/apply/submit\",\"user_email\":\"");
            d.p(K::Email, &email(r));
            d.t(&format!("\",\"latency_ms\":{},\"trace_id\":\"{}\"}}", r.between(1, 900), r.digits(16)));
        }
        4 => {
            d.t(&format!(
                "{} {dd:2} {hh:02}:{mi:02}:{ss:02} fw01 kernel: [{}.{}] DROP IN=eth0 OUT= SRC=",
                MONTHS[(m - 1) as usize],
                r.between(1000, 999_999),
                r.digits(6)
            ));
            let v6 = r.chance(0.25);
            let ip = |r: &mut Rng| if v6 { pos(K::Ipv6, ipv6(r)) } else { pos(K::Ipv4, ipv4(r)) };
            d.v(&ip(r));
            d.t(" DST=");
            d.v(&ip(r));
            d.t(&format!(" PROTO=TCP SPT={} DPT={}", r.between(1024, 65535), r.pick(&[22, 80, 443, 3306, 8080])));
        }
        _ => {
            d.t(&format!(
                "{} {dd:2} {hh:02}:{mi:02}:{ss:02} bastion sshd[{}]: {} for {} from ",
                MONTHS[(m - 1) as usize],
                r.between(1000, 65000),
                r.pick(&["Accepted publickey", "Failed password", "Accepted password"]),
                r.pick(&["root", "ops", "admin", "deploy"])
            ));
            if r.chance(0.3) {
                d.t("[");
                d.p(K::Ipv6, &ipv6(r));
                d.t("]");
            } else {
                d.p(K::Ipv4, &ipv4(r));
            }
            d.t(&format!(" port {} ssh2", r.between(1024, 65535)));
        }
    }
}

fn logs(r: &mut Rng, d: &mut Doc) {
    for i in 0..r.between(1, 6) {
        if i > 0 {
            d.t("\n");
        }
        log_line(r, d);
    }
    if r.chance(0.3) {
        d.t("\n");
    }
}

// --- SMS -----------------------------------------------------------------------------------------

fn sms_one(r: &mut Rng, d: &mut Doc) {
    let city = r.pick(&["杭州", "深圳", "成都", "南京", "武汉", "西安"]);
    match r.below(12) {
        0 => {
            d.t(&format!("【{city}公安交警】您的机动车"));
            let pl = plate(r, d.tc);
            d.p(K::Plate, &pl);
            d.t(&format!(
                "于{} {:02}:{:02}在{}违反禁止标线指示停车，请于15日内到交警部门处理。",
                date_text(r),
                r.below(24),
                r.below(60),
                r.pick(ROADS)
            ));
        }
        1 if r.chance(0.3) => {
            let (_, bank, _) = bank_card(r);
            d.t(&format!("【{bank}】您的账户"));
            d.t(&masked_card(r));
            d.t(&format!("于{}完成一笔{}元的快捷支付，如有疑问请致电客服。", date_text(r), amount(r, false)));
        }
        1 => {
            let (_, bank, _) = bank_card(r);
            d.t(&format!(
                "【{bank}】您尾号{}的储蓄卡{}月{}日{:02}:{:02}{}人民币{}元，活期余额{}元。",
                r.digits(4),
                r.between(1, 12),
                r.between(1, 28),
                r.below(24),
                r.below(60),
                r.pick(&["收入", "支出", "转入"]),
                amount(r, false),
                amount(r, false)
            ));
        }
        2 => {
            d.t(&format!("【{city}出入境】{}您好，您申请的往来港澳通行证（", person(r).name));
            d.p(K::Permit, &eep(r));
            d.t(&format!("）已制证完毕，请于{}前携带身份证到出入境接待大厅领取。咨询电话", date_text(r)));
            d.v(&landline(r));
            d.t("。");
        }
        3 => {
            d.t(&format!("【国家移民管理局】尊敬的{}，您的护照", person(r).name));
            d.p(K::Passport, &passport(r));
            d.t(&format!("将于{}到期，如需换发请通过“移民局”APP预约。", date_text(r)));
        }
        4 => {
            d.t("【12345】您反映的问题（工单号");
            d.t(&work_order_no(r));
            d.t(&format!("）已转{}办理，经办人{}，联系电话", r.pick(UNITS), person(r).name));
            d.v(&phone(r));
            d.t("，请保持电话畅通。");
        }
        5 => {
            d.t(&format!(
                "【{}】验证码{}，您正在登录政务服务账号，5分钟内有效，请勿泄露。",
                r.pick(&["浙里办", "i深圳", "天府通办", "随申办"]),
                r.digits(6)
            ));
        }
        6 => {
            d.t(&format!("【{}】您的快递", r.pick(&["顺丰速运", "中通快递", "菜鸟驿站", "京东物流"])));
            d.t(&tracking_no(r));
            d.t(&format!(
                "已到{}驿站，取件码{}-{}-{}，快递员{}师傅",
                r.pick(ROADS),
                r.between(1, 20),
                r.between(1, 9),
                r.digits(4),
                r.pick(SURNAMES)
            ));
            d.v(&mobile(r));
            d.t("。");
        }
        7 => {
            let (c, bank, _) = bank_card(r);
            d.t(&format!("【{city}人社】您的社保卡金融账户已激活，开户行{bank}，账号"));
            d.p(K::BankCard, &c);
            d.t("，社会保障号码");
            d.t(&masked_id(r));
            d.t("。");
        }
        8 => {
            let (c, bank, _) = bank_card(r);
            d.t(&format!(
                "【{city}财政】{}，您的{}{}元已发放至您的{bank}账户",
                person(r).name,
                r.pick(&["耕地地力保护补贴", "高龄津贴", "一次性扩岗补助"]),
                amount(r, false)
            ));
            let ct = card_text(r, &c);
            d.p(K::BankCard, &ct);
            d.t("，请注意查收。");
        }
        9 => {
            d.t("【政务服务网】您的账号已绑定邮箱");
            d.p(K::Email, &email(r));
            d.t("，本次登录IP ");
            d.v(&any_ip(r));
            d.t("，如非本人操作请致电");
            d.v(&landline(r));
            d.t("。");
        }
        10 => {
            d.t(&format!("【{city}市场监管】{}（统一社会信用代码", company(r)));
            d.p(K::Uscc, &uscc(r));
            d.t(&format!("）{}年度报告已公示，请登录国家企业信用信息公示系统查看。", r.between(2019, 2024)));
        }
        _ => {
            d.t(&format!("【{city}出入境】{}，您的港澳居民来往内地通行证", person(r).name));
            d.p(K::Permit, &home_return(r));
            d.t("已可领取，领取时请出示回执。");
        }
    }
}

fn sms(r: &mut Rng, d: &mut Doc) {
    for i in 0..r.between(1, 3) {
        if i > 0 {
            d.t("\n");
        }
        if r.chance(0.3) {
            d.t(&format!("{} ", datetime(r)));
        }
        sms_one(r, d);
    }
}

// --- OCR -----------------------------------------------------------------------------------------

/// Stray spaces between the characters of a word (never used on a labelled value).
fn spaced(r: &mut Rng, s: &str, p: f64) -> String {
    let mut out = String::new();
    let n = s.chars().count();
    for (i, c) in s.chars().enumerate() {
        out.push(c);
        if i + 1 < n && r.chance(p) {
            out.push(' ');
        }
    }
    out
}

fn ocr(r: &mut Rng, d: &mut Doc) {
    let p = person(r);
    let noise = r.pick(&[0.3, 0.5, 0.8]);
    if r.chance(0.4) {
        // A scanned ID card.
        let (y, m, dd) = p.birth;
        let l = spaced(r, "姓名", noise);
        let n = spaced(r, &p.name, noise);
        d.t(&format!("{l} {n}\n"));
        d.t(&format!(
            "{} {}  {} {}\n",
            spaced(r, "性别", noise),
            if p.male { "男" } else { "女" },
            spaced(r, "民族", noise),
            "汉"
        ));
        d.t(&format!("{} {y} 年 {m} 月 {dd} 日\n", spaced(r, "出生", noise)));
        let addr = address(r);
        let a = spaced(r, &addr, 0.1);
        d.t(&format!("{} {a}\n", spaced(r, "住址", noise)));
        d.t(&format!("{}{}", spaced(r, "公民身份号码", noise), r.pick(&[" ", "  ", ""])));
        d.p(K::ResidentId, &p.id);
        return;
    }
    let title = r.pick(&["居民申请登记表", "不动产登记申请书", "行政许可申请表", "社会救助申请书"]);
    let title = spaced(r, title, noise);
    d.t(&format!("{title}\n"));
    let line_sep = |r: &mut Rng| r.pick(&["\n", "   ", " | ", "\n丨 "]);
    let c = |r: &mut Rng| r.pick(&["：", ":", " ", "．", "：__ "]);
    let items: Vec<usize> = {
        let mut v: Vec<usize> = (0..8).collect();
        for i in (1..v.len()).rev() {
            let j = r.below(i + 1);
            v.swap(i, j);
        }
        v.truncate(r.between(3, 6));
        v
    };
    let name_l = spaced(r, "申请人", noise);
    let c0 = c(r);
    let n = spaced(r, &p.name, noise);
    d.t(&format!("{name_l}{c0}{n}"));
    for k in items {
        let s = line_sep(r);
        d.t(s);
        let cc = c(r);
        match k {
            0 => {
                d.t(&format!("{}{cc}", spaced(r, "身份证号", noise)));
                d.p(K::ResidentId, &p.id);
            }
            1 => {
                d.t(&format!("{}{cc}", spaced(r, "联系电话", noise)));
                d.v(&mobile(r));
            }
            2 => {
                d.t(&format!("{}{cc}", spaced(r, "电子邮箱", noise)));
                d.p(K::Email, &email(r));
            }
            3 => {
                d.t(&format!("{}{cc}", spaced(r, "固定电话", noise)));
                d.v(&landline(r));
            }
            4 => {
                let (card, bank, _) = bank_card(r);
                d.t(&format!("{}{cc}{}{}", spaced(r, "开户行", noise), spaced(r, bank, noise), s));
                d.t(&format!("{}{}", spaced(r, "账号", noise), c(r)));
                d.p(K::BankCard, &card);
            }
            5 => {
                d.t(&format!("{}{cc}", spaced(r, "车牌号", noise)));
                d.p(K::Plate, &plate(r, false));
            }
            6 => {
                let dt = date_text(r);
                let dt = spaced(r, &dt, noise);
                d.t(&format!("{}{cc}{dt}", spaced(r, "申请日期", noise)));
            }
            _ => {
                d.t(&format!("{}{cc}", spaced(r, "单位统一社会信用代码", noise)));
                d.p(K::Uscc, &uscc(r));
            }
        }
    }
    d.t(&format!("\n{}：______  {}：", spaced(r, "签名", noise), spaced(r, "日期", noise)));
    let dt = date_text(r);
    let dt = spaced(r, &dt, noise);
    d.t(&dt);
}

// --- English -------------------------------------------------------------------------------------

fn english(r: &mut Rng, d: &mut Doc) {
    let name = en_name(r);
    match r.below(4) {
        0 => {
            d.t(&format!(
                "APPLICATION FOR {}\n\nSection A - Applicant\nFull name: {name}\nSex: {}\nDate of birth: {:02}/{:02}/{}\nNationality: Chinese\n",
                r.pick(&["ENTRY PERMIT", "VISA EXTENSION", "BUSINESS LICENCE", "RESIDENCE CERTIFICATE"]),
                r.pick(&["M", "F"]),
                r.between(1, 28),
                r.between(1, 12),
                r.between(1950, 2005)
            ));
            if r.chance(0.6) {
                d.t(r.pick(&["ID card No.: ", "Resident ID: ", "PRC ID Number: "]));
                d.p(K::ResidentId, &resident_id(r));
                d.t("\n");
            }
            d.t(r.pick(&["Passport No.: ", "Passport number: ", "Passport: "]));
            d.p(K::Passport, &passport(r));
            if r.chance(0.4) {
                d.t(r.pick(&["\nExit-Entry Permit No.: ", "\nEEP to HK/Macau: ", "\nHome Return Permit: "]));
                let v = if r.chance(0.5) { eep(r) } else { home_return(r) };
                d.p(K::Permit, &v);
            }
            d.t("\n\nSection B - Contact\nMobile: ");
            d.v(&mobile(r));
            if r.chance(0.5) {
                d.t("\nTel (office): ");
                d.v(&landline(r));
            }
            d.t("\nE-mail: ");
            d.p(K::Email, &email(r));
            if r.chance(0.4) {
                d.t("\nVehicle plate: ");
                d.p(K::Plate, &plate(r, false));
            }
            if r.chance(0.5) {
                let (c, _, bank_en) = bank_card(r);
                d.t(&format!("\n\nSection C - Payment\nBank: {bank_en}\nCard No.: "));
                let ct = card_text(r, &c);
                d.p(K::BankCard, &ct);
                d.t(&format!("\nAmount: CNY {}\nReference: {}", amount(r, false), order_no(r)));
            }
            d.t(&format!("\n\nSigned: ________   Date: {} March {}", r.between(1, 31), r.between(2020, 2025)));
        }
        1 => {
            let from = email(r);
            d.t(&format!("From: {name} <"));
            d.p(K::Email, &from);
            d.t(">\nTo: ");
            d.p(K::Email, &email(r));
            d.t(&format!(
                "\nDate: Fri, {} Mar 2024 {:02}:{:02}:{:02} +0800\nSubject: Re: Your application {}\n\nDear Officer,\n\n",
                r.between(1, 28),
                r.below(24),
                r.below(60),
                r.below(60),
                work_order_no(r)
            ));
            d.t("My passport number is ");
            d.p(K::Passport, &passport(r));
            d.t(" and my mobile is ");
            d.v(&mobile(r));
            d.t(". ");
            if r.chance(0.5) {
                let (c, _, bank_en) = bank_card(r);
                d.t(&format!("Please refund the fee of CNY {} to my {bank_en} card ", amount(r, false)));
                d.p(K::BankCard, &c);
                d.t(". ");
            }
            if r.chance(0.4) {
                d.t("My company's unified social credit code is ");
                d.p(K::Uscc, &uscc(r));
                d.t(". ");
            }
            d.t(&format!("The invoice number is {}.\n\nRegards,\n{name}", r.digits(8)));
        }
        2 => {
            d.t(&format!(
                "Incident INC{}{} - suspicious login\nAt {} UTC the account ",
                r.between(2023, 2025),
                r.digits(7),
                datetime(r)
            ));
            d.p(K::Email, &email(r));
            d.t(" signed in from ");
            d.p(K::Ipv4, &ipv4(r));
            if r.chance(0.6) {
                d.t(" and then from ");
                d.p(K::Ipv6, &ipv6(r));
            }
            d.t(&format!(". Gateway firmware version {} (build {}). ", version4(r), r.digits(5)));
            if r.chance(0.5) {
                d.t("The on-call engineer can be reached at ");
                d.v(&phone(r));
                d.t(".");
            }
        }
        _ => {
            d.t(&format!("{name} ("));
            match r.below(3) {
                0 => {
                    d.t("passport ");
                    d.p(K::Passport, &passport(r));
                }
                1 => {
                    d.t("ID ");
                    d.p(K::ResidentId, &resident_id(r));
                }
                _ => {
                    d.t("permit ");
                    d.p(K::Permit, &eep(r));
                }
            }
            d.t(", tel. ");
            d.v(&phone(r));
            d.t(&format!(
                ") applied on {} for a refund of CNY {} under order {}; reply to ",
                date_text(r),
                amount(r, false),
                order_no(r)
            ));
            d.p(K::Email, &email(r));
            d.t(".");
        }
    }
}

// --- traditional characters ----------------------------------------------------------------------

fn traditional(r: &mut Rng, d: &mut Doc) {
    d.tc = true;
    match r.below(4) {
        0 => case_file(r, d),
        1 => kv_block(r, d),
        2 => hotline(r, d),
        _ => sms(r, d),
    }
}

// --- brackets and quotes, edges, several values ---------------------------------------------------

fn kind_value(r: &mut Rng, k: Kind) -> String {
    match k {
        K::ResidentId => {
            let id = resident_id(r);
            id_text(r, &id)
        }
        K::BankCard => {
            let (c, _, _) = bank_card(r);
            card_text(r, &c)
        }
        K::Mobile => mobile_text(r),
        K::Landline => landline_text(r),
        K::Passport => passport(r),
        K::Permit => {
            if r.chance(0.5) {
                eep(r)
            } else {
                home_return(r)
            }
        }
        K::Email => email(r),
        K::Ipv4 => ipv4(r),
        K::Ipv6 => ipv6(r),
        K::Uscc => uscc(r),
        K::Plate => plate(r, false),
    }
}

fn kind_label(r: &mut Rng, k: Kind) -> &'static str {
    match k {
        K::ResidentId => r.pick(&["身份证号", "身份证号码", "公民身份号码"]),
        K::BankCard => r.pick(&["银行卡号", "卡号", "收款账户"]),
        K::Mobile => r.pick(&["手机", "手机号", "联系电话"]),
        K::Landline => r.pick(&["电话", "办公电话", "固话"]),
        K::Passport => r.pick(&["护照号", "护照号码"]),
        K::Permit => r.pick(&["通行证号", "证件号码"]),
        K::Email => r.pick(&["邮箱", "电子邮箱", "E-mail"]),
        K::Ipv4 => r.pick(&["IP", "IP地址", "登录IP"]),
        K::Ipv6 => r.pick(&["IPv6地址", "IPv6"]),
        K::Uscc => r.pick(&["统一社会信用代码", "信用代码"]),
        K::Plate => r.pick(&["车牌", "车牌号", "号牌"]),
    }
}

/// Between a label and its value: sometimes nothing, but never when the label ends in a Latin
/// letter or digit (`E-mailx@y.cn` would be one e-mail address).
fn label_sep(r: &mut Rng, label: &str) -> &'static str {
    if label.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        r.pick(&["：", ":", " "])
    } else {
        r.pick(&["：", ":", " ", ""])
    }
}

const BRACKETS: &[(&str, &str)] = &[
    ("（", "）"),
    ("(", ")"),
    ("【", "】"),
    ("[", "]"),
    ("“", "”"),
    ("「", "」"),
    ("『", "』"),
    ("\"", "\""),
    ("'", "'"),
    ("<", ">"),
    ("《", "》"),
    ("〔", "〕"),
];

fn bracketed(r: &mut Rng, d: &mut Doc) {
    for i in 0..r.between(2, 4) {
        if i > 0 && r.chance(0.5) {
            d.t("\n");
        }
        let k = r.pick(&Kind::ALL);
        let (open, close) = r.pick(BRACKETS);
        let v = kind_value(r, k);
        let who = format!("{}{}", r.pick(SURNAMES), r.pick(&["某", "某某", "先生", "女士"]));
        let case = if needs_context(k) { r.below(2) } else { r.below(3) };
        match case {
            0 => {
                let label = kind_label(r, k);
                d.t(&format!("{who}{open}{label}{}", label_sep(r, label)));
                d.p(k, &v);
                d.t(&format!("{close}{}", r.pick(&["于近日提交了申请。", "已到窗口办理。", "为本案联系人。"])));
            }
            1 => {
                d.t(&format!("{who}提供的{}为{open}", kind_label(r, k)));
                d.p(k, &v);
                d.t(&format!("{close}{}", r.pick(&["，经核实无误。", "。", "，请予登记。"])));
            }
            _ => {
                d.t(&format!("{}{open}", r.pick(&["备注", "附", "补充说明："])));
                d.p(k, &v);
                d.t(&format!("{close}。"));
            }
        }
    }
}

/// Passport and permit numbers are only written next to a word that says what they are: bare,
/// `E12345678` or `C12345678` could be any code, and a label on them would be a guess.
fn needs_context(k: Kind) -> bool {
    matches!(k, K::Passport | K::Permit)
}

fn edge(r: &mut Rng, d: &mut Doc) {
    let k = r.pick(&Kind::ALL);
    let v = kind_value(r, k);
    let case = if needs_context(k) { r.pick(&[2, 4]) } else { r.below(5) };
    match case {
        0 => d.p(k, &v),
        1 => {
            d.p(k, &v);
            d.t(r.pick(&[" 为申请人本人所有，请核实。", "，系当事人提供。", "\n以上信息已核对", "\t已登记"]));
        }
        2 => {
            let label = kind_label(r, k);
            d.t(&format!(
                "{}{label}{}",
                r.pick(&["经办人已核对，", "请回复至", "补充材料：", ""]),
                label_sep(r, label)
            ));
            d.p(k, &v);
        }
        3 => {
            d.p(k, &v);
            d.t(r.pick(&["\n", " / ", "，"]));
            let k2 = loop {
                let k2 = r.pick(&Kind::ALL);
                if !needs_context(k2) {
                    break k2;
                }
            };
            let v2 = kind_value(r, k2);
            d.p(k2, &v2);
        }
        _ => {
            // At the very start, with the word after it.
            d.p(k, &v);
            let label = kind_label(r, k);
            d.t(r.pick(&["为申请人", "（", " 系本人", "，是当事人的"]));
            d.t(label);
            d.t(r.pick(&["。", "）", "，已核对。"]));
        }
    }
}

fn multi_value(r: &mut Rng, d: &mut Doc) {
    for i in 0..r.between(1, 3) {
        if i > 0 {
            d.t("\n");
        }
        let k = r.pick(&Kind::ALL);
        // IP addresses are not separated by `/` (that reads as a prefix length).
        let seps: &[&str] =
            if matches!(k, K::Ipv4 | K::Ipv6) { &["、", "，", "; "] } else { &["、", "/", " / ", "、"] };
        let sep = r.pick(seps);
        d.t(&format!("{}{}{}", r.pick(&["", "涉案", "登记", "相关"]), kind_label(r, k), r.pick(&["：", ":", " "])));
        for j in 0..r.between(2, 4) {
            if j > 0 {
                d.t(sep);
            }
            let v = kind_value(r, k);
            d.p(k, &v);
        }
        if r.chance(0.5) {
            d.t("。");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::check::*;
    use super::*;

    #[test]
    fn gb11643_published_examples() {
        // GB 11643-1999 gives 11010519491231002X and 440524188001010014.
        assert_eq!(gb11643_check("11010519491231002"), Some('X'));
        assert_eq!(gb11643_check("44052418800101001"), Some('4'));
        assert!(is_resident_id("11010519491231002X"));
        assert!(is_resident_id("11010519491231002x"));
        assert!(is_resident_id("440524188001010014"));
        assert!(!is_resident_id("110105194912310021"));
        assert!(!is_resident_id("11010519491331002X"));
        assert!(!is_resident_id("99010519491231002X"));
    }

    #[test]
    fn luhn_published_examples() {
        assert!(luhn_ok("79927398713"));
        assert!(!luhn_ok("79927398710"));
        assert!(luhn_ok("4111111111111111"));
        assert!(luhn_ok("5555555555554444"));
        assert!(luhn_ok("6011111111111117"));
        assert_eq!(luhn_digit("7992739871"), Some('3'));
    }

    #[test]
    fn gb11714_and_gb32100_published_examples() {
        // Published codes: 91350100M000100Y43 (the example used to explain GB 32100) and
        // Shenzhen Tencent Computer Systems Co., Ltd., 9144030071526726XG.
        assert_eq!(gb11714_check("M000100Y"), Some('4'));
        assert_eq!(gb11714_check("71526726"), Some('X'));
        assert_eq!(gb32100_check("91350100M000100Y4"), Some('3'));
        assert_eq!(gb32100_check("9144030071526726X"), Some('G'));
        assert!(is_uscc("91350100M000100Y43"));
        assert!(is_uscc("9144030071526726XG"));
        assert!(!is_uscc("91350100M000100Y44"));
        assert!(!is_uscc("9144030071526726XO"));
    }

    #[test]
    fn generated_values_pass_and_near_misses_fail() {
        let mut r = Rng::new(99);
        for _ in 0..2000 {
            assert!(is_resident_id(&resident_id(&mut r)));
            assert!(!is_resident_id(&id_wrong_check(&mut r)));
            assert!(!is_resident_id(&id_bad_date(&mut r)));
            let (c, _, _) = bank_card(&mut r);
            assert!(value_is_valid("bank_card", &c), "{c}");
            assert!(!luhn_ok(&card_luhn_bad(&mut r)));
            assert!(is_uscc(&uscc(&mut r)));
            for k in Kind::ALL {
                let v = kind_value(&mut r, k);
                assert!(value_is_valid(k.name(), &v), "{} {v}", k.name());
            }
            assert!(!value_is_valid("ipv4", "1.2.3.256"));
        }
    }

    #[test]
    fn deterministic_offsets_in_range_no_overlap() {
        let a = generate(5, 400);
        assert_eq!(a, generate(5, 400));
        assert_ne!(a, generate(6, 400));
        for t in &a {
            let n = t.text.chars().count();
            let mut spans: Vec<(usize, usize)> = t.entities.iter().map(|e| (e.1, e.2)).collect();
            spans.sort_unstable();
            for w in spans.windows(2) {
                assert!(w[0].1 <= w[1].0, "{t:?}");
            }
            for (ty, s, e) in &t.entities {
                assert!(s < e && *e <= n);
                let v: String = t.text.chars().skip(*s).take(e - s).collect();
                assert!(value_is_valid(ty, &v), "{ty} {v:?} in {:?}", t.text);
            }
        }
    }
}
