//! Clauses of the corpus: a value in a sentence, with or without context words, PIPL clauses
//! next to a person, and near-miss negatives.

use super::values::*;
use super::{Doc, Rng};

pub(super) fn ctx<'a>(rng: &mut Rng, with: &'a [&'a str], without: &'a [&'a str], p_with: f64) -> &'a str {
    if rng.chance(p_with) { rng.pick(with) } else { rng.pick(without) }
}

/// Neutral lead-ins (no context word of any type).
pub(super) const NEUTRAL: &[&str] = &["", "号码", "见", "详见：", "信息：", "登记为", "备注 ", "记录 "];

pub(super) fn clause(rng: &mut Rng, doc: &mut Doc, english: bool) {
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

pub(super) fn pipl_clause(rng: &mut Rng, doc: &mut Doc) {
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
pub(super) fn near_miss(rng: &mut Rng, doc: &mut Doc) {
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
