//! A second labelled corpus, written independently of [`super::generate`] (issue 19): records as
//! other systems export them rather than sentences.
//!
//! Templates: table rows under a header line (`|`, `,`, tab), application-log lines, form dumps
//! (`【标签】值`, `key=value&...`, JSON, `标签：值` lines), chat transcripts and e-mails, in
//! Chinese, English and a mix of both. Labels come in Chinese, Latin (`idNo`, `card_no`,
//! `passport`, `src_ip`, `Tel.`) and mixed (`IP地址`, `ID号`) styles, glued to the value or
//! separated by a space, `:`, `：`, `=`, `为`, `是`, ` is `, a tab or brackets. Values are drawn
//! from their own distributions: real county codes in IDs, card BINs of UnionPay, Visa,
//! Mastercard (2- and 5-series), JCB, Maestro (50, 56-58), Discover and the 81 and 9 UnionPay
//! series, ports after IPs, `+86` phones, full-width digits where a Chinese IME would produce
//! them. Its checksums (MOD 11-2, Luhn, GB 32100 / GB 11714) are computed here, not by
//! `govai_classify::validate`, so a bug there does not leak into the gold labels.
//!
//! Unlabelled near misses: an ID with a wrong check character or an impossible birth date after
//! an ID label, a card number failing Luhn after a card label, order / trace / invoice numbers,
//! amounts, timestamps, version strings, OIDs, ports, post codes, invalid mobile segments,
//! out-of-range dotted quads.
//!
//! Conventions match the first corpus (and the classifier's documentation): a phone's `+86 ` and
//! a landline's parentheses and extension are in the span; an IP's `:port` is not. Only identifier
//! types are labelled; names, addresses and PIPL words may occur in the text unlabelled (an
//! evaluation on this corpus should skip those types).

use super::LabelledText;

/// PCG-XSH-RR 32-bit generator (a different family from the first corpus's xorshift).
struct Pcg {
    state: u64,
    inc: u64,
}

impl Pcg {
    fn new(seed: u64) -> Self {
        let mut p = Pcg { state: 0, inc: (seed << 1) | 1 };
        p.next();
        p.state = p.state.wrapping_add(seed ^ 0xDA3E_39CB_94B9_5BDB);
        p.next();
        p
    }

    fn next(&mut self) -> u32 {
        let old = self.state;
        self.state = old.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(self.inc);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        let rot = (old >> 59) as u32;
        xorshifted.rotate_right(rot)
    }

    /// Uniform-ish in `0..n` (n > 0).
    fn int(&mut self, n: usize) -> usize {
        ((u64::from(self.next()) * n as u64) >> 32) as usize
    }

    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.int(hi - lo + 1)
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.int(n) == 0
    }

    fn of<'a, T: ?Sized>(&mut self, xs: &[&'a T]) -> &'a T {
        xs[self.int(xs.len())]
    }

    fn num(&mut self, len: usize) -> String {
        (0..len).map(|_| char::from(b'0' + self.int(10) as u8)).collect()
    }
}

/// The text being built and its gold spans (char offsets).
struct Sheet {
    out: String,
    at: usize,
    gold: Vec<(String, usize, usize)>,
}

impl Sheet {
    fn put(&mut self, s: &str) {
        self.out.push_str(s);
        self.at += s.chars().count();
    }

    fn value(&mut self, ty: &str, s: &str) {
        let from = self.at;
        self.put(s);
        self.gold.push((ty.to_owned(), from, self.at));
    }
}

// ---------------------------------------------------------------------------------------------
// Checksums, written here from the standards.

fn mod11_2(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = first17.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(s % 11) as usize]
}

fn luhn_digit(body: &str) -> char {
    // Doubling starts at the rightmost body digit (the check digit will be appended after it).
    let s: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let v = u32::from(b - b'0');
            if i % 2 == 0 {
                let d = v * 2;
                d / 10 + d % 10
            } else {
                v
            }
        })
        .sum();
    char::from(b'0' + ((10 - s % 10) % 10) as u8)
}

