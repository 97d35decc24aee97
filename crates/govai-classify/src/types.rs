//! Entity type names: a public contract.

use std::fmt;
use std::str::FromStr;

use govai_core::Error;

/// Every entity type the guard classifier reports. The string names are a public contract.
///
/// The declaration order is also the tie-break priority of overlap resolution (earlier wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum EntityType {
    CnResidentId,
    CnUscc,
    CnOrgCode,
    BankCard,
    CnMobile,
    CnLandline,
    CnPassport,
    HkMacauPermit,
    Hkid,
    CnPlate,
    Email,
    Ipv4,
    Ipv6,
    Address,
    Person,
    SecrecyMarking,
    Health,
    Religion,
    Biometric,
    FinancialAccount,
    Whereabouts,
    Minor,
}

impl EntityType {
    pub(crate) const ALL: [EntityType; 22] = [
        Self::CnResidentId,
        Self::CnUscc,
        Self::CnOrgCode,
        Self::BankCard,
        Self::CnMobile,
        Self::CnLandline,
        Self::CnPassport,
        Self::HkMacauPermit,
        Self::Hkid,
        Self::CnPlate,
        Self::Email,
        Self::Ipv4,
        Self::Ipv6,
        Self::Address,
        Self::Person,
        Self::SecrecyMarking,
        Self::Health,
        Self::Religion,
        Self::Biometric,
        Self::FinancialAccount,
        Self::Whereabouts,
        Self::Minor,
    ];

    /// The PIPL Art. 28 sensitive categories detected by lexicon.
    pub(crate) const PIPL: [EntityType; 6] =
        [Self::Health, Self::Religion, Self::Biometric, Self::FinancialAccount, Self::Whereabouts, Self::Minor];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::CnResidentId => "cn_resident_id",
            Self::CnUscc => "cn_uscc",
            Self::CnOrgCode => "cn_org_code",
            Self::BankCard => "bank_card",
            Self::CnMobile => "cn_mobile",
            Self::CnLandline => "cn_landline",
            Self::CnPassport => "cn_passport",
            Self::HkMacauPermit => "hk_macau_permit",
            Self::Hkid => "hkid",
            Self::CnPlate => "cn_plate",
            Self::Email => "email",
            Self::Ipv4 => "ipv4",
            Self::Ipv6 => "ipv6",
            Self::Address => "address",
            Self::Person => "person",
            Self::SecrecyMarking => "secrecy_marking",
            Self::Health => "health",
            Self::Religion => "religion",
            Self::Biometric => "biometric",
            Self::FinancialAccount => "financial_account",
            Self::Whereabouts => "whereabouts",
            Self::Minor => "minor",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|t| t.as_str()).collect();
            Error::InvalidInput(format!("unknown entity type `{s}` (expected one of {})", names.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_roundtrip_and_index() {
        for (i, t) in EntityType::ALL.into_iter().enumerate() {
            assert_eq!(t.index(), i);
            assert_eq!(t.as_str().parse::<EntityType>().unwrap(), t);
        }
        assert!("phone".parse::<EntityType>().is_err());
    }
}
