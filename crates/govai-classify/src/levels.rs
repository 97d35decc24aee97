//! Level rules: findings -> `DataLevel`, with a human-readable reason for every decision.

use std::collections::{BTreeMap, BTreeSet};

use govai_core::DataLevel;
use serde::{Deserialize, Deserializer, Serialize};

use super::types::EntityType;
use super::validate::Date;

/// A bundle of identifiers that together identify and reach one person. Each inner list is a
/// group of alternatives; the bundle fires when every group has at least one finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRule {
    /// Name reported in the reason, e.g. `contact`.
    pub name: String,
    /// Groups of entity type names; each group needs one finding of one of its types.
    pub all_of: Vec<Vec<String>>,
    /// Level of a text in which the bundle fires.
    pub level: DataLevel,
}

/// How findings map to a data level. Every rule that raises the level adds a reason.
///
/// Defaults (see [`LevelRules::default`] and the README):
///
/// | rule | level |
/// |---|---|
/// | `secrecy_marking` (密级标志 绝密/机密/秘密★) | secret |
/// | `cn_resident_id`, `cn_passport`, `hk_macau_permit`, `hkid`, `bank_card` | sensitive |
/// | PIPL categories `health`, `religion`, `biometric`, `financial_account`, `whereabouts`, `minor` | sensitive |
/// | ID birth date => under 14 (PIPL minors) | sensitive |
/// | `person`, `cn_mobile`, `cn_landline`, `email`, `address`, `cn_plate`, `ipv4`, `ipv6` | internal |
/// | `cn_uscc`, `cn_org_code` (public registry data) | public |
/// | bundle `contact`: person + (mobile, landline, email or address) | sensitive |
/// | bundle `identity`: person + (ID, passport, permit or HKID) + (mobile, landline, email or address) | important |
/// | >= 10 distinct values of one of ID, passport, permit, HKID, bank card, mobile | important |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LevelRules {
    /// Level of a single finding of each type. In configuration, listed keys override the
    /// defaults and unlisted ones keep them; set a type to `"public"` to make it not count.
    #[serde(deserialize_with = "merge_entities")]
    pub entities: BTreeMap<String, DataLevel>,
    /// Identity bundles. Configuring `bundles` replaces the default list.
    pub bundles: Vec<BundleRule>,
    /// This many distinct values of one aggregation type in one text => `aggregation_level`.
    /// 0 disables the rule.
    pub aggregation_threshold: usize,
    /// Entity types whose distinct values are counted for the aggregation rule.
    pub aggregation_types: Vec<String>,
    /// Level of a text that reaches `aggregation_threshold`.
    pub aggregation_level: DataLevel,
    /// A resident ID whose birth date makes the holder younger than this is a minor's
    /// (PIPL: under 14) => `minor_level`. 0 disables the rule.
    pub minor_age: u32,
    /// Level of a text with a minor's resident ID.
    pub minor_level: DataLevel,
}

