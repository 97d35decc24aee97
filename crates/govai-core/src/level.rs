//! Data levels (数据分级) and where models run.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// How sensitive a piece of government data is, lowest first.
///
/// `Public < Internal < Sensitive` split general data (一般数据) as provincial practice does;
/// `Important` and `Core` follow GB/T 43697-2024. `Secret` (涉密, state secrets) sits above all:
/// no model governed by govai may ever receive it ("涉密不上网、上网不涉密").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataLevel {
    /// 公开: may be published.
    Public,
    /// 内部: for use inside government; general data.
    Internal,
    /// 敏感: general data that needs protection, e.g. personal information such as ID numbers.
    Sensitive,
    /// 重要数据 (GB/T 43697-2024).
    Important,
    /// 核心数据 (GB/T 43697-2024).
    Core,
    /// 涉密: state secrets; never sent to any model.
    Secret,
}

impl DataLevel {
    /// Every level, lowest first.
    pub const ALL: [DataLevel; 6] =
        [Self::Public, Self::Internal, Self::Sensitive, Self::Important, Self::Core, Self::Secret];

    /// Stable English identifier (also the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::Sensitive => "sensitive",
            Self::Important => "important",
            Self::Core => "core",
            Self::Secret => "secret",
        }
    }

    /// Chinese name as used in classification rules.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Public => "公开",
            Self::Internal => "内部",
            Self::Sensitive => "敏感",
            Self::Important => "重要",
            Self::Core => "核心",
            Self::Secret => "涉密",
        }
    }

    #[cfg(test)]
    fn name_en(self) -> &'static str {
        match self {
            Self::Public => "Public",
            Self::Internal => "Internal",
            Self::Sensitive => "Sensitive",
            Self::Important => "Important",
            Self::Core => "Core",
            Self::Secret => "Secret",
        }
    }
}

impl fmt::Display for DataLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DataLevel {
    type Err = Error;
    /// Accepts the English id (any case) or the Chinese name, with or without 数据.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let t = t.strip_suffix("数据").unwrap_or(t);
        Self::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(t) || l.name_zh() == t).ok_or_else(|| {
            Error::InvalidInput(format!(
                "unknown data level `{s}` (expected one of public, internal, sensitive, important, core, secret)"
            ))
        })
    }
}

/// Where a model runs. The policy caps the data level each location may receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// The department's own machines (本地部署).
    OnPremises,
    /// A shared government cloud / e-government extranet service (政务云 / 电子政务外网).
    GovernmentCloud,
    /// A model service on the public internet (互联网).
    PublicInternet,
}

impl Location {
    /// Stable snake_case identifier (also the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnPremises => "on_premises",
            Self::GovernmentCloud => "government_cloud",
            Self::PublicInternet => "public_internet",
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_public_to_secret() {
        let mut v = DataLevel::ALL.to_vec();
        v.reverse();
        v.sort();
        assert_eq!(v, DataLevel::ALL.to_vec());
        assert!(DataLevel::Core < DataLevel::Secret);
        assert!(DataLevel::Public < DataLevel::Internal);
    }

    #[test]
    fn parses_en_and_zh() {
        for l in DataLevel::ALL {
            assert_eq!(l.as_str().parse::<DataLevel>().unwrap(), l);
            assert_eq!(l.name_zh().parse::<DataLevel>().unwrap(), l);
            assert_eq!(l.name_en().to_uppercase().parse::<DataLevel>().unwrap(), l);
        }
        assert_eq!("重要数据".parse::<DataLevel>().unwrap(), DataLevel::Important);
        assert!("top-secret".parse::<DataLevel>().is_err());
    }

    #[test]
    fn serde_roundtrip() {
        let s = serde_json::to_string(&DataLevel::Important).unwrap();
        assert_eq!(s, "\"important\"");
        assert_eq!(serde_json::from_str::<DataLevel>(&s).unwrap(), DataLevel::Important);
    }
}
