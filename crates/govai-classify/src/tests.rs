//! Classifier-level tests: every vector of `shared/reference/pii-formats.md` through `scan`.
#![allow(clippy::unwrap_used)]

use super::*;

const TODAY: Date = (2026, 6, 1);

fn scan(t: &str) -> Classification {
    GuardClassifier::default().scan_at(t, TODAY)
}

/// (type, text) of every finding.
fn found(t: &str) -> Vec<(String, String)> {
    scan(t).findings.into_iter().map(|f| (f.entity_type, f.text)).collect()
}

fn one(t: &str, ty: &str, text: &str) {
    let f = found(t);
    assert!(f.contains(&(ty.to_owned(), text.to_owned())), "{t:?}: expected {ty} {text:?}, got {f:?}");
}

fn none_of(t: &str, ty: &str) {
    let f = found(t);
    assert!(f.iter().all(|(a, _)| a != ty), "{t:?}: expected no {ty}, got {f:?}");
}

#[test]
fn resident_id_vectors() {
    for v in
        ["11010519491231002X", "440524188001010014", "34052419800101001X", "513101198201130014", "11010519491231002x"]
    {
        one(&format!("证件{v}。"), "cn_resident_id", v);
        let f = scan(v).findings;
        assert_eq!(f.len(), 1, "{v}: {f:?}");
        assert_eq!(f[0].checksum, Some(true));
    }
    // Wrong check character: dropped, with or without context (a context word does not lift a
    // failed ID checksum; a lower `checksum_penalty` reports it, flagged).
    none_of("编号110105194912310021", "cn_resident_id");
    none_of("身份证号110105194912310021", "cn_resident_id");
    none_of("ID card No. 110105194912310021", "cn_resident_id");
    let cfg = GuardConfig { checksum_penalty: 0.3, ..GuardConfig::default() };
    let f = GuardClassifier::new(cfg).unwrap().scan_at("身份证号110105194912310021", TODAY).findings;
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].entity_type.as_str(), f[0].checksum), ("cn_resident_id", Some(false)));
    assert!(f[0].score < 0.95);
    // Impossible date is never an ID.
    none_of("身份证号110105194902300020", "cn_resident_id");
    one("身份证号11010519491231002X,请核对", "cn_resident_id", "11010519491231002X");
    none_of("ID:11010519491231002X1", "cn_resident_id");
    one("ID11010519491231002X", "cn_resident_id", "11010519491231002X");
    // Legacy 15-digit form needs context.
    one("身份证号码110105491231002", "cn_resident_id", "110105491231002");
    none_of("110105491231002", "cn_resident_id");
}

#[test]
fn fullwidth_spaces_and_offsets() {
    let t = "身份证：１１０１０５１９４９１２３１００２Ｘ，手机\u{3000}１３８ ００１３ ８０００。";
    let c = scan(t);
    let chars: Vec<char> = t.chars().collect();
    for f in &c.findings {
        let s: String = chars[f.start..f.end].iter().collect();
        assert_eq!(s, f.text);
    }
    let types: Vec<&str> = c.findings.iter().map(|f| f.entity_type.as_str()).collect();
    assert_eq!(types, ["cn_resident_id", "cn_mobile"]);
    assert_eq!(c.findings[0].text, "１１０１０５１９４９１２３１００２Ｘ");
    assert_eq!(c.findings[1].text, "１３８ ００１３ ８０００");
    // Zero-width characters inside a number do not hide it.
    one("手机138\u{200B}0013\u{200B}8000", "cn_mobile", "138\u{200B}0013\u{200B}8000");
}

#[test]
fn uscc_and_org_code_vectors() {
    one("统一社会信用代码：91350100M000100Y43", "cn_uscc", "91350100M000100Y43");
    one("9131000063159284XQ", "cn_uscc", "9131000063159284XQ");
    none_of("91350100M000100Y4Z", "cn_uscc");
    none_of("91310115MA1H8R7C6D", "cn_uscc");
    none_of("91310115MA1G4L1WXK", "cn_uscc");
    // Reported as real but fails the check: only with context, flagged.
    let f = scan("统一社会信用代码91350211M0000XUF46").findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].checksum, Some(false));
    one("组织机构代码：M000100Y4", "cn_org_code", "M000100Y4");
    one("代码证63159284-X,", "cn_org_code", "63159284-X");
    one("M000100Y-4", "cn_org_code", "M000100Y-4");
    none_of("M000100Y4", "cn_org_code");
}

