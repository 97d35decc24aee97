//! Word lists (context words, surnames, gazetteer, PIPL lexicons) and the one Aho-Corasick
//! automaton that finds all of them in a single pass over the normalised text.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use super::types::EntityType;

/// Positive context words per entity type (matched case-insensitively; ASCII words need
/// non-letter neighbours, so `tel` does not fire inside `hotel`).
pub(crate) const CONTEXT: &[(EntityType, &[&str])] = &[
    (
        EntityType::CnResidentId,
        &[
            "身份证",
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "身份号码",
            "居民身份证",
            "证件号",
            "证件号码",
            "身份证件",
            "居住证",
            "id card",
            "id no",
            "id number",
            "identity card",
        ],
    ),
    (
        EntityType::CnUscc,
        &["统一社会信用代码", "社会信用代码", "信用代码", "税号", "纳税人识别号", "营业执照", "uscc", "credit code"],
    ),
    (EntityType::CnOrgCode, &["组织机构代码", "机构代码", "组织代码", "代码证", "organization code", "org code"]),
    (
        EntityType::BankCard,
        &[
            "银行卡",
            "卡号",
            "账号",
            "帐号",
            "账户",
            "帐户",
            "开户行",
            "开户银行",
            "储蓄卡",
            "信用卡",
            "借记卡",
            "银联",
            "工资卡",
            "收款",
            "转账",
            "汇款",
            "card no",
            "card number",
            "bank card",
            "account",
            "credit card",
        ],
    ),
    (
        EntityType::CnMobile,
        &[
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "联系电话",
            "联系方式",
            "微信",
            "微信同号",
            "致电",
            "拨打",
            "来电",
            "短信",
            "移动电话",
            "mobile",
            "phone",
            "tel",
            "cell",
            "contact",
            "whatsapp",
        ],
    ),
    (
        EntityType::CnLandline,
        &[
            "电话",
            "座机",
            "固话",
            "固定电话",
            "办公电话",
            "联系电话",
            "传真",
            "总机",
            "值班电话",
            "热线",
            "拨打",
            "tel",
            "phone",
            "fax",
            "telephone",
        ],
    ),
    (EntityType::CnPassport, &["护照", "护照号", "护照号码", "passport", "travel document"]),
    (
        EntityType::HkMacauPermit,
        &["通行证", "港澳通行证", "往来港澳", "回乡证", "来往内地", "港澳居民", "出入境证件", "permit", "home return"],
    ),
    (EntityType::Hkid, &["香港身份证", "hkid", "身份证", "香港居民", "hong kong identity", "identity card"]),
    (
        EntityType::CnPlate,
        &[
            "车牌",
            "车牌号",
            "号牌",
            "车辆",
            "机动车",
            "驾驶",
            "车主",
            "牌照",
            "违章",
            "停车",
            "车号",
            "肇事",
            "plate",
            "vehicle",
            "licence",
            "license",
        ],
    ),
    (EntityType::Email, &["邮箱", "电子邮件", "电子邮箱", "电邮", "email", "e-mail", "mail"]),
    (
        EntityType::Ipv4,
        &[
            "ip",
            "ip地址",
            "服务器",
            "主机",
            "网关",
            "内网",
            "外网",
            "登录",
            "访问",
            "来源",
            "server",
            "host",
            "address",
        ],
    ),
    (
        EntityType::Ipv6,
        &["ip", "ipv6", "ip地址", "服务器", "主机", "网关", "登录", "访问", "来源", "server", "host", "address"],
    ),
];

/// Words that make a number look like something other than personal data (orders, amounts,
/// versions). They lower the score of context-scored types when no positive context is present.
pub(crate) const NEGATIVE: &[&str] = &[
    "订单",
    "单号",
    "流水号",
    "运单",
    "快递单",
    "发票",
    "交易号",
    "交易编号",
    "批次",
    "批号",
    "序列号",
    "工单",
    "合同号",
    "合同编号",
    "金额",
    "价格",
    "条码",
    "条形码",
    "商品编码",
    "货号",
    "型号",
    "文号",
    "案号",
    "档案号",
    "单据",
    "票据",
    "凭证",
    "回单",
    "编号",
    "order",
    "invoice",
    "tracking",
    "serial",
    "sku",
    "isbn",
];

/// Version words: they make a dotted quad a version number rather than an IP address.
pub(crate) const NEG_VERSION: &[&str] = &["版本", "版本号", "version", "ver", "build", "固件"];