const GB32100: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn gb11714_check(body8: &str) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = body8
        .bytes()
        .zip(W)
        .map(|(c, w)| w * if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 })
        .sum();
    match 11 - s % 11 {
        10 => 'X',
        11 => '0',
        v => char::from(b'0' + v as u8),
    }
}

fn gb32100_check(first17: &str) -> char {
    const W: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let s: u32 = first17.chars().zip(W).map(|(c, w)| GB32100.find(c).unwrap_or(0) as u32 * w).sum();
    GB32100.as_bytes()[((31 - s % 31) % 31) as usize] as char
}

// ---------------------------------------------------------------------------------------------
// Values.

const COUNTIES: &[&str] = &[
    "110101", "110108", "110229", "120104", "130102", "130683", "140105", "150102", "210102", "220104", "230103",
    "310104", "310115", "320106", "320583", "330106", "330782", "340104", "350203", "360102", "370202", "410105",
    "420106", "430104", "440305", "440106", "450103", "460105", "500103", "510107", "520102", "530102", "540102",
    "610113", "620102", "630104", "640104", "650102", "652801",
];

fn birth(r: &mut Pcg) -> String {
    let y = r.between(1932, 2021);
    let m = r.between(1, 12);
    let dmax = match m {
        2 if y.is_multiple_of(4) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("{y}{m:02}{:02}", r.between(1, dmax))
}

fn id17(r: &mut Pcg) -> String {
    format!("{}{}{}", r.of(COUNTIES), birth(r), r.num(3))
}

fn resident_id(r: &mut Pcg) -> String {
    let b = id17(r);
    let c = mod11_2(&b);
    let c = if c == 'X' && r.one_in(4) { 'x' } else { c };
    format!("{b}{c}")
}

fn resident_id_bad_check(r: &mut Pcg) -> String {
    let b = id17(r);
    let good = mod11_2(&b);
    let all = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'];
    let mut c = all[r.int(11)];
    while c == good {
        c = all[r.int(11)];
    }
    format!("{b}{c}")
}

fn resident_id_bad_date(r: &mut Pcg) -> String {
    let date = *r.of(&[&"19870229", &"19920431", &"20000631", &"19761301", &"19850015", &"19690900", &"20010230"]);
    let b = format!("{}{date}{}", r.of(COUNTIES), r.num(3));
    let c = mod11_2(&b);
    format!("{b}{c}")
}

/// Card BINs and lengths; the second field marks ranges outside the classic Visa / Mastercard /
/// UnionPay 62 set.
const BINS: &[(&str, usize)] = &[
    ("622848", 19),
    ("621700", 19),
    ("622202", 19),
    ("623668", 19),
    ("621483", 16),
    ("625807", 16),
    ("628290", 16),
    ("456351", 16),
    ("438088", 16),
    ("404119", 16),
    ("518710", 16),
    ("552599", 16),
    ("222300", 16),
    ("356833", 16),
    ("501800", 16),
    ("502087", 19),
    ("560011", 16),
    ("571234", 19),
    ("589460", 16),
    ("601100", 16),
    ("810016", 19),
    ("940021", 19),
];

fn card(r: &mut Pcg) -> String {
    let (bin, len) = BINS[r.int(BINS.len())];
    let body = format!("{bin}{}", r.num(len - bin.len() - 1));
    let c = luhn_digit(&body);
    format!("{body}{c}")
}

fn card_bad(r: &mut Pcg) -> String {
    let good = card(r);
    let (body, last) = good.split_at(good.len() - 1);
    let l = last.as_bytes()[0] - b'0';
    format!("{body}{}", char::from(b'0' + (l + 1 + r.int(9) as u8) % 10))
}

fn spaced(s: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    for (k, n) in sizes.iter().enumerate() {
        if i >= s.len() {
            break;
        }
        if k > 0 {
            out.push_str(sep);
        }
        let j = (i + n).min(s.len());
        out.push_str(&s[i..j]);
        i = j;
    }
    if i < s.len() {
        out.push_str(sep);
        out.push_str(&s[i..]);
    }
    out
}

fn card_written(r: &mut Pcg) -> String {
    let c = card(r);
    match r.int(6) {
        0 => spaced(&c, &[4, 4, 4, 4], " "),
        1 if c.len() == 16 => spaced(&c, &[4, 4, 4, 4], "-"),
        _ => c,
    }
}

const SEGMENTS: &[&str] = &[
    "130", "131", "133", "135", "136", "138", "139", "147", "150", "151", "152", "155", "157", "158", "159", "166",
    "173", "176", "177", "180", "181", "183", "185", "186", "187", "188", "189", "191", "198", "199",
];

fn mobile_digits(r: &mut Pcg) -> String {
    format!("{}{}", r.of(SEGMENTS), r.num(8))
}

fn mobile(r: &mut Pcg) -> String {
    let d = mobile_digits(r);
    match r.int(8) {
        0 => spaced(&d, &[3, 4, 4], " "),
        1 => spaced(&d, &[3, 4, 4], "-"),
        2 => format!("+86 {d}"),
        3 => format!("+86-{d}"),
        _ => d,
    }
}

fn landline(r: &mut Pcg) -> String {
    let (area, n) = *r.of(&[
        &("010", 8),
        &("021", 8),
        &("020", 8),
        &("0755", 8),
        &("0571", 8),
        &("028", 8),
        &("027", 8),
        &("029", 8),
        &("025", 8),
        &("0512", 8),
        &("0731", 8),
        &("0310", 7),
        &("0352", 7),
        &("0391", 7),
    ]);
    let local = format!("{}{}", r.between(2, 8), r.num(n - 1));
    let base = match r.int(5) {
        0 => format!("({area}){local}"),
        1 => format!("{area} {local}"),
        _ => format!("{area}-{local}"),
    };
    if r.one_in(8) { format!("{base}转{}", r.between(100, 9999)) } else { base }
}

const SERIAL: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

fn passport(r: &mut Pcg) -> String {
    match r.int(5) {
        0 => format!("G{}", r.num(8)),
        1 | 2 => format!("E{}", r.num(8)),
        _ => format!("E{}{}", char::from(SERIAL[r.int(SERIAL.len())]), r.num(7)),
    }
}

fn permit(r: &mut Pcg) -> String {
    match r.int(4) {
        0 => format!("C{}", r.num(8)),
        1 => format!("C{}{}", char::from(SERIAL[r.int(SERIAL.len())]), r.num(7)),
        2 => format!("H{}", r.num(8)),
        _ => format!("M{}", r.num(8)),
    }
}

fn email(r: &mut Pcg) -> String {
    let user = match r.int(5) {
        0 => format!("{}_{}{}", r.of(&["wang", "li", "zhao", "sun", "zhou"]), r.of(&["lei", "na", "yu"]), r.num(2)),
        1 => format!("{}.{}", r.of(&["ming", "hong", "jun", "ying"]), r.of(&["chen", "lin", "guo", "he"])),
        2 => format!("{}{}", r.of(&["service", "hr-dept", "xinfang", "office", "admin"]), r.between(1, 99)),
        3 => {
            let n = r.between(7, 10);
            r.num(n).replacen('0', "3", 1)
        }
        _ => format!("{}{}", r.of(&["tom", "amy", "kevin", "lucy"]), r.between(1980, 2005)),
    };
    let domain = r.of(&[
        "163.com",
        "qq.com",
        "139.com",
        "yeah.net",
        "hz.gov.cn",
        "mail.sh.gov.cn",
        "company.com.cn",
        "gmail.com",
        "hotmail.com",
        "tsinghua.edu.cn",
    ]);
    format!("{user}@{domain}")
}

fn ipv4(r: &mut Pcg) -> String {
    match r.int(5) {
        0 => format!("10.{}.{}.{}", r.int(256), r.int(256), r.between(2, 250)),
        1 => format!("192.168.{}.{}", r.int(256), r.between(2, 250)),
        2 => format!("172.{}.{}.{}", r.between(16, 31), r.int(256), r.between(2, 250)),
        _ => format!("{}.{}.{}.{}", r.between(11, 223), r.int(256), r.int(256), r.between(1, 254)),
    }
}

fn ipv6(r: &mut Pcg) -> String {
    let mut h = || format!("{:x}", r.int(0x10000));
    let (a, b, c, d) = (h(), h(), h(), h());
    match r.int(3) {
        0 => format!("240e:{a}:{b}::{c}"),
        1 => format!("2408:{a}:{b}:{c}:{d}:0:0:1"),
        _ => format!("fe80::{a}:{b}:{c}"),
    }
}

fn uscc(r: &mut Pcg) -> String {
    let org: String = (0..8)
        .map(|_| if r.one_in(5) { GB32100.as_bytes()[r.between(10, 30)] as char } else { r.num(1).remove(0) })
        .collect();
    let org = format!("{org}{}", gb11714_check(&org));
    let head = r.of(&["91", "92", "12", "52", "93"]);
    let first17 = format!("{head}{}{org}", &r.of(COUNTIES)[..6]);
    format!("{first17}{}", gb32100_check(&first17))
}

fn plate(r: &mut Pcg) -> String {
    let p = r.of(&["京", "沪", "粤", "浙", "苏", "川", "鄂", "鲁", "豫", "闽"]);
    let l = char::from(SERIAL[r.int(SERIAL.len())]);
    let tail = if r.one_in(3) {
        format!("{}{}", r.of(&["D", "F"]), r.num(5))
    } else {
        let mut t: Vec<char> = r.num(5).chars().collect();
        if r.one_in(2) {
            t[r.int(3)] = char::from(SERIAL[r.int(SERIAL.len())]);
        }
        t.into_iter().collect()
    };
    format!("{p}{l}{tail}")
}

fn wide(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Labels and separators.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Id,
    Card,
    Mobile,
    Landline,
    Passport,
    Permit,
    Email,
    Ip4,
    Ip6,
    Uscc,
    Plate,
}

const KINDS: &[Kind] = &[
    Kind::Id,
    Kind::Id,
    Kind::Card,
    Kind::Card,
    Kind::Mobile,
    Kind::Mobile,
    Kind::Landline,
    Kind::Passport,
    Kind::Permit,
    Kind::Email,
    Kind::Ip4,
    Kind::Ip4,
    Kind::Ip6,
    Kind::Uscc,
    Kind::Plate,
];

impl Kind {
    fn ty(self) -> &'static str {
        match self {
            Kind::Id => "cn_resident_id",
            Kind::Card => "bank_card",
            Kind::Mobile => "cn_mobile",
            Kind::Landline => "cn_landline",
            Kind::Passport => "cn_passport",
            Kind::Permit => "hk_macau_permit",
            Kind::Email => "email",
            Kind::Ip4 => "ipv4",
            Kind::Ip6 => "ipv6",
            Kind::Uscc => "cn_uscc",
            Kind::Plate => "cn_plate",
        }
    }

    fn labels_zh(self) -> &'static [&'static str] {
        match self {
            Kind::Id => &["身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证", "证件号"],
            Kind::Card => &["银行卡号", "卡号", "账号", "银行账号", "收款卡号", "借记卡", "退款账户"],
            Kind::Mobile => &["手机", "手机号", "联系电话", "电话", "移动电话", "手机号码"],
            Kind::Landline => &["办公电话", "座机", "固定电话", "联系电话", "传真"],
            Kind::Passport => &["护照号", "护照", "护照号码", "护照编号"],
            Kind::Permit => &["港澳通行证", "通行证号", "回乡证号", "往来港澳通行证号码"],
            Kind::Email => &["邮箱", "电子邮箱", "电邮", "邮件地址"],
            Kind::Ip4 | Kind::Ip6 => &["IP", "来源IP", "登录IP", "IP地址", "客户端IP", "访问IP"],
            Kind::Uscc => &["统一社会信用代码", "信用代码", "社会信用代码"],
            Kind::Plate => &["车牌号", "车牌", "号牌号码"],
        }
    }

    fn labels_en(self) -> &'static [&'static str] {
        match self {
            Kind::Id => &["ID", "idNo", "id_card", "ID Card No.", "ID number", "IDCard"],
            Kind::Card => &["card_no", "CardNo", "bank card", "Card Number", "account", "acct_no"],
            Kind::Mobile => &["mobile", "Mobile", "phone", "Tel", "cell", "tel"],
            Kind::Landline => &["Tel.", "office phone", "fax", "landline"],
            Kind::Passport => &["passport", "Passport No.", "passportNo", "PASSPORT"],
            Kind::Permit => &["permit", "EEP No.", "HK/Macau permit"],
            Kind::Email => &["email", "E-mail", "mail", "Email"],
            Kind::Ip4 | Kind::Ip6 => &["ip", "src_ip", "client_ip", "IP", "host", "remote_addr"],
            Kind::Uscc => &["USCC", "credit code", "uscc"],
            Kind::Plate => &["plate", "Plate No."],
        }
    }

    fn value(self, r: &mut Pcg) -> String {
        match self {
            Kind::Id => {
                let v = resident_id(r);
                if r.one_in(12) { spaced(&v, &[6, 8, 4], " ") } else { v }
            }
            Kind::Card => card_written(r),
            Kind::Mobile => mobile(r),
            Kind::Landline => landline(r),
            Kind::Passport => passport(r),
            Kind::Permit => permit(r),
            Kind::Email => email(r),
            Kind::Ip4 => ipv4(r),
            Kind::Ip6 => ipv6(r),
            Kind::Uscc => uscc(r),
            Kind::Plate => plate(r),
        }
    }
}

