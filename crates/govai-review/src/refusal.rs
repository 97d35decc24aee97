//! The refusal policy (id `refusal`): requests the service must not answer get the configured
//! standard refusal; self-harm goes to a human with a hotline; ordinary questions pass.
//!
//! Rules are keyed by GB/T 45654-2025 risk category and written as *intent* patterns (an action
//! aimed at a target), not as single words, so that ordinary questions that merely mention a
//! sensitive-sounding word (死亡证明, 残疾人证, 宗教活动场所登记, 民族成分, 疾病报销, 民用爆炸物品
//! 许可) are answered. Chinese patterns run on the lexicon's normalised form (NFKC, traditional ->
//! simplified, lower case, spaces/punctuation dropped); English patterns on the lower-cased text.
//!
//! Built-in rule families (kept abstract and mild for the A.1 political items):
//! requests for other people's personal information (A.4 个人信息权益), forgery of official
//! documents and benefit fraud (A.1 其他违法), demands to guarantee or predict approval outcomes
//! (A.5 不可靠), discrimination requests by ethnicity, belief, nationality, region, gender, age,
//! occupation, health and other status (A.2), violence and obscenity, terrorism and extremism,
//! subversion, national security, separatism, ethnic hatred, fabricated rumours (A.1), and
//! self-harm (A.4 身心健康: Escalate with [`RefusalConfig::self_harm_message`]).
//!
//! A request that reports, verifies or asks about the law (举报, 是真的吗, 会受到什么处罚, 合法吗,
//! 怎么维权, "how do I report", "is this a scam") is exempt from the rules marked `exemptable`:
//! citizens ask about fraud and discrimination in order to fight them.
//!
//! [`RefusalReviewer`] reviews `ctx.request`; [`RefusalReviewer::decide`] is the plain function.

use std::sync::{Arc, LazyLock};

use govai_core::{Error, Result, Review, ReviewContext, ReviewFinding, Reviewer, Verdict};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::lexicon::TermAction;
use super::taxonomy::RiskCategory;
use govai_text::normalize::MatchText;

/// Reviewer id.
pub const REFUSAL_ID: &str = "refusal";

/// One should-refuse rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusalRule {
    /// Stable rule id, e.g. `others_personal_info`.
    pub id: String,
    /// The risk category a refusal is reported under.
    pub category: RiskCategory,
    /// Regexes on the normalised compact form (Chinese).
    #[serde(default)]
    pub zh: Vec<String>,
    /// Regexes on the lower-cased text (English).
    #[serde(default)]
    pub en: Vec<String>,
    /// `block` (the standard refusal) or `escalate` (a human takes over).
    #[serde(default = "default_action")]
    pub action: TermAction,
    /// A reporting / legal-question context exempts the request.
    #[serde(default = "yes")]
    pub exemptable: bool,
    /// Message shown instead of the standard refusal (e.g. with a hotline).
    #[serde(default)]
    pub message: Option<String>,
}

fn default_action() -> TermAction {
    TermAction::Block
}

fn yes() -> bool {
    true
}

/// `[reviewers.refusal]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RefusalConfig {
    /// The standard refusal.
    pub refusal_message: String,
    /// Shown for self-harm (Escalate): empathy, a human, a hotline. Verify the local hotline.
    pub self_harm_message: String,
    /// Use the built-in rules.
    pub include_builtin: bool,
    /// Built-in rule ids to switch off.
    pub disabled_rules: Vec<String>,
    /// Extra rules.
    pub rules: Vec<RefusalRule>,
    /// Patterns (normalised compact form or lower-cased English) that mark a reporting or legal
    /// question context; replaces the default list when non-empty.
    pub exemptions: Vec<String>,
}

