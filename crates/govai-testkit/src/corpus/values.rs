//! Value generators of the corpus (all valid unless the name says otherwise): IDs, codes, cards,
//! phones, documents, plates, e-mail and IP addresses, names and addresses, and their written
//! styles (full-width, ideographic spaces).

use govai_classify::validate;

use super::Rng;

pub(super) const PROVINCE_CODES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

pub(super) fn birth_date(rng: &mut Rng, y0: usize, y1: usize) -> (usize, usize, usize) {
    let y = rng.range(y0, y1);
    let m = rng.range(1, 12);
    let d = rng.range(1, validate::days_in_month(y as i32, m as u32) as usize);
    (y, m, d)
}

pub(super) fn id_body(rng: &mut Rng) -> String {
    let (y, m, d) = birth_date(rng, 1940, 2012);
    format!(
        "{}{:02}{:02}{y:04}{m:02}{d:02}{}",
        rng.pick(PROVINCE_CODES),
        rng.range(1, 30),
        rng.range(1, 30),
        rng.digits(3)
    )
}

pub(super) fn with_check(body: String) -> String {
    let c = validate::id_check_char(body.as_bytes()).map(char::from).unwrap_or('0');
    format!("{body}{c}")
}

pub(super) fn resident_id(rng: &mut Rng) -> String {
    with_check(id_body(rng))
}

pub(super) fn resident_id_wrong_check(rng: &mut Rng) -> String {
    let body = id_body(rng);
    let good = validate::id_check_char(body.as_bytes()).unwrap_or(b'0');
    let bad = rng.pick(&b"0123456789X".iter().copied().filter(|&c| c != good).collect::<Vec<u8>>());
    format!("{body}{}", char::from(bad))
}

pub(super) fn resident_id_bad_date(rng: &mut Rng) -> String {
    let (y, m, d) =
        rng.pick(&[(1990, 2, 30), (1985, 4, 31), (2001, 2, 29), (1979, 13, 1), (1988, 0, 12), (1995, 6, 0)]);
    let body = format!("{}0102{y:04}{m:02}{d:02}{}", rng.pick(PROVINCE_CODES), rng.digits(3));
    with_check(body)
}