/// Between a label and its value.
fn separator(r: &mut Pcg, zh: bool) -> &'static str {
    if zh {
        r.of(&["", "", "", "：", "：", ":", " ", "为", "是", "：\u{3000}", "\t", ": "])
    } else {
        r.of(&["", "", ":", ": ", " ", " is ", "=", "\t", " - ", "#"])
    }
}

/// `label sep value`, labelled; the value in full-width now and then when the label is Chinese.
fn field(r: &mut Pcg, s: &mut Sheet, k: Kind, zh: bool) {
    let label = if zh { r.of(k.labels_zh()) } else { r.of(k.labels_en()) };
    let sep = separator(r, zh);
    let v = k.value(r);
    let v = if zh && r.one_in(15) && k != Kind::Email { wide(&v) } else { v };
    s.put(label);
    s.put(sep);
    s.value(k.ty(), &v);
    if k == Kind::Ip4 && r.one_in(4) {
        s.put(&format!(":{}", r.of(&["80", "443", "8080", "22", "3306"])));
    }
}

/// An unlabelled string that must produce no identifier finding.
fn near_miss(r: &mut Pcg) -> String {
    match r.int(18) {
        0 => format!("{}{}", r.of(&["身份证号", "证件号码：", "ID:"]), resident_id_bad_check(r)),
        1 => format!("{}{}", r.of(&["身份证号", "证件号码 ", "idNo="]), resident_id_bad_date(r)),
        2 => format!("{}{}", r.of(&["卡号", "银行卡号：", "card_no="]), card_bad(r)),
        3 => format!("{}{}{}", r.of(&["订单号", "order_id=", "交易单号："]), r.between(2019, 2025), r.num(14)),
        4 => format!("trace_id={:016x}{}", u64::from(r.next()) << 32 | u64::from(r.next()), r.num(4)),
        5 => format!("发票号码{}", r.num(20)),
        6 => format!("金额￥{},{:03}.{:02}", r.between(1, 99), r.int(1000), r.int(100)),
        7 => format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            r.between(2019, 2025),
            r.between(1, 12),
            r.between(1, 28),
            r.int(24),
            r.int(60),
            r.int(60),
            r.int(1000)
        ),
        8 => format!(
            "{}{}.{}.{}.{}",
            r.of(&["版本", "version ", "v", "build "]),
            r.int(10),
            r.int(30),
            r.int(30),
            r.int(999)
        ),
        9 => format!("OID 1.3.6.1.4.1.{}.{}", r.between(1000, 60000), r.int(20)),
        10 => format!("端口{}", r.between(1024, 65535)),
        11 => format!("邮编{}", r.num(6)),
        12 => format!("号码{}{}", r.of(&["140", "154", "120", "169"]), r.num(8)),
        13 => format!("{}.{}.{}.{}", r.between(256, 999), r.int(256), r.int(256), r.int(256)),
        14 => format!("快递单号SF{}", r.num(13)),
        15 => {
            let n = r.between(10, 16);
            format!("工单编号{}", r.num(n))
        }
        16 => format!("耗时{}ms，共{}条", r.between(1, 9999), r.between(1, 500)),
        _ => format!("第{}页 共{}页", r.between(1, 9), r.between(10, 99)),
    }
}