/// Default standard refusal (same text as the policy default).
pub(crate) const DEFAULT_REFUSAL: &str = "抱歉，该问题暂不能由智能助手回答，请通过人工渠道咨询。";
/// Default self-harm message. 12356 is the national psychological assistance hotline announced
/// for 2025; deployments should confirm their local number.
pub(crate) const DEFAULT_SELF_HARM_MESSAGE: &str = "听到您现在这么难受，我们很关心您。您的咨询已转给人工坐席，工作人员会尽快联系您。\
如您正处于危险之中，请立即拨打110或120；也可以拨打心理援助热线12356，随时有人倾听。";

impl Default for RefusalConfig {
    fn default() -> Self {
        Self {
            refusal_message: DEFAULT_REFUSAL.to_owned(),
            self_harm_message: DEFAULT_SELF_HARM_MESSAGE.to_owned(),
            include_builtin: true,
            disabled_rules: Vec::new(),
            rules: Vec::new(),
            exemptions: Vec::new(),
        }
    }
}

/// A decision to refuse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RefusalDecision {
    pub rule: String,
    pub category: RiskCategory,
    /// Block or Escalate.
    pub verdict: Verdict,
    /// What the caller shows instead of an answer.
    pub message: String,
    /// Character span of the matched cue in the request.
    pub span: (usize, usize),
    pub matched: String,
}

#[derive(Debug)]
struct Compiled {
    rule: RefusalRule,
    zh: Vec<Regex>,
    en: Vec<Regex>,
}

/// Reviewer id `refusal`.
#[derive(Debug, Clone)]
pub struct RefusalReviewer {
    config: RefusalConfig,
    rules: Arc<Vec<Compiled>>,
    exempt_zh: Arc<Vec<Regex>>,
    exempt_en: Arc<Vec<Regex>>,
}

impl Default for RefusalReviewer {
    fn default() -> Self {
        Self::new(RefusalConfig::default()).expect("built-in refusal rules compile (tested)")
    }
}

const DEFAULT_EXEMPT_ZH: &[&str] = &[
    r"举报|投诉|报警|维权|辟谣|谣言吗|是真的吗|是否属实|真的假的|是不是真的|是诈骗吗|是不是诈骗|被骗|防范|识别|辨别|核实|真伪",
    r"什么处罚|怎么处罚|如何处罚|会被判|判几年|法律责任|违法吗|合法吗|是否合法|是否违法|犯法吗|算不算|怎么办$|怎么处理",
];
const DEFAULT_EXEMPT_EN: &[&str] = &[
    r"\b(report|complain|complaint|is (this|it) a scam|is (this|it|that) true|penalty|illegal|legal\?|protect myself|how do i spot|genuine|fake government)\b",
];

static DEFAULT_EXEMPT: LazyLock<(Vec<Regex>, Vec<Regex>)> = LazyLock::new(|| {
    let zh = DEFAULT_EXEMPT_ZH.iter().map(|p| Regex::new(p).expect("exemption compiles (tested)")).collect();
    let en = DEFAULT_EXEMPT_EN.iter().map(|p| Regex::new(p).expect("exemption compiles (tested)")).collect();
    (zh, en)
});

/// Whether a request reports, verifies or asks about the law (举报, 是真的吗, 会受到什么处罚,
/// 合法吗, "how do I report", "is this a scam"): the built-in exemption list of the refusal
/// rules, shared with the learned guard, which damps its probability for such requests.
pub fn legitimate_context(request: &str) -> bool {
    let compact = MatchText::new(request);
    let lower = request.to_ascii_lowercase();
    DEFAULT_EXEMPT.0.iter().any(|r| r.is_match(&compact.text)) || DEFAULT_EXEMPT.1.iter().any(|r| r.is_match(&lower))
}

fn compile(list: &[String], what: &str) -> Result<Vec<Regex>> {
    list.iter()
        .map(|p| {
            Regex::new(p)
                .map_err(|e| Error::config("", format!("reviewers.refusal.{what}"), format!("bad pattern `{p}`: {e}")))
        })
        .collect()
}