#[test]
fn bank_card_vectors() {
    one("卡号4111111111111111请核对", "bank_card", "4111111111111111");
    one("card 4111111111111111", "bank_card", "4111111111111111");
    one("6222600260001072444", "bank_card", "6222600260001072444");
    one("银行卡：6222 6002 6000 1072 444", "bank_card", "6222 6002 6000 1072 444");
    for v in ["6226000000000004", "4111111111111112", "6222600260001072445"] {
        none_of(v, "bank_card");
        none_of(&format!("订单号{v}"), "bank_card");
    }
    // Wrong Luhn, even with context: not reported.
    none_of("银行卡号6222600260001072445", "bank_card");
    none_of("卡号：6222 6002 6000 1072 445", "bank_card");
    // Issuer ranges outside the known ones (Maestro 50, 56-58; UnionPay 81): a Luhn-valid
    // number needs a context word, glued or not; without one it is not reported.
    for v in ["5018000000000009", "5600112806792194", "5899999999999999994", "8100166527280609902"] {
        assert!(validate::luhn(v.as_bytes()), "{v}");
        for t in [format!("银行卡号{v}"), format!("卡号：{v}"), format!("card_no={v}"), format!("CardNo{v}")] {
            one(&t, "bank_card", v);
        }
        none_of(v, "bank_card");
        none_of(&format!("订单号{v}"), "bank_card");
    }
    one("账号 5600 1128 0679 2194", "bank_card", "5600 1128 0679 2194");
    none_of("银行卡号5600112806792195", "bank_card");
}

#[test]
fn mobile_vectors() {
    for v in ["13800138000", "19212345678", "16212345678", "17401234567"] {
        one(v, "cn_mobile", v);
    }
    for v in ["15412345678", "19412345678", "16812345678", "17412345678"] {
        none_of(v, "cn_mobile");
    }
    one("电话13800138000。", "cn_mobile", "13800138000");
    one("手机：+86 138-0013-8000", "cn_mobile", "+86 138-0013-8000");
    one("0086-13800138000", "cn_mobile", "0086-13800138000");
    none_of("编号213800138000", "cn_mobile");
    none_of("金额13800138000.50元", "cn_mobile");
}

#[test]
fn landline_vectors() {
    one("办公电话010-62345678", "cn_landline", "010-62345678");
    one("电话(0755)23456789", "cn_landline", "(0755)23456789");
    one("总机021-62345678转8001", "cn_landline", "021-62345678转8001");
    one("传真0571-8765432", "cn_landline", "0571-8765432");
    none_of("日期2024-03-15", "cn_landline");
}

#[test]
fn passport_permit_hkid_vectors() {
    one("护照号E12345678", "cn_passport", "E12345678");
    // Glued to a Latin label.
    one("passportE12345678", "cn_passport", "E12345678");
    one("PASSPORTEA1234567,", "cn_passport", "EA1234567");
    one("passportNoG12345678", "cn_passport", "G12345678");
    one("permitC12345678", "hk_macau_permit", "C12345678");
    none_of("orderE12345678", "cn_passport");
    one("passport EA1234567", "cn_passport", "EA1234567");
    one("护照G12345678", "cn_passport", "G12345678");
    one("护照号码：PE1234567", "cn_passport", "PE1234567");
    one("往来港澳通行证C12345678", "hk_macau_permit", "C12345678");
    one("港澳通行证CA0000001", "hk_macau_permit", "CA0000001");
    one("回乡证H1234567800", "hk_macau_permit", "H1234567800");
    one("港澳居民来往内地通行证M12345678", "hk_macau_permit", "M12345678");
    one("香港身份证CA182361(1)", "hkid", "CA182361(1)");
    one("HKID A123456(3)", "hkid", "A123456(3)");
    none_of("CA182361(2)", "hkid");
    let f = scan("香港身份证CA182361(2)").findings;
    assert_eq!(f[0].checksum, Some(false));
}