/// Words after which a person's name follows (`姓名：张三`, `联系人李四`).
pub(crate) const PERSON_PREFIX: &[&str] = &[
    "姓名",
    "名字",
    "我叫",
    "我是",
    "本人",
    "联系人",
    "申请人",
    "当事人",
    "负责人",
    "法定代表人",
    "法人代表",
    "经办人",
    "收件人",
    "寄件人",
    "投诉人",
    "举报人",
    "被举报人",
    "报案人",
    "受害人",
    "嫌疑人",
    "犯罪嫌疑人",
    "患者",
    "病人",
    "户主",
    "家长",
    "监护人",
    "委托人",
    "代理人",
    "签字人",
    "审批人",
    "承办人",
    "填表人",
    "持卡人",
    "车主",
    "房主",
    "业主",
    "租户",
    "名叫",
    "叫做",
    "署名",
    "乘客",
    "旅客",
    "借款人",
    "担保人",
    "原告",
    "被告",
    "证人",
    "村民",
    "居民",
    "学生",
    "职工",
    "员工",
    "被申请人",
    "联络人",
    "对接人",
    "值班员",
    "主持人",
    "记录人",
    "被告人",
];

/// Honorifics and titles after a name (`张先生`, `李四女士`); also `，男` / `，女` in records.
pub(crate) const PERSON_SUFFIX: &[&str] = &[
    "先生", "女士", "小姐", "同志", "老师", "师傅", "医生", "律师", "教授", "阿姨", "大爷", "大妈", "大姐", "大哥",
    ",男", ",女", "(男", "(女",
];

pub(crate) const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻厉伊仝郜阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿狄计索宣晋初容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊乌裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危亢嵇湛宾戎勾茅揭尉冶束檀衣展阴昝智幸奉植衡尧";

pub(crate) const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
    "令狐", "钟离", "西门", "南宫", "独孤", "端木", "百里", "呼延", "申屠", "澹台", "公冶", "太史", "濮阳", "闻人",
    "赫连", "东郭",
];

/// Characters that end a name after its second character (`联系人张三电话` is 张三): function
/// words and the first characters of field labels and titles that typically follow a name.
pub(crate) const NAME_STOP: &str = "的了是在和与及或说等电手身性男女先住家年岁出现联地证号向从到去来为被将把对因于也都就还又已曾今目请您你我他她们这那有没不以之所而但则即系同经由自给让叫打拨办申邮微职籍族工单部局处科室院校司公老主书副队厅委总董教律医警师姐士称曰未共各每该此其某";

/// Characters that are never the first given-name character.
pub(crate) const NAME_HARD_STOP: &str =
    "的了是在和与及或说等电手身性男女住岁号证您你我他她们这那没不之所而但则即该此其某先老";

/// Characters that do not start a name in a backward search (`向王先生` is 王).
pub(crate) const NAME_NOT_START: &str = "向于和与同从给对把被让叫找问请是由将为跟及或的位名这那该个";

/// The 34 provincial-level divisions, full and short names.
pub(crate) const PROVINCES: &[&str] = &[
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
];