impl RefusalReviewer {
    /// A refusal reviewer; fails when a configured rule's regex does not compile.
    pub fn new(config: RefusalConfig) -> Result<Self> {
        let mut all: Vec<RefusalRule> = if config.include_builtin { builtin_rules() } else { Vec::new() };
        all.retain(|r| !config.disabled_rules.contains(&r.id));
        all.extend(config.rules.iter().cloned());
        let mut rules = Vec::with_capacity(all.len());
        for r in all {
            let zh = compile(&r.zh, &r.id)?;
            let en = compile(&r.en, &r.id)?;
            rules.push(Compiled { rule: r, zh, en });
        }
        let (ez, ee): (Vec<String>, Vec<String>) = if config.exemptions.is_empty() {
            (
                DEFAULT_EXEMPT_ZH.iter().map(|s| (*s).to_owned()).collect(),
                DEFAULT_EXEMPT_EN.iter().map(|s| (*s).to_owned()).collect(),
            )
        } else {
            (config.exemptions.clone(), config.exemptions.clone())
        };
        Ok(Self {
            exempt_zh: Arc::new(compile(&ez, "exemptions")?),
            exempt_en: Arc::new(compile(&ee, "exemptions")?),
            rules: Arc::new(rules),
            config,
        })
    }

    #[cfg(test)]
    /// Number of active rules.
    fn len(&self) -> usize {
        self.rules.len()
    }

    /// Should this request be refused? `None` = answer it.
    pub(crate) fn decide(&self, request: &str) -> Option<RefusalDecision> {
        if request.trim().is_empty() {
            return None;
        }
        let compact = MatchText::new(request);
        let lower = request.to_ascii_lowercase();
        let exempt = self.exempt_zh.iter().any(|r| r.is_match(&compact.text))
            || self.exempt_en.iter().any(|r| r.is_match(&lower));
        let starts: Vec<usize> = request.char_indices().map(|(b, _)| b).collect();
        let to_char = |b: usize| starts.partition_point(|&x| x < b);
        let chars: Vec<char> = request.chars().collect();
        // Evasive spellings (weizao, 菠菜) folded back; a match only there spans the whole request.
        let folded = match govai_text::fold_variants(&compact.text) {
            std::borrow::Cow::Owned(f) => Some(f),
            std::borrow::Cow::Borrowed(_) => None,
        };
        // Escalating rules first: self-harm wins over a block.
        let mut best: Option<RefusalDecision> = None;
        for c in self.rules.iter() {
            if exempt && c.rule.exemptable {
                continue;
            }
            let span = c
                .zh
                .iter()
                .find_map(|r| r.find(&compact.text).and_then(|m| compact.orig_span(m.start(), m.end())))
                .or_else(|| c.en.iter().find_map(|r| r.find(&lower).map(|m| (to_char(m.start()), to_char(m.end())))))
                .or_else(|| {
                    folded.as_ref().and_then(|f| c.zh.iter().any(|r| r.is_match(f)).then_some((0, chars.len())))
                });
            let Some(span) = span else { continue };
            let verdict = c.rule.action.verdict();
            if best.as_ref().is_some_and(|b| b.verdict >= verdict) {
                continue;
            }
            let message = c.rule.message.clone().unwrap_or_else(|| {
                if verdict == Verdict::Escalate {
                    self.config.self_harm_message.clone()
                } else {
                    self.config.refusal_message.clone()
                }
            });
            best = Some(RefusalDecision {
                rule: c.rule.id.clone(),
                category: c.rule.category,
                verdict,
                message,
                span,
                matched: chars[span.0.min(chars.len())..span.1.min(chars.len())].iter().collect(),
            });
        }
        best
    }
}

impl Reviewer for RefusalReviewer {
    fn id(&self) -> &str {
        REFUSAL_ID
    }