#[test]
fn plates_email_ips() {
    one("车牌号京A12345", "cn_plate", "京A12345");
    one("新能源车粤B·D12345", "cn_plate", "粤B·D12345");
    one("沪A12345D", "cn_plate", "沪A12345D");
    one("邮箱zhangsan@example.com", "email", "zhangsan@example.com");
    one("请发至li.si[at]gov[dot]cn", "email", "li.si[at]gov[dot]cn");
    one("邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "email", "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ");
    one("服务器IP:10.1.2.3", "ipv4", "10.1.2.3");
    // Glued to a Latin label.
    one("来源IP192.168.1.1登录", "ipv4", "192.168.1.1");
    one("srcIP10.2.3.4 ok", "ipv4", "10.2.3.4");
    one("host2001:db8::1 up", "ipv6", "2001:db8::1");
    none_of("v1.2.3.4", "ipv4");
    none_of("zip10.1.1.1", "ipv4");
    none_of("版本号1.2.3.4", "ipv4");
    one("地址2001:db8::1", "ipv6", "2001:db8::1");
}

#[test]
fn names_addresses_secrecy_pipl() {
    one("姓名：张三，性别：男", "person", "张三");
    one("家住北京市朝阳区建国路88号院3号楼2单元501室", "address", "北京市朝阳区建国路88号院3号楼2单元501室");
    one("机密★一年\n关于加强管理的通知", "secrecy_marking", "机密★一年");
    one("患者张三确诊糖尿病", "health", "确诊");
    none_of("全市新增确诊病例5例", "health");
    one("该同志宗教信仰为佛教", "religion", "宗教信仰");
    one("本人指纹信息已采集", "biometric", "指纹信息");
    none_of("个人信息保护法规定生物识别、宗教信仰属于敏感个人信息", "religion");
    one("其子王小明,现年9岁", "minor", "9岁");
}

#[test]
fn levels_and_reasons() {
    let c = scan("身份证号11010519491231002X");
    assert_eq!(c.level, DataLevel::Sensitive);
    assert_eq!(c.reasons, ["cn_resident_id => sensitive"]);

    let c = scan("机密★一年\n关于加强管理的通知");
    assert_eq!(c.level, DataLevel::Secret);
    assert_eq!(c.reasons, ["secrecy_marking 机密★一年 => secret"]);

    let c = scan("联系人：张三，手机13800138000");
    assert_eq!(c.level, DataLevel::Sensitive);
    assert!(c.reasons.iter().any(|r| r.starts_with("contact bundle person + cn_mobile")), "{:?}", c.reasons);

    let c = scan("姓名：张三，身份证号11010519491231002X，手机13800138000");
    assert_eq!(c.level, DataLevel::Important);
    assert!(c.reasons.contains(&"identity bundle person + cn_resident_id + cn_mobile => important".to_owned()));

    let c = scan("统一社会信用代码91350100M000100Y43");
    assert_eq!(c.level, DataLevel::Public);
    assert!(c.reasons.is_empty());

    let c = scan("今天天气很好。");
    assert_eq!((c.level, c.findings.len()), (DataLevel::Public, 0));

    // Aggregation with a configured threshold of 3; repeated values count once.
    let mut cfg = GuardConfig::default();
    cfg.levels.aggregation_threshold = 3;
    let g = GuardClassifier::new(cfg).unwrap();
    let ids = "11010519491231002X、440524188001010014、11010519491231002X";
    assert_eq!(g.scan_at(ids, TODAY).level, DataLevel::Sensitive);
    let ids = "11010519491231002X、440524188001010014、34052419800101001X、513101198201130014";
    let c = g.scan_at(ids, TODAY);
    assert_eq!(c.level, DataLevel::Important);
    assert!(c.reasons.contains(&"4 distinct cn_resident_id values >= aggregation threshold 3 => important".to_owned()));

    // A child's ID: the minor rule names the reason.
    let year = TODAY.0 - 5;
    let mut first17 = format!("110105{year}0101001").into_bytes();
    let check = validate::id_check_char(&first17).unwrap();
    first17.push(check);
    let id = String::from_utf8(first17).unwrap();
    let c = scan(&format!("身份证{id}"));
    assert!(c.reasons.contains(&"cn_resident_id birth date => minor under 14 => sensitive".to_owned()), "{c:?}");
}

#[test]
fn overlap_resolution_is_deterministic() {
    // An ID that also passes Luhn: one finding, the ID (higher score).
    let t = "440524188001010014";
    let f = scan(t).findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].entity_type, "cn_resident_id");
    // Email containing a passport-shaped local part: the email wins.
    let f = found("E12345678@qq.com");
    assert_eq!(f, [("email".to_owned(), "E12345678@qq.com".to_owned())]);
    // Findings never overlap.
    let c = scan("姓名张三身份证11010519491231002X手机13800138000邮箱a@b.cn住址北京市朝阳区建国路88号");
    for w in c.findings.windows(2) {
        assert!(w[0].end <= w[1].start, "{:?}", c.findings);
    }
}

#[test]
fn config_from_toml_and_validation() {
    let cfg: GuardConfig = toml::from_str(
        r#"
        checksum_penalty = 0.3
        min_score = 0.6
        context_window = 10
        disabled = ["person"]
        [levels]
        aggregation_threshold = 5
        [levels.entities]
        cn_mobile = "sensitive"
        "#,
    )
    .unwrap();
    assert_eq!(cfg.levels.entities["cn_mobile"], DataLevel::Sensitive);
    assert_eq!(cfg.levels.entities["cn_resident_id"], DataLevel::Sensitive, "unlisted keys keep defaults");
    assert_eq!(cfg.levels.bundles.len(), 2);
    let g = GuardClassifier::new(cfg).unwrap();
    assert_eq!(g.id(), "guard");
    let c = g.classify("姓名张三，手机13800138000").unwrap();
    assert!(c.findings.iter().all(|f| f.entity_type != "person"));
    assert_eq!(c.level, DataLevel::Sensitive);

    assert!(toml::from_str::<GuardConfig>("bogus = 1").is_err(), "deny_unknown_fields");
    for bad in [
        r#"enabled = ["phone"]"#,
        "min_score = 1.5",
        r#"[levels.entities]
        phone = "internal""#,
        r#"[[levels.bundles]]
        name = "x"
        all_of = [["nope"]]
        level = "secret""#,
    ] {
        let cfg: GuardConfig = toml::from_str(bad).unwrap();
        let e = GuardClassifier::new(cfg).unwrap_err();
        assert_eq!(e.kind(), govai_core::ErrorKind::Config, "{bad}: {e}");
    }
    // Only enabled types are reported.
    let cfg = GuardConfig { enabled: vec!["email".into()], ..GuardConfig::default() };
    let g = GuardClassifier::new(cfg).unwrap();
    let f = g.scan("手机13800138000 邮箱a@b.cn").findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].entity_type, "email");
}
