//! The risk taxonomy of GB/T 45654-2025 (ex TC260-003) Appendix A: 5 groups, 31 categories.
//!
//! Codes are stable snake_case and part of the public contract (they are the finding codes of the
//! lexicon reviewer and the category column of term files). Item wording is shortened from the
//! standard; see `shared/reference/regulations.md` §5.2 (two A.4 items, 隐私权 and 个人信息权益,
//! were reconstructed to reach the stated 31 and should be checked against the standard text).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The five groups of Appendix A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskGroup {
    /// A.1 违反社会主义核心价值观
    A1CoreValues,
    /// A.2 歧视性内容
    A2Discrimination,
    /// A.3 商业违法违规
    A3Commercial,
    /// A.4 侵犯他人合法权益
    A4Rights,
    /// A.5 无法满足特定服务类型的安全需求
    A5ServiceSafety,
}

impl RiskGroup {
    /// The five groups, in the order of the standard.
    pub const ALL: [RiskGroup; 5] =
        [Self::A1CoreValues, Self::A2Discrimination, Self::A3Commercial, Self::A4Rights, Self::A5ServiceSafety];

    /// `A.1` ... `A.5`.
    pub fn label(self) -> &'static str {
        match self {
            Self::A1CoreValues => "A.1",
            Self::A2Discrimination => "A.2",
            Self::A3Commercial => "A.3",
            Self::A4Rights => "A.4",
            Self::A5ServiceSafety => "A.5",
        }
    }

    /// Chinese name of the group.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::A1CoreValues => "违反社会主义核心价值观",
            Self::A2Discrimination => "歧视性内容",
            Self::A3Commercial => "商业违法违规",
            Self::A4Rights => "侵犯他人合法权益",
            Self::A5ServiceSafety => "无法满足特定服务类型的安全需求",
        }
    }

    /// English name of the group.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::A1CoreValues => "Violates core socialist values",
            Self::A2Discrimination => "Discriminatory content",
            Self::A3Commercial => "Commercial violations",
            Self::A4Rights => "Infringes others' legal rights and interests",
            Self::A5ServiceSafety => "Fails the safety needs of the service type",
        }
    }

    /// The categories of this group, in the standard's order.
    pub fn categories(self) -> impl Iterator<Item = RiskCategory> {
        RiskCategory::ALL.into_iter().filter(move |c| c.group() == self)
    }
}

macro_rules! categories {
    ($( $variant:ident => $code:literal, $group:ident, $zh:literal, $en:literal; )*) => {
        /// One of the 31 risk categories of GB/T 45654-2025 Appendix A.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum RiskCategory {
            $(
                #[doc = $zh]
                #[serde(rename = $code)]
                $variant,
            )*
        }

        impl RiskCategory {
            /// All 31 categories in the standard's order.
            pub const ALL: [RiskCategory; categories!(@count $($variant)*)] = [$(Self::$variant),*];

            /// Stable snake_case code, e.g. `a1_subversion`.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The group (A.1..A.5) the category belongs to.
            pub fn group(self) -> RiskGroup {
                match self { $(Self::$variant => RiskGroup::$group,)* }
            }

            /// Shortened item wording of the standard.
            pub fn name_zh(self) -> &'static str {
                match self { $(Self::$variant => $zh,)* }
            }

            /// English item wording.
            pub fn name_en(self) -> &'static str {
                match self { $(Self::$variant => $en,)* }
            }

            /// Look a category up by its code.
            pub(crate) fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)* _ => None }
            }
        }
    };
    (@count) => { 0 };
    (@count $head:ident $($tail:ident)*) => { 1 + categories!(@count $($tail)*) };
}