// ---------------------------------------------------------------------------------------------
// Templates.

const NAMES: &[&str] = &["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴婷"];

fn table(r: &mut Pcg, s: &mut Sheet) {
    let sep = r.of(&["|", ",", "\t", " | "]);
    let zh = !r.one_in(4);
    let mut cols: Vec<Kind> = Vec::new();
    for _ in 0..r.between(2, 4) {
        let k = KINDS[r.int(KINDS.len())];
        if !cols.contains(&k) {
            cols.push(k);
        }
    }
    let head: Vec<&str> = cols.iter().map(|k| if zh { r.of(k.labels_zh()) } else { r.of(k.labels_en()) }).collect();
    s.put(if zh { "序号" } else { "no" });
    s.put(sep);
    s.put(if zh { "姓名" } else { "name" });
    for h in head {
        s.put(sep);
        s.put(h);
    }
    for row in 1..=r.between(1, 3) {
        s.put("\n");
        s.put(&row.to_string());
        s.put(sep);
        s.put(r.of(NAMES));
        for &k in &cols {
            s.put(sep);
            if r.one_in(10) {
                s.put(r.of(&["", "-", "无", "N/A"]));
            } else {
                let v = k.value(r);
                s.value(k.ty(), &v);
            }
        }
    }
}

fn log_line(r: &mut Pcg, s: &mut Sheet) {
    s.put(&format!(
        "{}-{:02}-{:02} {:02}:{:02}:{:02},{:03} {} ",
        r.between(2021, 2025),
        r.between(1, 12),
        r.between(1, 28),
        r.int(24),
        r.int(60),
        r.int(60),
        r.int(1000),
        r.of(&["[INFO]", "[WARN]", "ERROR", "INFO ", "[DEBUG]"])
    ));
    match r.int(5) {
        0 => {
            s.put(r.of(&["login ok ", "auth failed ", "request "]));
            s.put(&format!("uid={} ", r.between(1000, 99999)));
            let k = if r.one_in(5) { Kind::Ip6 } else { Kind::Ip4 };
            field(r, s, k, false);
            s.put(&format!(" cost={}ms", r.between(1, 900)));
        }
        1 => {
            s.put(r.of(&["用户登录成功，", "登录失败，", "接口调用，"]));
            field(r, s, Kind::Ip4, true);
            s.put(r.of(&["，", " ", "；"]));
            if r.one_in(2) {
                field(r, s, Kind::Mobile, true);
            } else {
                s.put(&near_miss(r));
            }
        }
        2 => {
            s.put(&format!("GET /api/v1/{}?", r.of(&["user/verify", "pay/bind", "apply/submit"])));
            let ks: [Kind; 2] =
                [*r.of(&[&Kind::Id, &Kind::Card, &Kind::Mobile]), *r.of(&[&Kind::Passport, &Kind::Email])];
            for (i, k) in ks.into_iter().enumerate() {
                if i > 0 {
                    s.put("&");
                }
                s.put(r.of(&k.labels_en()[..2]));
                s.put("=");
                let v = k.value(r).replace(' ', "");
                s.value(k.ty(), &v);
            }
            s.put(&format!(" {} {}ms", r.of(&["200", "400", "500"]), r.between(1, 999)));
        }
        3 => {
            s.put(r.of(&["短信发送至", "SMS sent to ", "验证码已发送，手机"]));
            let v = mobile_digits(r);
            s.value("cn_mobile", &v);
            s.put(&format!(" 模板{}", r.between(100, 999)));
        }
        _ => {
            s.put(&near_miss(r));
            s.put(" ");
            s.put(&near_miss(r));
        }
    }
}

