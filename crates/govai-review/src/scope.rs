//! The scope check (reviewer id `scope`, input stage): a public-facing scenario serves
//! government affairs; a harmless request far outside them (recommend a film, write a love
//! poem, fix my code, pick stocks, a recipe) gets a polite redirect before any model, recorded as
//! outcome `redirected` (finding code [`OUT_OF_SCOPE`]), not as a harm refusal.
//!
//! The rule is deliberately one-sided, because a redirected citizen question is a failure: a
//! request is out of scope only when it names an off-topic subject ([`OUTSIDE_ZH`],
//! [`OUTSIDE_EN`], plus `[reviewers.scope] outside`) and nothing a government service handles
//! ([`SERVES_ZH`], [`SERVES_EN`], plus `[reviewers.scope] serves`, e.g. the knowledge base's tags).
//! Chinese terms match the normalised compact form (width, spacing, traditional characters
//! folded); English terms the lower-cased text.

use aho_corasick::AhoCorasick;
use govai_core::{Error, OUT_OF_SCOPE, Result, Review, ReviewContext, ReviewFinding, ReviewStage, Reviewer, Verdict};
use govai_text::normalize::{MatchText, normalize_term};
use serde::{Deserialize, Serialize};

/// Reviewer id.
pub const SCOPE_ID: &str = "scope";

/// Subjects no government service handles (normalised compact Chinese).
pub const OUTSIDE_ZH: &[&str] = &[
    "电影",
    "电视剧",
    "综艺",
    "追剧",
    "动漫",
    "番剧",
    "小说推荐",
    "推荐几本",
    "推荐一本",
    "推荐一部",
    "推荐首歌",
    "唱首歌",
    "歌词",
    "情诗",
    "写首诗",
    "写一首诗",
    "作一首诗",
    "藏头诗",
    "讲个笑话",
    "讲笑话",
    "段子",
    "脑筋急转弯",
    "星座",
    "塔罗",
    "算命",
    "运势",
    "菜谱",
    "怎么做菜",
    "红烧",
    "糖醋",
    "做蛋糕",
    "减肥食谱",
    "健身计划",
    "python",
    "java",
    "代码",
    "编程",
    "bug",
    "报错",
    "sql",
    "炒股",
    "股票",
    "荐股",
    "基金推荐",
    "买哪只",
    "比特币",
    "彩票号码",
    "双色球",
    "游戏攻略",
    "王者荣耀",
    "原神",
    "打游戏",
    "旅游攻略",
    "景点推荐",
    "穿搭",
    "口红",
    "护肤",
    "化妆",
    "表白",
    "情话",
    "恋爱",
    "女朋友生气",
    "男朋友",
    "作文",
    "数学题",
    "解方程",
    "翻译这段",
    "写个故事",
    "讲个故事",
    "宠物狗",
    "猫粮",
    "足球比赛",
    "nba",
    "世界杯",
    "球赛",
    "明星",
    "八卦",
    "演唱会",
];
/// Subjects no government service handles (lower-cased English).
pub const OUTSIDE_EN: &[&str] = &[
    "movie",
    "film",
    "tv show",
    "netflix",
    "poem",
    "song",
    "lyrics",
    "joke",
    "horoscope",
    "recipe",
    "cook",
    "python",
    "javascript",
    "code",
    "debug",
    "stock",
    "crypto",
    "bitcoin",
    "lottery",
    "video game",
    "girlfriend",
    "boyfriend",
    "dating",
    "football match",
    "celebrity",
    "travel itinerary",
    "tourist spots",
];
/// What government services handle (normalised compact Chinese): any of these keeps a request
/// in scope.
pub const SERVES_ZH: &[&str] = &[
    "政府",
    "政务",
    "政策",
    "部门",
    "窗口",
    "大厅",
    "办理",
    "申请",
    "申领",
    "补办",
    "登记",
    "备案",
    "审批",
    "许可",
    "证明",
    "证件",
    "执照",
    "身份证",
    "户口",
    "户籍",
    "居住证",
    "社保",
    "医保",
    "公积金",
    "养老",
    "退休",
    "低保",
    "补贴",
    "救助",
    "残疾",
    "就业",
    "失业",
    "税",
    "发票",
    "罚款",
    "交警",
    "驾驶证",
    "驾照",
    "车辆",
    "公安",
    "派出所",
    "法院",
    "法律",
    "违法",
    "犯罪",
    "举报",
    "投诉",
    "12345",
    "热线",
    "学校",
    "入学",
    "学籍",
    "医院",
    "疫苗",
    "卫生",
    "住房",
    "房产",
    "不动产",
    "租房",
    "拆迁",
    "婚姻",
    "结婚",
    "离婚",
    "出生",
    "生育",
    "死亡",
    "殡葬",
    "退役军人",
    "文旅局",
    "市场监管",
    "消费者",
    "食品安全",
    "环保",
    "应急",
    "灾",
    "防汛",
    "消防",
    "街道",
    "社区",
    "村委",
    "居委",
    "老人",
    "老年",
    "儿童",
    "未成年",
    "宗教",
    "民族",
    "历史",
    "文化",
    "非遗",
    "烈士",
    "英雄",
    "国家",
    "人民",
    "补助",
    "工资",
    "劳动",
    "合同",
    "企业",
    "营业",
    "个体户",
    "知识产权",
    "专利",
    "商标",
    "版权",
    "出入境",
    "护照",
    "签证",
    "港澳",
    "台湾",
    "外国人",
    "诈骗",
    "骗",
    "安全",
    "隐私",
    "个人信息",
    "政府网站",
    "官网",
    "app",
    "小程序",
];
/// What government services handle (lower-cased English).
pub const SERVES_EN: &[&str] = &[
    "government",
    "permit",
    "visa",
    "residence",
    "passport",
    "license",
    "licence",
    "tax",
    "social security",
    "insurance",
    "pension",
    "police",
    "register",
    "registration",
    "apply",
    "application",
    "certificate",
    "hospital",
    "school",
    "office",
    "bureau",
    "ministry",
    "policy",
    "law",
    "legal",
    "report",
    "complain",
    "fraud",
    "scam",
    "emergency",
    "hotline",
    "subsidy",
    "benefit",
    "employment",
    "work permit",
    "hukou",
    "id card",
];