categories! {
    Subversion => "a1_subversion", A1CoreValues, "煽动颠覆国家政权、推翻社会主义制度", "Subversion of state power or the socialist system";
    NationalSecurity => "a1_national_security", A1CoreValues, "危害国家安全和利益、损害国家形象", "Endangering national security or interests, harming the national image";
    Separatism => "a1_separatism", A1CoreValues, "煽动分裂国家、破坏国家统一和社会稳定", "Inciting separatism, undermining national unity and social stability";
    TerrorismExtremism => "a1_terrorism_extremism", A1CoreValues, "宣扬恐怖主义、极端主义", "Promoting terrorism or extremism";
    EthnicHatred => "a1_ethnic_hatred", A1CoreValues, "宣扬民族仇恨、民族歧视", "Promoting ethnic hatred or ethnic superiority";
    ViolenceObscenity => "a1_violence_obscenity", A1CoreValues, "宣扬暴力、淫秽色情", "Promoting violence, obscenity or pornography";
    FalseHarmfulInfo => "a1_false_harmful_info", A1CoreValues, "传播虚假有害信息", "Spreading false and harmful information";
    OtherProhibited => "a1_other_prohibited", A1CoreValues, "其他法律、行政法规禁止的内容", "Other content prohibited by laws and regulations";
    DiscEthnicity => "a2_ethnicity", A2Discrimination, "民族歧视", "Discrimination by ethnicity";
    DiscBelief => "a2_belief", A2Discrimination, "信仰歧视", "Discrimination by belief";
    DiscNationality => "a2_nationality", A2Discrimination, "国别歧视", "Discrimination by nationality";
    DiscRegion => "a2_region", A2Discrimination, "地域歧视", "Discrimination by region";
    DiscGender => "a2_gender", A2Discrimination, "性别歧视", "Discrimination by gender";
    DiscAge => "a2_age", A2Discrimination, "年龄歧视", "Discrimination by age";
    DiscOccupation => "a2_occupation", A2Discrimination, "职业歧视", "Discrimination by occupation";
    DiscHealth => "a2_health", A2Discrimination, "健康歧视", "Discrimination by health";
    DiscOther => "a2_other", A2Discrimination, "其他方面歧视", "Other discrimination";
    IpInfringement => "a3_ip_infringement", A3Commercial, "侵犯他人知识产权", "Infringing intellectual property";
    BusinessEthics => "a3_business_ethics", A3Commercial, "违反商业道德", "Violating business ethics";
    TradeSecrets => "a3_trade_secrets", A3Commercial, "泄露他人商业秘密", "Disclosing trade secrets";
    UnfairCompetition => "a3_unfair_competition", A3Commercial, "利用算法、数据、平台等优势实施垄断和不正当竞争", "Monopoly or unfair competition using algorithm, data or platform advantages";
    CommercialOther => "a3_other", A3Commercial, "其他商业违法违规行为", "Other commercial violations";
    PhysicalMentalHealth => "a4_physical_mental_health", A4Rights, "危害他人身心健康", "Endangering physical or mental health";
    PortraitRights => "a4_portrait_rights", A4Rights, "侵害他人肖像权", "Infringing portrait rights";
    ReputationRights => "a4_reputation_rights", A4Rights, "侵害他人名誉权", "Infringing reputation rights";
    HonorRights => "a4_honor_rights", A4Rights, "侵害他人荣誉权", "Infringing honour rights";
    Privacy => "a4_privacy", A4Rights, "侵害他人隐私权", "Infringing privacy";
    PersonalInformation => "a4_personal_information", A4Rights, "侵害他人个人信息权益", "Infringing personal-information rights";
    OtherRights => "a4_other_rights", A4Rights, "侵害他人其他合法权益", "Infringing other legal rights and interests";
    Inaccurate => "a5_inaccurate", A5ServiceSafety, "内容不准确（严重不符合科学常识或主流认知）", "Inaccurate content";
    Unreliable => "a5_unreliable", A5ServiceSafety, "内容不可靠（无法对使用者形成帮助）", "Unreliable content";
}

impl fmt::Display for RiskCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for RiskCategory {
    type Err = String;
    /// Accepts the code, any case, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        Self::from_code(&t).ok_or_else(|| format!("unknown risk category `{s}` (expected a code such as a1_subversion, a2_gender, a5_unreliable; {} codes in all)", Self::ALL.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn thirty_one_categories_8_9_5_7_2() {
        assert_eq!(RiskCategory::ALL.len(), 31);
        let counts: Vec<usize> = RiskGroup::ALL.iter().map(|g| g.categories().count()).collect();
        assert_eq!(counts, vec![8, 9, 5, 7, 2]);
        let codes: BTreeSet<_> = RiskCategory::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes.len(), 31);
        for c in RiskCategory::ALL {
            assert!(c.code().chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'));
            let prefix = format!("a{}_", &c.group().label()[2..]);
            assert!(c.code().starts_with(&prefix), "{}", c.code());
            assert_eq!(RiskCategory::from_code(c.code()), Some(c));
            assert_eq!(c.code().parse::<RiskCategory>(), Ok(c));
            let json = serde_json::to_string(&c).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", c.code()));
        }
        assert!("A2_GENDER ".parse::<RiskCategory>().is_ok());
        assert!("a9_nope".parse::<RiskCategory>().is_err());
    }
}
