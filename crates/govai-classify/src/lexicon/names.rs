//! Person names: titles and honorifics around a name, surnames, and the characters a name
//! cannot contain or start with.

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
/// Also the heads of office names (`行业主管部门`: 业主 is a label inside 行业主管, and 管部门 is
/// no name).
pub(crate) const NAME_HARD_STOP: &str =
    "的了是在和与及或说等电手身性男女住岁号证您你我他她们这那没不之所而但则即该此其某先老部局厅委署";

/// Characters that do not start a name in a backward search (`向王先生` is 王).
pub(crate) const NAME_NOT_START: &str = "向于和与同从给对把被让叫找问请是由将为跟及或的位名这那该个";