fn form_dump(r: &mut Pcg, s: &mut Sheet) {
    let n = r.between(2, 4);
    let style = r.int(4);
    let zh = style != 3 || r.one_in(3);
    if style == 3 {
        s.put("{");
    }
    for i in 0..n {
        let k = KINDS[r.int(KINDS.len())];
        match style {
            0 => {
                s.put("【");
                s.put(r.of(k.labels_zh()));
                s.put("】");
                let v = k.value(r);
                s.value(k.ty(), &v);
            }
            1 => {
                if i > 0 {
                    s.put(r.of(&["\n", "  ", "；"]));
                }
                if r.one_in(6) {
                    s.put(&near_miss(r));
                } else {
                    field(r, s, k, zh);
                }
            }
            2 => {
                if i > 0 {
                    s.put(r.of(&["; ", ", ", "\n"]));
                }
                let zh = r.one_in(2);
                field(r, s, k, zh);
            }
            _ => {
                if i > 0 {
                    s.put(",");
                }
                let key = if zh { r.of(k.labels_zh()) } else { r.of(&k.labels_en()[..2]) };
                s.put(&format!("\"{key}\":\""));
                let v = k.value(r);
                s.value(k.ty(), &v);
                s.put("\"");
            }
        }
    }
    if style == 3 {
        s.put("}");
    }
}