fn default_entities() -> BTreeMap<String, DataLevel> {
    use DataLevel::*;
    let pairs: [(&str, DataLevel); 22] = [
        ("secrecy_marking", Secret),
        ("cn_resident_id", Sensitive),
        ("cn_passport", Sensitive),
        ("hk_macau_permit", Sensitive),
        ("hkid", Sensitive),
        ("bank_card", Sensitive),
        ("health", Sensitive),
        ("religion", Sensitive),
        ("biometric", Sensitive),
        ("financial_account", Sensitive),
        ("whereabouts", Sensitive),
        ("minor", Sensitive),
        ("person", Internal),
        ("cn_mobile", Internal),
        ("cn_landline", Internal),
        ("email", Internal),
        ("address", Internal),
        ("cn_plate", Internal),
        ("ipv4", Internal),
        ("ipv6", Internal),
        ("cn_uscc", Public),
        ("cn_org_code", Public),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn merge_entities<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, DataLevel>, D::Error> {
    let given = BTreeMap::<String, DataLevel>::deserialize(d)?;
    let mut m = default_entities();
    m.extend(given);
    Ok(m)
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for LevelRules {
    fn default() -> Self {
        let ids = strings(&["cn_resident_id", "cn_passport", "hk_macau_permit", "hkid"]);
        let contact = strings(&["cn_mobile", "cn_landline", "email", "address"]);
        Self {
            entities: default_entities(),
            bundles: vec![
                BundleRule {
                    name: "contact".into(),
                    all_of: vec![strings(&["person"]), contact.clone()],
                    level: DataLevel::Sensitive,
                },
                BundleRule {
                    name: "identity".into(),
                    all_of: vec![strings(&["person"]), ids, contact],
                    level: DataLevel::Important,
                },
            ],
            aggregation_threshold: 10,
            aggregation_types: strings(&[
                "cn_resident_id",
                "cn_passport",
                "hk_macau_permit",
                "hkid",
                "bank_card",
                "cn_mobile",
            ]),
            aggregation_level: DataLevel::Important,
            minor_age: 14,
            minor_level: DataLevel::Sensitive,
        }
    }
}

/// A reported finding as the level rules see it.
#[derive(Debug)]
pub(crate) struct Seen<'a> {
    pub ty: EntityType,
    pub birth: Option<Date>,
    /// The finding's normalised text.
    pub text: &'a str,
}

impl Seen<'_> {
    /// The value compared for aggregation (distinct values): separators removed and upper-cased
    /// for identifiers, `+86 13800138000` and `13800138000` are the same phone. Computed only
    /// when a type reaches the aggregation threshold.
    fn key(&self) -> String {
        if matches!(self.ty, EntityType::Address | EntityType::Person) || EntityType::PIPL.contains(&self.ty) {
            return self.text.to_owned();
        }
        let k: String = self
            .text
            .chars()
            .filter(|ch| ch.is_alphanumeric() || *ch == '@' || *ch == '.' || *ch == ':')
            .flat_map(char::to_uppercase)
            .collect();
        if self.ty == EntityType::CnMobile && k.len() > 11 { k[k.len() - 11..].to_owned() } else { k }
    }
}

fn age_on(birth: Date, today: Date) -> i32 {
    let mut age = today.0 - birth.0;
    if (today.1, today.2) < (birth.1, birth.2) {
        age -= 1;
    }
    age
}

impl LevelRules {
    /// Every type name used by the rules (for validation).
    pub(crate) fn type_names(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.entities
            .keys()
            .map(|k| ("levels.entities", k.as_str()))
            .chain(self.bundles.iter().flat_map(|b| b.all_of.iter().flatten().map(|k| ("levels.bundles", k.as_str()))))
            .chain(self.aggregation_types.iter().map(|k| ("levels.aggregation_types", k.as_str())))
    }

    pub(crate) fn evaluate(&self, seen: &[Seen], today: Date) -> (DataLevel, Vec<String>) {
        let mut level = DataLevel::Public;
        let mut reasons = Vec::new();
        let mut raise = |l: DataLevel, reason: String, reasons: &mut Vec<String>| {
            if l > DataLevel::Public {
                level = level.max(l);
                reasons.push(reason);
            }
        };
        // Types present, by index; names are looked up among the (few) present types only.
        let mut present_ty = [false; EntityType::ALL.len()];
        for s in seen {
            present_ty[s.ty.index()] = true;
        }
        let present_list: Vec<EntityType> = EntityType::ALL.into_iter().filter(|t| present_ty[t.index()]).collect();
        let present = |name: &str| present_list.iter().any(|t| t.as_str() == name);
        // Single findings, one reason per type, in contract order.
        for &ty in &present_list {
            if let Some(&l) = self.entities.get(ty.as_str()) {
                if ty == EntityType::SecrecyMarking {
                    let marks: BTreeSet<&str> = seen.iter().filter(|s| s.ty == ty).map(|s| s.text).collect();
                    let marks: Vec<&str> = marks.into_iter().take(3).collect();
                    raise(l, format!("secrecy_marking {} => {l}", marks.join(" ")), &mut reasons);
                } else {
                    raise(l, format!("{ty} => {l}"), &mut reasons);
                }
            }
        }
        // Minors by ID birth date.
        if self.minor_age > 0
            && seen.iter().any(|s| {
                s.ty == EntityType::CnResidentId && s.birth.is_some_and(|b| age_on(b, today) < self.minor_age as i32)
            })
        {
            raise(
                self.minor_level,
                format!("cn_resident_id birth date => minor under {} => {}", self.minor_age, self.minor_level),
                &mut reasons,
            );
        }
        // Bundles.
        for b in &self.bundles {
            if !b.all_of.is_empty() && b.all_of.iter().all(|g| g.iter().any(|t| present(t.as_str()))) {
                let parts: Vec<String> = b
                    .all_of
                    .iter()
                    .map(|g| g.iter().filter(|t| present(t.as_str())).cloned().collect::<Vec<_>>().join("/"))
                    .collect();
                raise(b.level, format!("{} bundle {} => {}", b.name, parts.join(" + "), b.level), &mut reasons);
            }
        }
        // Aggregation.
        if self.aggregation_threshold > 0 {
            for t in &self.aggregation_types {
                // Fewer findings than the threshold cannot have enough distinct values.
                if seen.iter().filter(|s| s.ty.as_str() == t).nth(self.aggregation_threshold - 1).is_none() {
                    continue;
                }
                let keys: Vec<String> = seen.iter().filter(|s| s.ty.as_str() == t).map(Seen::key).collect();
                let distinct: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
                if distinct.len() >= self.aggregation_threshold {
                    raise(
                        self.aggregation_level,
                        format!(
                            "{} distinct {t} values >= aggregation threshold {} => {}",
                            distinct.len(),
                            self.aggregation_threshold,
                            self.aggregation_level
                        ),
                        &mut reasons,
                    );
                }
            }
        }
        (level, reasons)
    }
}