/// `[reviewers.scope]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScopeConfig {
    /// Switch the check off.
    pub disabled: bool,
    /// More terms the deployment serves (e.g. its knowledge base's tags and titles).
    pub serves: Vec<String>,
    /// More off-topic subjects.
    pub outside: Vec<String>,
}

/// Reviewer id `scope`.
#[derive(Debug, Clone)]
pub struct ScopeReviewer {
    disabled: bool,
    serves: AhoCorasick,
    outside: AhoCorasick,
}

impl Default for ScopeReviewer {
    fn default() -> Self {
        Self::new(&ScopeConfig::default()).expect("built-in scope terms build (tested)")
    }
}

fn automaton(zh: &[&str], en: &[&str], extra: &[String], what: &str) -> Result<AhoCorasick> {
    let terms: Vec<String> = zh
        .iter()
        .map(|t| normalize_term(t))
        .chain(en.iter().map(|t| (*t).to_owned()))
        .chain(extra.iter().map(|t| normalize_term(t)))
        .chain(extra.iter().map(|t| t.to_lowercase()))
        .filter(|t| !t.is_empty())
        .collect();
    AhoCorasick::new(terms).map_err(|e| Error::config("", format!("reviewers.scope.{what}"), e.to_string()))
}

impl ScopeReviewer {
    /// A scope check with the built-in terms and `config`'s additions.
    pub fn new(config: &ScopeConfig) -> Result<Self> {
        Ok(Self {
            disabled: config.disabled,
            serves: automaton(SERVES_ZH, SERVES_EN, &config.serves, "serves")?,
            outside: automaton(OUTSIDE_ZH, OUTSIDE_EN, &config.outside, "outside")?,
        })
    }

    /// The off-topic subject of a request outside the service, if it is one.
    pub fn outside(&self, request: &str) -> Option<String> {
        if self.disabled {
            return None;
        }
        let compact = MatchText::new(request).text;
        let lower = request.to_lowercase();
        if self.serves.is_match(&compact) || self.serves.is_match(&lower) {
            return None;
        }
        let m = self.outside.find(&compact).map(|m| &compact[m.range()]);
        m.or_else(|| self.outside.find(&lower).map(|m| &lower[m.range()])).map(str::to_owned)
    }
}

impl Reviewer for ScopeReviewer {
    fn id(&self) -> &str {
        SCOPE_ID
    }

    fn stage(&self) -> ReviewStage {
        ReviewStage::Input
    }

    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
        let Some(subject) = self.outside(ctx.request) else { return Ok(Review::pass()) };
        Ok(Review::from_findings(vec![ReviewFinding {
            reviewer: SCOPE_ID.to_owned(),
            code: OUT_OF_SCOPE.to_owned(),
            message: format!("请求超出「{}」的服务范围（{subject}），已礼貌引导", ctx.scenario.name_zh),
            verdict: Verdict::Block,
            span: None,
        }]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_topic_without_a_service_term_is_outside() {
        let r = ScopeReviewer::default();
        assert!(r.outside("给我推荐几部好看的电影").is_some());
        assert!(r.outside("Can you fix my Python code?").is_some());
        assert!(r.outside("电影院的营业执照怎么申请？").is_none());
        assert!(r.outside("社保卡丢了怎么补办").is_none());
        assert!(r.outside("今天天气").is_none());
        let off = ScopeReviewer::new(&ScopeConfig { disabled: true, ..Default::default() });
        assert!(off.is_ok_and(|r| r.outside("推荐电影").is_none()));
    }
}