fn chat(r: &mut Pcg, s: &mut Sheet) {
    let zh = !r.one_in(4);
    let (me, agent) = if zh { ("用户", "客服") } else { ("Customer", "Agent") };
    for turn in 0..r.between(2, 4) {
        if turn > 0 {
            s.put("\n");
        }
        if r.one_in(2) {
            s.put(&format!("[{:02}:{:02}] ", r.int(24), r.int(60)));
        }
        if turn % 2 == 1 {
            s.put(agent);
            s.put(if zh { "：" } else { ": " });
            s.put(if zh {
                r.of(&["好的，请提供您的信息", "已为您查询", "请稍等", "麻烦再核对一下"])
            } else {
                r.of(&["Sure, please give me the details", "Let me check", "Thanks"])
            });
            continue;
        }
        s.put(me);
        s.put(if zh { "：" } else { ": " });
        let k = KINDS[r.int(KINDS.len())];
        if zh {
            s.put(r.of(&["你好，我的", "我的", "麻烦查一下，", "", "您好 "]));
            if r.one_in(5) {
                let v = k.value(r);
                s.value(k.ty(), &v);
                s.put(r.of(&["，这个对吗", " 是我的", "。"]));
            } else {
                field(r, s, k, true);
                s.put(r.of(&["，谢谢", "", "。", "，请尽快处理"]));
            }
        } else {
            s.put(r.of(&["hi, my ", "my ", "", "please check "]));
            field(r, s, k, false);
            s.put(r.of(&[", thanks", "", ".", " asap"]));
        }
        if r.one_in(5) {
            s.put(" ");
            s.put(&near_miss(r));
        }
    }
}