/// Prefecture-level and other major cities (without 市; `X市` is added automatically).
pub(crate) const CITIES: &[&str] = &[
    "石家庄",
    "唐山",
    "秦皇岛",
    "邯郸",
    "邢台",
    "保定",
    "张家口",
    "承德",
    "沧州",
    "廊坊",
    "衡水",
    "太原",
    "大同",
    "阳泉",
    "长治",
    "晋城",
    "朔州",
    "晋中",
    "运城",
    "忻州",
    "临汾",
    "吕梁",
    "呼和浩特",
    "包头",
    "乌海",
    "赤峰",
    "通辽",
    "鄂尔多斯",
    "呼伦贝尔",
    "巴彦淖尔",
    "乌兰察布",
    "沈阳",
    "大连",
    "鞍山",
    "抚顺",
    "本溪",
    "丹东",
    "锦州",
    "营口",
    "阜新",
    "辽阳",
    "盘锦",
    "铁岭",
    "葫芦岛",
    "长春",
    "四平",
    "辽源",
    "通化",
    "白山",
    "松原",
    "白城",
    "哈尔滨",
    "齐齐哈尔",
    "鸡西",
    "鹤岗",
    "双鸭山",
    "大庆",
    "伊春",
    "佳木斯",
    "七台河",
    "牡丹江",
    "黑河",
    "绥化",
    "南京",
    "无锡",
    "徐州",
    "常州",
    "苏州",
    "南通",
    "连云港",
    "淮安",
    "盐城",
    "扬州",
    "镇江",
    "泰州",
    "宿迁",
    "杭州",
    "宁波",
    "温州",
    "嘉兴",
    "湖州",
    "绍兴",
    "金华",
    "衢州",
    "舟山",
    "台州",
    "丽水",
    "合肥",
    "芜湖",
    "蚌埠",
    "淮南",
    "马鞍山",
    "淮北",
    "铜陵",
    "安庆",
    "黄山",
    "滁州",
    "阜阳",
    "宿州",
    "六安",
    "亳州",
    "池州",
    "宣城",
    "福州",
    "厦门",
    "莆田",
    "三明",
    "泉州",
    "漳州",
    "南平",
    "龙岩",
    "宁德",
    "南昌",
    "景德镇",
    "萍乡",
    "九江",
    "新余",
    "鹰潭",
    "赣州",
    "吉安",
    "宜春",
    "抚州",
    "上饶",
    "济南",
    "青岛",
    "淄博",
    "枣庄",
    "东营",
    "烟台",
    "潍坊",
    "济宁",
    "泰安",
    "威海",
    "日照",
    "临沂",
    "德州",
    "聊城",
    "滨州",
    "菏泽",
    "郑州",
    "开封",
    "洛阳",
    "平顶山",
    "安阳",
    "鹤壁",
    "新乡",
    "焦作",
    "濮阳",
    "许昌",
    "漯河",
    "三门峡",
    "南阳",
    "商丘",
    "信阳",
    "周口",
    "驻马店",
    "武汉",
    "黄石",
    "十堰",
    "宜昌",
    "襄阳",
    "鄂州",
    "荆门",
    "孝感",
    "荆州",
    "黄冈",
    "咸宁",
    "随州",
    "长沙",
    "株洲",
    "湘潭",
    "衡阳",
    "邵阳",
    "岳阳",
    "常德",
    "张家界",
    "益阳",
    "郴州",
    "永州",
    "怀化",
    "娄底",
    "广州",
    "韶关",
    "深圳",
    "珠海",
    "汕头",
    "佛山",
    "江门",
    "湛江",
    "茂名",
    "肇庆",
    "惠州",
    "梅州",
    "汕尾",
    "河源",
    "阳江",
    "清远",
    "东莞",
    "中山",
    "潮州",
    "揭阳",
    "云浮",
    "南宁",
    "柳州",
    "桂林",
    "梧州",
    "北海",
    "防城港",
    "钦州",
    "贵港",
    "玉林",
    "百色",
    "贺州",
    "河池",
    "来宾",
    "崇左",
    "海口",
    "三亚",
    "三沙",
    "儋州",
    "成都",
    "自贡",
    "攀枝花",
    "泸州",
    "德阳",
    "绵阳",
    "广元",
    "遂宁",
    "内江",
    "乐山",
    "南充",
    "眉山",
    "宜宾",
    "广安",
    "达州",
    "雅安",
    "巴中",
    "资阳",
    "贵阳",
    "六盘水",
    "遵义",
    "安顺",
    "毕节",
    "铜仁",
    "昆明",
    "曲靖",
    "玉溪",
    "保山",
    "昭通",
    "丽江",
    "普洱",
    "临沧",
    "拉萨",
    "日喀则",
    "昌都",
    "林芝",
    "山南",
    "那曲",
    "西安",
    "铜川",
    "宝鸡",
    "咸阳",
    "渭南",
    "延安",
    "汉中",
    "榆林",
    "安康",
    "商洛",
    "兰州",
    "嘉峪关",
    "金昌",
    "白银",
    "天水",
    "武威",
    "张掖",
    "平凉",
    "酒泉",
    "庆阳",
    "定西",
    "陇南",
    "西宁",
    "海东",
    "银川",
    "石嘴山",
    "吴忠",
    "固原",
    "中卫",
    "乌鲁木齐",
    "克拉玛依",
    "吐鲁番",
    "哈密",
    "喀什",
    "伊宁",
    "库尔勒",
    "阿克苏",
    "雄安",
];

