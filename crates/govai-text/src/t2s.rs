//! A compact traditional -> simplified character table (one-to-one, character level).
//!
//! 904 pairs: the traditional characters of everyday and government text (the ~300 most
//! common plus the characters of the default lexicon). Every pair was checked against the first
//! candidate of OpenCC's `TSCharacters.txt` (Apache-2.0); ambiguous one-to-many characters whose
//! simplified form depends on the word (乾/幹, 著, 藉, 甦...) are left out or mapped to their
//! dominant form. Phrase-level conversion is out of scope: both the lexicon and the text pass
//! through the same table, so a lossy mapping only merges variants, it never splits them.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Pairs of (traditional, simplified) characters, concatenated.
const PAIRS: &str = "\
    計计訂订認认討讨讓让訓训議议訊讯記记講讲諱讳許许論论設设訪访證证評评識识詐诈訴诉診诊詞词譯译試试詩诗誠诚話话誕诞詢询該该\
    詳详語语誤误說说請请諸诸諾诺讀读課课誰谁調调談谈謀谋謊谎謝谢謠谣謹谨護护譽誉變变訟讼詭诡誘诱諮咨謗谤誹诽譴谴讚赞訛讹訣诀\
    註注詮诠誌志託托針针釘钉鈔钞鈴铃鉛铅銀银銅铜銷销鋼钢錄录錢钱錦锦錯错鍵键鍋锅鎖锁鎮镇鏈链鏡镜鐘钟鐵铁鑒鉴鑑鉴鑰钥鋪铺銳锐\
    鋒锋錶表鍛锻鑄铸鍾钟紀纪約约紅红級级納纳紙纸紛纷純纯細细終终組组絕绝結结給给統统絡络經经綜综綠绿維维網网緊紧線线練练編编\
    緣缘總总績绩織织縮缩繳缴續续纖纤繫系綁绑紋纹絲丝綱纲緒绪縱纵繩绳纏缠紮扎緝缉貝贝負负財财貢贡貧贫販贩貨货責责貫贯貴贵費费\
    貸贷貿贸賀贺資资賊贼賄贿賂赂賓宾賞赏賠赔賢贤賣卖賤贱質质賬账賭赌賴赖購购賽赛贈赠贊赞贏赢賦赋賜赐門门閃闪閉闭問问閒闲間间\
    閱阅闊阔關关闖闯閣阁閥阀闆板闡阐閩闽馬马駕驾駐驻騎骑騙骗驅驱驗验驚惊駛驶驟骤車车軌轨軍军軟软較较載载輔辅輕轻輛辆輪轮輸输\
    轉转轄辖轎轿軀躯頁页頂顶項项順顺須须預预頒颁頓顿領领頻频題题額额顏颜類类顧顾顯显頭头願愿頸颈顆颗飯饭飲饮飽饱飾饰餅饼養养\
    館馆饑饥餘余餵喂見见規规視视覺觉親亲觀观覽览鳥鸟鳴鸣鴨鸭鵝鹅雞鸡魚鱼鮮鲜魯鲁漁渔們们個个這这來来時时為为國国會会對对過过\
    與与學学現现後后發发開开長长東东風风飛飞電电進进運运動动導导應应當当點点黨党義义產产業业務务實实際际體体區区鄉乡號号專专\
    幫帮辦办買买價价種种稱称積积穩稳響响麼么廣广廠厂歷历厲厉壓压參参雙双隨随險险陽阳陰阴隊队階阶陸陆難难雜杂離离雲云霧雾靈灵\
    韓韩華华萬万葉叶蘇苏藥药藝艺節节範范築筑簡简簽签聯联聖圣聽听職职聲声腦脑膚肤臉脸興兴舉举舊旧艱艰衛卫衝冲補补裝装製制複复\
    豐丰趕赶趙赵跡迹踐践辭辞農农邊边遠远遞递適适選选遺遗還还郵邮鄭郑醫医釋释陣阵陳陈隱隐雖虽靜静韋韦髮发鬥斗麗丽黃黄齊齐齒齿\
    龍龙龜龟擔担據据擇择擊击擁拥擬拟擴扩擺摆攝摄數数斷断於于晉晋書书條条極极構构槍枪樂乐標标樣样機机橋桥檢检權权歡欢歲岁歸归\
    殺杀氣气漢汉滿满準准溝沟滅灭濟济濕湿災灾無无煙烟熱热營营爭争爺爷牆墙獨独獲获環环畫画療疗盡尽監监盤盘確确礎础禮礼禍祸稅税\
    窮穷競竞筆笔糧粮罰罚羅罗習习聞闻腳脚莊庄蘭兰處处虛虚蟲虫術术襲袭觸触趨趋蹤踪辯辩達达違违遷迁鄰邻醬酱陝陕韻韵飄飘髒脏鬧闹\
    鹽盐麥麦齡龄嗎吗嚴严團团圍围圖图園园圓圆報报場场塊块壞坏壯壮奪夺奮奋婦妇媽妈寧宁寶宝寫写審审寬宽將将尋寻屆届屬属島岛嶺岭\
    幣币師师帶带幹干庫库廢废廳厅彈弹強强彙汇從从徵征復复憂忧憶忆懷怀態态戰战戲戏戶户拋抛掃扫掛挂採采換换揚扬損损搶抢擋挡億亿\
    儀仪優优償偿儲储兒儿內内兩两冊册決决凍冻劃划劉刘則则剛刚創创劇剧勝胜勞劳勢势勵励勸劝協协單单卻却縣县叢丛嘆叹喚唤喪丧員员\
    啟启烏乌傳传傷伤傾倾僅仅備备偉伟側侧倉仓係系侶侣並并亂乱亞亚畝亩蓋盖壽寿慶庆憲宪懲惩戀恋攤摊撥拨擠挤攜携敵敌斃毙曆历暫暂\
    曉晓曬晒櫃柜殘残毆殴沒没淚泪淺浅溫温測测湯汤滬沪潔洁潛潜澤泽濁浊濃浓灣湾燈灯燒烧燭烛爐炉犧牺狀状猶犹獄狱獎奖獸兽畢毕異异\
    疊叠癒愈盜盗眾众衆众睜睁矯矫礙碍禦御穀谷窩窝竊窃篩筛籃篮籌筹罷罢聰聪肅肃脅胁脈脉腫肿膽胆臟脏艦舰藍蓝蘋苹虧亏蝦虾蠟蜡裏里\
    裡里褲裤襪袜貓猫躍跃遲迟遼辽邁迈醜丑鄧邓隸隶隻只雛雏鞏巩颱台臺台檯台骯肮鬆松麵面黴霉齋斋偽伪詆诋擾扰撫抚撈捞撲扑攔拦攬揽\
    鬱郁塵尘墊垫墳坟壇坛壩坝奬奖姦奸嬰婴孫孙寢寝尷尴層层屍尸嶄崭巖岩廟庙廂厢彌弥徑径惡恶惱恼愛爱慣惯慘惨慮虑憑凭憐怜懇恳懶懒\
    懸悬懼惧戔戋撐撑擼撸敗败斂敛斬斩晝昼朮术棄弃棟栋椏桠楊杨榮荣槓杠樓楼樞枢橫横檔档欄栏欽钦歐欧殼壳毀毁氈毡汙污沖冲況况淨净\
    渾浑湊凑溼湿滯滞滲渗漲涨潤润澀涩濫滥濱滨瀉泻瀕濒烴烃煉炼煩烦熾炽爛烂牽牵犢犊狹狭猙狰獵猎瑣琐瓊琼瘋疯癢痒皚皑盞盏盧卢碼码\
    磚砖祿禄禪禅稈秆穌稣窯窑竄窜筧笕箋笺簞箪簾帘籤签糞粪糾纠緩缓縫缝繪绘繞绕罈坛罵骂羈羁翹翘耬耧聳耸脫脱腎肾膠胶膩腻艙舱艷艳\
    蒼苍蔣蒋蔥葱薦荐薩萨蘆芦虜虏蝕蚀螢萤蠅蝇衊蔑裊袅褻亵覓觅覲觐訝讶詛诅誡诫諒谅謙谦謎谜譜谱豎竖豬猪貞贞貶贬賃赁賒赊賺赚贓赃\
    贖赎趲趱蹺跷軋轧軸轴輝辉輩辈轟轰迴回週周遊游遜逊遙遥鄒邹鄖郧醞酝釀酿釣钓鈍钝鉤钩銘铭銜衔鋤锄錫锡鍊炼鎊镑鏟铲鐺铛鑲镶閘闸\
    闈闱陘陉隕陨雋隽霽霁靂雳韌韧頌颂頰颊顛颠顫颤颳刮飢饥餡馅饋馈馭驭駁驳駱骆騰腾驢驴鬍胡鯉鲤鯨鲸鱷鳄鴿鸽鵬鹏鶴鹤鷹鹰黷黩鼴鼹\
    齦龈龐庞僞伪羣群";