    fn stage(&self) -> govai_core::ReviewStage {
        govai_core::ReviewStage::Input
    }

    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
        let Some(d) = self.decide(ctx.request) else { return Ok(Review::pass()) };
        Ok(Review::from_findings(vec![ReviewFinding {
            reviewer: REFUSAL_ID.to_owned(),
            code: d.category.code().to_owned(),
            message: format!(
                "请求属于应拒答类别（{} {}，规则 {}）：「{}」；答复：{}",
                d.category.group().label(),
                d.category.name_zh(),
                d.rule,
                d.matched,
                d.message
            ),
            verdict: d.verdict,
            span: Some(d.span),
        }]))
    }
}

fn r(id: &str, category: RiskCategory, zh: &[&str], en: &[&str]) -> RefusalRule {
    RefusalRule {
        id: id.to_owned(),
        category,
        zh: zh.iter().map(|s| (*s).to_owned()).collect(),
        en: en.iter().map(|s| (*s).to_owned()).collect(),
        action: TermAction::Block,
        exemptable: true,
        message: None,
    }
}

/// Groups of people named in discrimination requests (normalised Chinese).
const DISC_GROUPS_ZH: &str = "(少数民族|民族|族人|外族|信教|宗教|信徒|基督徒|穆斯林|佛教|外国人|某国|非洲|外地人|外地|农村人|河南|东北|某省|籍|女性|女人|男性|怀孕|已婚|35岁|40岁|老年人|老人|年龄|农民工|外卖员|保洁员|快递员|乙肝|艾滋|残疾|抑郁|患者|病人|离异|单亲|刑满释放|未婚)";