/// Words after which an address follows.
pub(crate) const ADDR_CONTEXT: &[&str] = &[
    "住址",
    "地址",
    "住所",
    "家住",
    "住在",
    "现住",
    "居住在",
    "居住于",
    "户籍地",
    "户籍所在地",
    "通讯地址",
    "收货地址",
    "联系地址",
    "家庭住址",
    "居住地",
    "住处",
    "送达地址",
    "注册地址",
    "经营地址",
    "地址为",
    "位于",
];

/// PIPL Art. 28 lexicons: (category, strong terms, weak terms). Strong terms name a personal
/// fact by themselves; weak terms need a personal anchor nearby.
pub(crate) const PIPL: &[(EntityType, &[&str], &[&str])] = &[
    (
        EntityType::Health,
        &[
            "确诊",
            "患有",
            "病史",
            "病历",
            "诊断为",
            "艾滋病",
            "hiv阳性",
            "精神病",
            "精神疾病",
            "抑郁症",
            "精神分裂",
            "残疾证",
            "传染病",
            "住院治疗",
            "体检报告",
            "化验单",
            "病案",
            "既往史",
            "过敏史",
            "患癌",
        ],
        &[
            "住院",
            "出院",
            "手术",
            "治疗",
            "用药",
            "处方",
            "体检",
            "化验",
            "检查报告",
            "乙肝",
            "肝炎",
            "结核",
            "癌症",
            "肿瘤",
            "糖尿病",
            "高血压",
            "心脏病",
            "残疾",
            "怀孕",
            "妊娠",
            "流产",
            "不孕",
            "性病",
            "就诊",
            "门诊",
            "病情",
            "患病",
            "疾病",
            "慢性病",
            "hiv",
        ],
    ),
    (
        EntityType::Religion,
        &[
            "宗教信仰",
            "信仰佛教",
            "信仰基督教",
            "信仰伊斯兰教",
            "信仰天主教",
            "信仰道教",
            "皈依",
            "受洗",
            "基督徒",
            "穆斯林",
            "佛教徒",
            "天主教徒",
            "信教",
        ],
        &["佛教", "道教", "基督教", "天主教", "伊斯兰教", "东正教", "教徒", "礼拜", "宗教活动", "清真", "信仰"],
    ),
    (
        EntityType::Biometric,
        &[
            "指纹信息",
            "人脸信息",
            "面部信息",
            "虹膜信息",
            "声纹",
            "掌纹",
            "掌静脉",
            "指静脉",
            "生物识别信息",
            "生物特征",
            "基因信息",
            "dna信息",
            "人脸图像",
            "面部特征",
            "步态信息",
            "指纹",
        ],
        &["人脸", "人脸识别", "面部识别", "虹膜", "基因", "dna", "步态", "生物识别", "刷脸"],
    ),
    (
        EntityType::FinancialAccount,
        &[
            "银行流水",
            "交易流水",
            "征信报告",
            "信用报告",
            "账户余额",
            "存款余额",
            "收入证明",
            "证券账户",
            "股票账户",
            "资金账户",
            "支付宝账号",
            "财产状况",
        ],
        &["存款", "余额", "征信", "贷款", "欠款", "负债", "公积金", "理财"],
    ),
    (
        EntityType::Whereabouts,
        &[
            "行踪轨迹",
            "行踪",
            "活动轨迹",
            "行程轨迹",
            "出行记录",
            "住宿记录",
            "入住记录",
            "开房记录",
            "乘车记录",
            "出入境记录",
            "位置信息",
            "定位信息",
            "行程码",
            "过车记录",
        ],
        &["轨迹", "行程", "定位", "gps", "经纬度", "航班", "车次", "入住", "途经", "到访", "打卡记录", "卡口"],
    ),
    (
        EntityType::Minor,
        &["未满十四周岁", "不满十四周岁", "未满14周岁", "不满14周岁", "未成年人", "未成年"],
        &["儿童", "幼儿", "小学生", "婴儿", "幼儿园", "留守儿童", "学龄前"],
    ),
];

/// Words that tie a PIPL term to a person.
pub(crate) const ANCHORS: &[&str] = &[
    "患者",
    "病人",
    "本人",
    "当事人",
    "申请人",
    "该员",
    "该同志",
    "该生",
    "该人",
    "其本人",
    "我",
    "他",
    "她",
    "孩子",
    "儿子",
    "女儿",
    "父亲",
    "母亲",
    "丈夫",
    "妻子",
    "家属",
    "居民",
    "村民",
    "职工",
    "员工",
    "学生",
    "嫌疑人",
    "姓名",
    "先生",
    "女士",
    "同志",
    "用户",
    "客户",
    "乘客",
    "旅客",
    "住户",
    "其子",
    "其女",
    "孙子",
    "孙女",
    "现年",
    "年仅",
    "his",
    "her",
    "patient",
];