fn mail(r: &mut Pcg, s: &mut Sheet) {
    let zh = !r.one_in(3);
    s.put(if zh { "发件人：" } else { "From: " });
    s.put(r.of(NAMES));
    s.put(" <");
    let v = email(r);
    s.value("email", &v);
    s.put(">\n");
    s.put(if zh { "主题：" } else { "Subject: " });
    s.put(if zh {
        r.of(&["退款申请", "材料补正", "信息变更"])
    } else {
        r.of(&["Refund", "Visa application"])
    });
    s.put("\n\n");
    s.put(if zh { "您好，" } else { "Dear officer, " });
    for i in 0..r.between(1, 3) {
        if i > 0 {
            s.put(if zh { "，" } else { ", " });
        }
        let k = *r.of(&[
            &Kind::Card,
            &Kind::Id,
            &Kind::Mobile,
            &Kind::Passport,
            &Kind::Permit,
            &Kind::Landline,
            &Kind::Uscc,
        ]);
        let lead = match (zh, k) {
            (true, Kind::Card) => r.of(&["请将款项退至", "我的", "本人"]),
            (true, Kind::Uscc) => r.of(&["单位", "我司"]),
            (true, _) => r.of(&["我的", "本人", "附上"]),
            (false, _) => r.of(&["my ", "our ", "the "]),
        };
        s.put(lead);
        field(r, s, k, zh);
    }
    s.put(if zh { "。\n此致\n" } else { ".\nRegards\n" });
    s.put(r.of(NAMES));
    if r.one_in(3) {
        s.put(" ");
        s.put(&near_miss(r));
    }
}