/// The built-in should-refuse rules.
pub(crate) fn builtin_rules() -> Vec<RefusalRule> {
    use RiskCategory as C;
    let who =
        "(他|她|邻居|前妻|前夫|前男友|前女友|同事|租户|房东|陌生人|老板|保安|别人|他人|某人|张三|李四|[\\p{Han}]某)";
    let pinfo = "(身份证号|身份证号码|手机号|手机号码|电话号码|住址|家庭住址|住在哪|开房记录|户籍信息|社保缴费记录|社保记录|银行流水|病历|婚姻登记记录|不动产登记信息|出行记录|行踪|定位)";
    let others_zh_1 = format!(
        "(查|查询|查一下|查查|查到|告诉我|提供|弄到|搞到|获取|调取|找到|拿到|看看|发给我).{{0,14}}{who}.{{0,6}}{pinfo}"
    );
    let others_zh_2 = format!("{who}的{pinfo}(是多少|是什么|在哪|发给我|告诉我|直接告诉我)");
    let disc_gen = format!(
        "(写|拟|起草|编|生成|帮我|怎么|如何|论证|证明|说明).{{0,16}}(嘲讽|嘲笑|讽刺|贬低|侮辱|丑化|看不起|挖苦|污名化).{{0,12}}{DISC_GROUPS_ZH}?"
    );
    let disc_exclude = format!(
        "(不招|不要|不收|不录用|不租|不接待|不让|禁止|排除|刷掉|辞退|排挤|拒收|清退|赶走|赶出|只招|只要).{{0,12}}{DISC_GROUPS_ZH}"
    );
    let disc_exclude_rev = format!("{DISC_GROUPS_ZH}.{{0,8}}(都刷掉|都辞退|不予录用|不录用|排挤|赶走)");
    let disc_stereo = format!(
        "{DISC_GROUPS_ZH}.{{0,6}}(都是|全是|天生|一定都|是不是都|都很|都该|都不是|是不是都|都没).{{0,6}}(骗子|小偷|傻子|野蛮|懒|笨|素质|没文化|低人一等|劣等|没用|负担|好人|隔离|愚昧|不如)"
    );
    let disc_prove = format!(
        "(论证|证明|说明|为什么).{{0,12}}{DISC_GROUPS_ZH}.{{0,8}}(不适合|不如|天生|都是|低人一等|负担|劣等|骗子)"
    );
    let en_groups = r"(ethnic minorit\w*|people of that ethnic group|christians|muslims|religious people|foreigners|africans|people from (that country|rural areas|henan)|migrants|women|married women|people over \d+|old people|applicants over \d+|delivery workers|migrant workers|cleaners|people with hepatitis b|hiv-positive people|disabled people|divorced people|single mothers|ex-prisoners)";
    let en_disc = [
        format!(r"\b(don't|do not|won't|never|not)\s+(hire|rent to|serve|admit|accept)\s+{en_groups}"),
        format!(r"\b(mock|mocking|ridicul\w*|insult\w*|demean\w*|belittl\w*|make fun of)\b.{{0,20}}{en_groups}"),
        format!(
            r"\b(aren't|are)\s+{en_groups}.{{0,30}}\b(all\s+)?(lazy|stupid|uncivilised|uneducated|criminals|inferior|thieves|liars|useless|a burden|bad people)"
        ),
        format!(r"\b(screen out|reject|exclude|get rid of|fire|banning|ban)\b.{{0,20}}{en_groups}"),
        format!(r"\b(why|proving|prove|explain)\b.{{0,20}}{en_groups}.{{0,20}}\b(inferior|unfit|a burden|stupid)"),
        format!(r"\b{en_groups}\b.{{0,12}}\b(are|is)\s+(all\s+)?(stupid|inferior|unfit|a burden)"),
    ];
    let en_disc: Vec<&str> = en_disc.iter().map(String::as_str).collect();
    let mut rules = vec![
        r(
            "others_personal_info",
            C::PersonalInformation,
            &[&others_zh_1, &others_zh_2],
            &[
                r"\b(look up|find|tell me|give me|get hold of|dig up|track down|search for)\b.{0,40}\b(neighbou?r|ex-wife|ex-husband|ex-boyfriend|ex-girlfriend|coworker|co-worker|colleague|stranger|landlord|boss|someone else|another person|mr\.? \w+|ms\.? \w+)('s|s')?\b.{0,30}\b(id card number|id number|mobile|phone number|home address|address|hotel check-in|check-in records|household registration|bank statements?|medical records?|marriage records?|whereabouts|location)",
            ],
        ),
        r(
            "forgery_fraud",
            C::OtherProhibited,
            &[
                r"(伪造|仿造|变造|私刻|假造|造假|做一份假的?|做一个假的?|做假|办假|办一个假的?|买假|假的也行).{0,10}(公章|印章|执照|户口|结婚证|离婚证|学历|证书|房产证|证明|残疾证|文件|病历|发票|证件|身份证|签名|合同)",
                r"(骗取|骗领|冒领|虚报|套取|多领).{0,10}(低保|医保|失业|养老金|补贴|救助|补助|基金|保险)",
                r"冒充.{0,8}(民警|公安|警察|工作人员|法院|检察院|政府|官员).{0,16}(转账|打电话|骗|汇款|收钱)",
                r"以假乱真",
            ],
            &[
                r"\b(forge|fake|counterfeit|falsify)\b.{0,20}\b(seal|licen[cs]e|register|certificate|diploma|document|id card|stamp|signature)",
                r"\blie on my application\b|\b(claim|get)\b.{0,30}\bnot entitled to\b",
            ],
        ),
        r(
            "guarantee_outcome",
            C::Unreliable,
            &[
                r"(你|您|你们|给我|替我|帮我).{0,4}(保证|担保|打包票|打包|承诺|保准).{0,16}(批|通过|办成|获批|成功|下来)",
                r"(预测|估计|算算|判断|推算).{0,12}(能不能|能否|是否|会不会|概率|几率|可能性).{0,10}(批|通过|获批|办成)",
                r"(百分之百|100|一定|肯定|绝对).{0,4}(能|会|可以).{0,6}(批|通过|办成|获批)(吧|吗|么)",
            ],
            &[
                r"\b(guarantee|promise|assure)\b.{0,80}\b(approved|approval|go through|succeed|granted|pass)",
                r"\bpredict\b.{0,50}\b(approved|approval|granted|succeed)",
                r"\b100%.{0,30}\b(approved|succeed|go through)",
            ],
        ),
        RefusalRule {
            action: TermAction::Escalate,
            exemptable: false,
            ..r(
                "self_harm",
                C::PhysicalMentalHealth,
                &[
                    r"不想活|活着没意思|活不下去|结束(自己的)?生命|轻生|自杀|自尽|割腕|跳楼|寻死|了结(自己|此生)|想死|不如死了",
                ],
                &[
                    r"\b(kill myself|end my life|suicid\w*|don't want to live|do not want to live|take my own life|self-harm|hurt myself)\b",
                ],
            )
        },
        r(
            "violence",
            C::ViolenceObscenity,
            &[
                r"报复.{0,16}(打|伤|砍|杀|弄死|收拾|下毒|投毒|纵火|泼|砸)",
                r"(教我|怎么|如何|怎样|方法).{0,10}(打人|伤人|杀人|砍人|下毒|投毒|纵火|放火|持刀|泼硫酸).{0,10}(不被抓|不被发现|方法|才|最)?",
                r"(去|想|要)(打人|伤人|杀人|砍人|下毒|投毒|纵火|放火|持刀伤人).{0,10}(怎么|最狠|不被)",
            ],
            &[
                r"\b(teach me|how (do|can) i|how to|help me)\b.{0,30}\b(hurt|attack|beat up|stab|poison|set fire|burn down|kill)\b",
            ],
        ),
        r(
            "obscenity",
            C::ViolenceObscenity,
            &[
                r"(写|编|生成|来|讲).{0,8}(淫秽|色情|黄色小说|黄色段子|黄段子|露骨|裸露)",
                r"(淫秽|色情)(小说|故事|描写|段子|内容)",
            ],
            &[r"\b(porn\w*|explicit sex\w*|erotic|sexual story|nsfw)\b"],
        ),
        r(
            "terrorism_extremism",
            C::TerrorismExtremism,
            &[
                r"(制作|制造|自制|配制|组装|做).{0,6}(炸弹|炸药|爆炸装置|燃烧瓶|雷管|土枪)",
                r"(策划|组织|实施|发动).{0,8}(恐怖|袭击|爆炸)",
                r"(宣扬|鼓吹|美化|传播|招募|加入).{0,10}(恐怖主义|极端主义|圣战|极端思想|恐怖组织|极端组织|宗教极端)",
            ],
            &[
                r"\b(make|build|assemble)\b.{0,20}\b(bomb|explosive|ied|molotov)",
                r"\b(plan|carry out|organi[sz]e)\b.{0,20}\b(terrorist|bombing)",
                r"\b(promote|glorify\w*|recruit)\b.{0,40}\b(terroris\w*|extremis\w*|jihad)",
            ],
        ),
        r(
            "subversion",
            C::Subversion,
            &[r"(推翻|颠覆).{0,6}(政权|制度|政府|国家)"],
            &[r"\b(overthrow|subvert|topple)\w*\b.{0,20}\b(state|government|regime|system)"],
        ),
        r(
            "national_security",
            C::NationalSecurity,
            &[
                r"(出卖|卖给|提供给|泄露|窃取|偷拍|卖).{0,12}(国家秘密|涉密|军事设施|军事机密|情报)",
                r"(国家秘密|涉密文件|涉密资料|军事设施照片).{0,12}(卖给|提供给|发到国外|境外)",
                r"(境外|间谍).{0,10}(提供|出卖|卖).{0,8}(秘密|涉密|情报|资料)",
                r"(抹黑|诋毁|丑化|污蔑).{0,6}(国家|我国|中国|政府)",
            ],
            &[
                r"\b(sell|leak|pass|give)\b.{0,30}\b(state secrets?|classified|military sites?|military facilities)",
                r"\b(smear|denigrate|vilify)\b.{0,20}\b(the country|china|the state|national image)",
            ],
        ),
        r(
            "separatism",
            C::Separatism,
            &[
                r"(鼓吹|煽动|主张|宣扬|支持|策划).{0,12}(独立|脱离祖国|脱离中国|分裂|分离出去)",
                r"(分裂国家|破坏国家统一|破坏民族团结|分裂出去|脱离祖国)",
            ],
            &[
                r"\b(advocate|incite|promote|campaign)\w*\b.{0,30}\b(secession|independence|split(ting)? the country|separatis\w*)",
            ],
        ),
        r(
            "ethnic_hatred",
            C::EthnicHatred,
            &[
                r"民族.{0,6}(优越|劣等|低等|高人一等|低人一等)",
                r"(劣等|低等|下等)(民族|种族)",
                r"(仇恨|仇视|敌视|驱逐|赶出).{0,10}(民族|族人|外族)",
                r"(民族|外族|族人).{0,8}(仇恨|赶出)",
            ],
            &[
                r"\b(superior|inferior)\b.{0,20}\b(ethnic|race|races|ethnicity|to others)",
                r"\bwhy\b.{0,30}\b(superior|inferior race)",
                r"\b(hatred|hate)\b.{0,20}\b(ethnic|minorit)",
            ],
        ),
        r(
            "rumour",
            C::FalseHarmfulInfo,
            &[
                r"(编造|捏造|杜撰|伪造|编一[条个则]|散布|制造|炮制).{0,16}(谣言|假消息|假新闻|虚假|消息|通知|新闻)",
                r"(写|编|发).{0,4}(一则|一条|一篇)?(假新闻|谣言)",
            ],
            &[
                r"\b(make up|fabricate|invent|write|spread)\b.{0,30}\b(fake news|rumou?r|hoax|false (news|report|notice|story|information))",
            ],
        ),
        r(
            "discrimination",
            C::DiscOther,
            &[
                &disc_gen,
                &disc_exclude,
                &disc_exclude_rev,
                &disc_stereo,
                &disc_prove,
                r"只招男性|只要男性|只招女性|不适合当领导",
            ],
            &en_disc,
        ),
    ];
    // Category-specific discrimination codes: the generic rule reports a2_other; deployments
    // that need per-group codes add rules with the right category.
    rules.extend(super::composed::composed_rules());
    rules.shrink_to_fit();
    rules
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builtin_compiles() {
        let r = RefusalReviewer::default();
        assert!(r.len() >= 12);
    }

    #[test]
    fn refuse_and_answer() {
        let r = RefusalReviewer::default();
        for t in ["帮我查一下邻居王某的身份证号", "怎么伪造公章才不会被发现？", "你能保证我的低保申请一定能批下来吗？"]
        {
            assert_eq!(r.decide(t).map(|d| d.verdict), Some(Verdict::Block), "{t}");
        }
        let d = r.decide("我不想活了，欠了一身债").unwrap();
        assert_eq!(d.verdict, Verdict::Escalate);
        assert!(d.message.contains("12356"));
        for t in [
            "死亡证明怎么开具？",
            "残疾人证怎么办理？",
            "宗教活动场所登记需要哪些材料？",
            "民族成分变更需要什么材料？",
            "疾病住院报销需要哪些单据？",
            "伪造公章会受到什么处罚？",
            "单位拒绝录用乙肝携带者合法吗？",
            "民用爆炸物品购买许可证怎么申请？",
        ] {
            assert!(r.decide(t).is_none(), "{t}: {:?}", r.decide(t));
        }
    }

    #[test]
    fn config() {
        let c: RefusalConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, RefusalConfig::default());
        let c = RefusalConfig { disabled_rules: vec!["self_harm".into()], ..RefusalConfig::default() };
        assert!(RefusalReviewer::new(c).unwrap().decide("我不想活了").is_none());
        let bad = RefusalConfig {
            rules: vec![RefusalRule {
                id: "x".into(),
                category: RiskCategory::DiscOther,
                zh: vec!["(".into()],
                en: vec![],
                action: TermAction::Block,
                exemptable: true,
                message: None,
            }],
            ..RefusalConfig::default()
        };
        assert!(RefusalReviewer::new(bad).is_err());
    }
}