fn table() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let chars: Vec<char> = PAIRS.chars().collect();
        chars.chunks_exact(2).map(|p| (p[0], p[1])).collect()
    })
}

/// The simplified form of `c`, or `c` itself.
pub fn to_simplified(c: char) -> char {
    // Fast path: the table holds CJK unified ideographs only.
    if (c as u32) < 0x4E00 {
        return c;
    }
    table().get(&c).copied().unwrap_or(c)
}

/// Number of pairs in the table.
#[cfg(test)]
fn len() -> usize {
    table().len()
}

/// Convert a whole string character by character.
pub fn simplify(s: &str) -> String {
    s.chars().map(to_simplified).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_is_well_formed() {
        let chars: Vec<char> = PAIRS.chars().collect();
        assert_eq!(chars.len() % 2, 0);
        let keys: Vec<char> = chars.iter().step_by(2).copied().collect();
        let unique: HashSet<char> = keys.iter().copied().collect();
        assert_eq!(unique.len(), keys.len(), "duplicate traditional characters");
        assert!(len() >= 300);
        for pair in chars.chunks_exact(2) {
            assert_ne!(pair[0], pair[1]);
            assert!(!unique.contains(&pair[1]), "{} maps to a traditional key {}", pair[0], pair[1]);
            assert!((pair[0] as u32) >= 0x4E00);
        }
    }

    #[test]
    fn converts() {
        assert_eq!(simplify("走後門、內部渠道、保證通過、國務院辦公廳"), "走后门、内部渠道、保证通过、国务院办公厅");
        assert_eq!(simplify("abc 123"), "abc 123");
        // OpenCC writes these variant forms (僞, 羣, 衆) where others write 偽, 群, 眾.
        assert_eq!(simplify("僞造公章、信教羣衆"), "伪造公章、信教群众");
    }
}