/// A lexicon hit's meaning. One word may carry several tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Ctx(EntityType),
    Neg,
    NegVersion,
    PersonPrefix,
    PersonSuffix,
    AddrGazetteer,
    AddrContext,
    Pipl(EntityType, bool),
    Anchor,
}

/// One occurrence of a lexicon word in the normalised text (byte offsets).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub pattern: u32,
}

#[derive(Debug)]
pub(crate) struct Lexicon {
    ac: AhoCorasick,
    tags: Vec<Vec<Tag>>,
    ascii_word: Vec<bool>,
}

impl Lexicon {
    pub(crate) fn build() -> Result<Self, String> {
        let mut map: HashMap<String, Vec<Tag>> = HashMap::new();
        let mut add = |w: &str, t: Tag| {
            let v = map.entry(w.to_lowercase()).or_default();
            if !v.contains(&t) {
                v.push(t);
            }
        };
        for (ty, words) in CONTEXT {
            for w in *words {
                add(w, Tag::Ctx(*ty));
            }
        }
        for w in NEGATIVE {
            add(w, Tag::Neg);
        }
        for w in NEG_VERSION {
            add(w, Tag::NegVersion);
        }
        for w in PERSON_PREFIX {
            add(w, Tag::PersonPrefix);
        }
        for w in PERSON_SUFFIX {
            add(w, Tag::PersonSuffix);
        }
        for w in PROVINCES {
            add(w, Tag::AddrGazetteer);
        }
        for c in CITIES {
            add(c, Tag::AddrGazetteer);
            add(&format!("{c}市"), Tag::AddrGazetteer);
        }
        for w in ADDR_CONTEXT {
            add(w, Tag::AddrContext);
        }
        for (ty, strong, weak) in PIPL {
            for w in *strong {
                add(w, Tag::Pipl(*ty, true));
            }
            for w in *weak {
                add(w, Tag::Pipl(*ty, false));
            }
        }
        for w in ANCHORS {
            add(w, Tag::Anchor);
        }
        let mut entries: Vec<(String, Vec<Tag>)> = map.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let ascii_word = entries.iter().map(|(w, _)| w.bytes().any(|b| b.is_ascii_alphabetic())).collect();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(entries.iter().map(|(w, _)| w.as_str()))
            .map_err(|e| e.to_string())?;
        Ok(Self { ac, tags: entries.into_iter().map(|(_, t)| t).collect(), ascii_word })
    }

    pub(crate) fn tags(&self, pattern: u32) -> &[Tag] {
        self.tags.get(pattern as usize).map(Vec::as_slice).unwrap_or(&[])
    }

    /// All (overlapping) hits, sorted by start then end. ASCII words must not touch ASCII
    /// letters on either side.
    pub(crate) fn hits(&self, text: &str) -> Vec<Hit> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        for m in self.ac.find_overlapping_iter(text) {
            let p = m.pattern().as_u32();
            if self.ascii_word.get(p as usize).copied().unwrap_or(false) {
                let before = m.start().checked_sub(1).and_then(|i| bytes.get(i));
                let after = bytes.get(m.end());
                if before.is_some_and(|b| b.is_ascii_alphabetic()) || after.is_some_and(|b| b.is_ascii_alphabetic()) {
                    continue;
                }
            }
            out.push(Hit { start: m.start(), end: m.end(), pattern: p });
        }
        out.sort_by_key(|h| (h.start, h.end));
        out
    }
}

pub(crate) fn is_surname(c: char) -> bool {
    SURNAMES.contains(c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builds_and_finds() {
        let lx = Lexicon::build().unwrap();
        let hits = lx.hits("联系电话:13800138000, Tel 1, hotel 2");
        let words: Vec<&str> = hits.iter().map(|h| &"联系电话:13800138000, Tel 1, hotel 2"[h.start..h.end]).collect();
        assert!(words.contains(&"联系电话"));
        assert!(words.contains(&"电话"));
        assert!(words.contains(&"Tel"));
        assert!(!words.contains(&"tel"), "tel inside hotel must not fire");
    }

    #[test]
    fn thirty_four_provinces() {
        assert_eq!(PROVINCES.len(), 68);
        assert!(is_surname('王') && !is_surname('的'));
    }
}