pub(super) fn legacy_id(rng: &mut Rng) -> String {
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

pub(super) const USCC_BODY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

pub(super) fn org_body(rng: &mut Rng, letters: bool) -> String {
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

pub(super) fn org_code(rng: &mut Rng) -> String {
    let body = org_body(rng, true);
    let c = validate::org_check_char(body.as_bytes()).map(char::from).unwrap_or('0');
    format!("{body}{c}")
}

pub(super) fn uscc(rng: &mut Rng) -> String {
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

pub(super) fn luhn_complete(prefix_and_body: &str) -> String {
    (0..10u8)
        .map(|d| format!("{prefix_and_body}{}", char::from(b'0' + d)))
        .find(|s| validate::luhn(s.as_bytes()))
        .unwrap_or_else(|| format!("{prefix_and_body}0"))
}

pub(super) fn bank_card_digits(rng: &mut Rng) -> String {
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

pub(super) fn bank_card_bad(rng: &mut Rng) -> String {
    let good = bank_card_digits(rng);
    let (body, last) = good.split_at(good.len() - 1);
    let l = last.bytes().next().unwrap_or(b'0');
    format!("{body}{}", char::from(b'0' + (l - b'0' + 1 + rng.below(8) as u8) % 10))
}

pub(super) fn group4(s: &str, sep: char) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

pub(super) const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "162", "165", "166", "167", "170", "171", "172", "173", "175", "176", "177",
    "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "195",
    "196", "197", "198", "199",
];

pub(super) fn mobile_digits(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(MOBILE_PREFIXES), rng.digits(8))
}

pub(super) fn mobile(rng: &mut Rng) -> String {
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
pub(super) const AREA8: &[&str] = &[
    "10", "20", "21", "22", "23", "24", "25", "27", "28", "29", "311", "371", "379", "411", "431", "451", "510", "512",
    "531", "532", "551", "571", "574", "577", "591", "595", "731", "755", "757", "769", "791", "851", "871", "898",
];
pub(super) const AREA7: &[&str] = &[
    "310", "335", "350", "372", "391", "412", "427", "452", "470", "530", "543", "561", "580", "631", "660", "701",
    "712", "730", "750", "762", "817", "856", "883", "901", "931", "951",
];

pub(super) fn landline(rng: &mut Rng) -> String {
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

pub(super) const SERIAL_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

pub(super) fn passport(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("G{}", rng.digits(8)),
        1 | 2 => format!("E{}", rng.digits(8)),
        _ => format!("E{}{}", char::from(rng.pick(SERIAL_LETTERS)), rng.digits(7)),
    }
}

pub(super) fn permit(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("C{}", rng.digits(8)),
        1 => format!("C{}{}", char::from(rng.pick(SERIAL_LETTERS)), rng.digits(7)),
        2 => format!("H{}", rng.digits(8)),
        3 => format!("M{}{:02}", rng.digits(8), rng.below(5)),
        _ => format!("H{}{:02}", rng.digits(8), rng.below(5)),
    }
}

pub(super) fn hkid(rng: &mut Rng, parens: bool) -> String {
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

pub(super) const PLATE_PROVINCES: &[&str] = &[
    "京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖", "鲁", "新", "苏", "浙", "赣", "鄂", "桂", "甘",
    "晋", "蒙", "陕", "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼",
];
pub(super) const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

pub(super) fn plate(rng: &mut Rng) -> String {
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

pub(super) const PINYIN: &[&str] = &[
    "zhang", "wang", "li", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu", "xu", "sun", "hu", "zhu", "gao",
    "lin", "he", "guo", "ma", "luo", "wei", "fang", "jun", "min", "hua", "qiang", "lei", "yan", "jie", "tao",
];

pub(super) fn email(rng: &mut Rng) -> String {
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

pub(super) fn ipv4(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("10.{}.{}.{}", rng.below(256), rng.below(256), rng.range(1, 254)),
        1 => format!("192.168.{}.{}", rng.below(256), rng.range(1, 254)),
        2 => format!("172.{}.{}.{}", rng.range(16, 31), rng.below(256), rng.range(1, 254)),
        _ => format!("{}.{}.{}.{}", rng.range(1, 223), rng.below(256), rng.below(256), rng.range(1, 254)),
    }
}

pub(super) fn ipv6(rng: &mut Rng) -> String {
    let kind = rng.below(3);
    let mut g = || format!("{:x}", rng.below(0x10000));
    match kind {
        0 => format!("2001:db8::{}:{}", g(), g()),
        1 => format!("fe80::{}:{}:{}:{}", g(), g(), g(), g()),
        _ => (0..8).map(|_| g()).collect::<Vec<_>>().join(":"),
    }
}

pub(super) const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤";
pub(super) const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红斌宇浩凯鹏飞欣怡婷雪琳晨博文俊辉建国志海丹波宁慧颖佳嘉琪子轩梓涵诺思雨泽昊天然晓春梅兰林云峰鑫倩玲莉雯雅婧";

pub(super) fn surname(rng: &mut Rng) -> String {
    let s: Vec<char> = SURNAMES.chars().collect();
    rng.pick(&s).to_string()
}

pub(super) fn person(rng: &mut Rng) -> String {
    let g: Vec<char> = GIVEN.chars().collect();
    let n = if rng.chance(0.65) { 1 } else { 2 };
    let mut s = surname(rng);
    for _ in 0..n {
        s.push(rng.pick(&g));
    }
    s
}

pub(super) const PLACES: &[(&str, &str, &[&str])] = &[
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
pub(super) const ROADS: &[&str] = &[
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

pub(super) fn address(rng: &mut Rng) -> String {
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

pub(super) fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            ' ' => '\u{3000}',
            other => other,
        })
        .collect()
}

pub(super) fn styled(rng: &mut Rng, s: String) -> String {
    match rng.below(20) {
        0 => fullwidth(&s),
        1 => s.replace(' ', "\u{3000}"),
        _ => s,
    }
}