/// `n` labelled texts from `seed` (deterministic).
pub fn generate(seed: u64, n: usize) -> Vec<LabelledText> {
    let mut r = Pcg::new(seed);
    (0..n)
        .map(|_| {
            let mut s = Sheet { out: String::new(), at: 0, gold: Vec::new() };
            match r.int(6) {
                0 => table(&mut r, &mut s),
                1 => log_line(&mut r, &mut s),
                2 | 3 => form_dump(&mut r, &mut s),
                4 => chat(&mut r, &mut s),
                _ => mail(&mut r, &mut s),
            }
            LabelledText { text: s.out, entities: s.gold }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use govai_classify::validate;

    #[test]
    fn deterministic_with_valid_spans() {
        let a = generate(3, 400);
        assert_eq!(a, generate(3, 400));
        assert_ne!(a, generate(4, 400));
        for t in &a {
            let n = t.text.chars().count();
            let mut last = 0;
            for (_, s, e) in &t.entities {
                assert!(s < e && *e <= n && *s >= last, "{t:?}");
                last = *e;
            }
        }
    }

    /// The checksums written here agree with the classifier's validators (and the known vectors).
    #[test]
    fn own_checksums_agree() {
        assert_eq!(mod11_2("11010519491231002"), 'X');
        assert_eq!(luhn_digit("411111111111111"), '1');
        assert_eq!(luhn_digit("622260026000107244"), '4');
        assert_eq!(gb11714_check("M000100Y"), '4');
        assert_eq!(gb32100_check("91350100M000100Y4"), '3');
        let mut r = Pcg::new(9);
        for _ in 0..500 {
            let id = resident_id(&mut r).to_ascii_uppercase();
            assert!(validate::check_resident_id(id.as_bytes(), (2026, 1, 1)).unwrap().checksum, "{id}");
            let bad = resident_id_bad_check(&mut r);
            assert!(!validate::check_resident_id(bad.as_bytes(), (2026, 1, 1)).unwrap().checksum, "{bad}");
            assert!(validate::check_resident_id(resident_id_bad_date(&mut r).as_bytes(), (2026, 1, 1)).is_none());
            let c = card(&mut r);
            assert!(validate::luhn(c.as_bytes()), "{c}");
            assert!(!validate::luhn(card_bad(&mut r).as_bytes()));
            let u = uscc(&mut r);
            assert_eq!(validate::check_uscc(u.as_bytes()), Some(true), "{u}");
            assert!(validate::valid_mobile(mobile_digits(&mut r).as_bytes()));
        }
    }
}
