//! The synthetic city's fixed vocabulary and its places: counties with their population
//! (7th census, `../shared/data/README.md`), townships read from the database's reference
//! data (ordered by code, so the result does not depend on the database), and the word
//! lists names, people and addresses are made of.

use shijian_domain::name_check::Divisions;
use shijian_storage::reference;
use shijian_storage::Store;

/// County-level units: code, population (2020 census; 掇刀区 is the remainder of the
/// city's total, no census figure was found), registration authority.
pub const COUNTIES: [(&str, u32, &str); 5] = [
    ("420802", 356_938, "荆门市东宝区市场监督管理局"),
    ("420804", 430_500, "荆门市掇刀区市场监督管理局"),
    ("420822", 395_717, "沙洋县市场监督管理局"),
    ("420881", 868_897, "钟祥市市场监督管理局"),
    ("420882", 544_843, "京山市市场监督管理局"),
];

/// The city bureau, which registers the largest companies.
pub const CITY_AUTHORITY: &str = "荆门市市场监督管理局";

/// The kinds of entity (`entity_type` codes), in the generator's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Enterprise,
    Individual,
    Cooperative,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Enterprise, Kind::Individual, Kind::Cooperative];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Kind::Enterprise => "enterprise",
            Kind::Individual => "individual_business",
            Kind::Cooperative => "cooperative",
        }
    }

    /// The USCC's category character after the authority `9` (GB 32100: 1 enterprise,
    /// 2 individual business, 3 farmers' cooperative).
    #[must_use]
    pub fn uscc_category(self) -> char {
        match self {
            Kind::Enterprise => '1',
            Kind::Individual => '2',
            Kind::Cooperative => '3',
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One line of the industry table: a GB/T 4754-2017 class, the wordings a name uses for
/// it (all in the name checker's industry vocabulary), the business scope, and its weight
/// among enterprises, individual businesses and cooperatives.
pub struct Industry {
    pub code: &'static str,
    pub wordings: &'static [&'static str],
    pub scope: &'static str,
    /// Weights: enterprise, individual business, cooperative.
    pub weights: [f64; 3],
    /// Organisational forms an individual business of this trade uses ("" = none, as
    /// with 超市 and 大药房).
    pub shop_forms: &'static [&'static str],
}

const SHOP: &[&str] = &["店", "店", "部", "行"];
const EATERY: &[&str] = &["店", "店", "馆"];
const SERVICE: &[&str] = &["店", "部", "中心"];

/// Retail, catering and services dominate individual businesses; trade, building,
/// manufacturing (chemicals, phosphate, building materials, machinery), agriculture and
/// food processing dominate enterprises, as the plan describes Jingmen; cooperatives farm.
pub const INDUSTRIES: &[Industry] = &[
    // Retail.
    Industry {
        code: "5211",
        wordings: &["百货"],
        scope: "日用百货销售",
        weights: [0.5, 14.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5212",
        wordings: &["超市"],
        scope: "日用百货销售；食品销售（仅销售预包装食品）",
        weights: [0.5, 6.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "5221",
        wordings: &["粮油"],
        scope: "粮油零售；食品销售（仅销售预包装食品）",
        weights: [0.3, 3.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5223",
        wordings: &["水果", "果蔬", "蔬菜"],
        scope: "新鲜水果零售；新鲜蔬菜零售",
        weights: [0.2, 4.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5224",
        wordings: &["水产"],
        scope: "水产品零售",
        weights: [0.1, 2.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5227",
        wordings: &["烟酒"],
        scope: "烟草制品零售；酒类经营",
        weights: [0.0, 3.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5226",
        wordings: &["茶叶", "茶业"],
        scope: "茶叶零售",
        weights: [0.2, 1.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5232",
        wordings: &["服装", "服饰"],
        scope: "服装服饰零售",
        weights: [0.5, 7.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5233",
        wordings: &["鞋业"],
        scope: "鞋帽零售",
        weights: [0.0, 1.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5234",
        wordings: &["化妆品", "母婴"],
        scope: "化妆品零售；母婴用品销售",
        weights: [0.2, 1.5, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5281",
        wordings: &["五金"],
        scope: "五金产品零售",
        weights: [0.3, 4.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5289",
        wordings: &["建材", "门窗", "防水"],
        scope: "建筑装饰材料销售",
        weights: [0.0, 3.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5271",
        wordings: &["家电"],
        scope: "家用电器销售",
        weights: [0.2, 2.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5274",
        wordings: &["通讯", "数码"],
        scope: "通讯设备销售；电子产品销售",
        weights: [0.2, 2.5, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "5251",
        wordings: &["大药房"],
        scope: "药品零售；医疗器械经营",
        weights: [0.6, 1.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "5292",
        wordings: &["电子商务"],
        scope: "互联网销售（除销售需要许可的商品）",
        weights: [0.8, 1.5, 0.0],
        shop_forms: &["部", "行"],
    },
    Industry {
        code: "5166",
        wordings: &["农资"],
        scope: "化肥销售；农药零售（不含危险化学品）",
        weights: [0.3, 2.0, 0.0],
        shop_forms: SHOP,
    },
    // Catering and lodging.
    Industry {
        code: "6210",
        wordings: &["餐饮", "火锅", "烧烤", "料理"],
        scope: "餐饮服务；食品销售",
        weights: [2.0, 12.0, 0.0],
        shop_forms: EATERY,
    },
    Industry {
        code: "6220",
        wordings: &["快餐"],
        scope: "餐饮服务（快餐）",
        weights: [0.2, 4.0, 0.0],
        shop_forms: EATERY,
    },
    Industry {
        code: "6291",
        wordings: &["小吃", "面点", "早餐"],
        scope: "小餐饮；食品小作坊经营",
        weights: [0.0, 5.0, 0.0],
        shop_forms: EATERY,
    },
    Industry {
        code: "6239",
        wordings: &["奶茶", "茶饮", "甜品"],
        scope: "饮料及冷饮服务",
        weights: [0.0, 2.0, 0.0],
        shop_forms: SHOP,
    },
    Industry {
        code: "6129",
        wordings: &["宾馆"],
        scope: "住宿服务",
        weights: [0.3, 1.5, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "6110",
        wordings: &["酒店管理", "酒店"],
        scope: "住宿服务；酒店管理",
        weights: [1.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    // Resident services.
    Industry {
        code: "8040",
        wordings: &["美发", "美容"],
        scope: "理发服务；生活美容服务",
        weights: [0.3, 6.0, 0.0],
        shop_forms: SERVICE,
    },
    Industry {
        code: "8053",
        wordings: &["康养"],
        scope: "养生保健服务（非医疗）",
        weights: [0.2, 1.0, 0.0],
        shop_forms: &["馆", "中心"],
    },
    Industry {
        code: "8010",
        wordings: &["家政", "家政服务"],
        scope: "家政服务",
        weights: [0.8, 1.5, 0.0],
        shop_forms: &["部", "中心"],
    },
    Industry {
        code: "8111",
        wordings: &["汽修"],
        scope: "机动车修理和维护",
        weights: [0.5, 3.0, 0.0],
        shop_forms: &["店", "部", "厂"],
    },
    Industry {
        code: "8121",
        wordings: &["维修"],
        scope: "计算机及办公设备维修；日用电器修理",
        weights: [0.0, 1.5, 0.0],
        shop_forms: &["部", "店"],
    },
    Industry {
        code: "8060",
        wordings: &["摄影"],
        scope: "摄影扩印服务",
        weights: [0.1, 1.0, 0.0],
        shop_forms: &["店", "馆"],
    },
    Industry {
        code: "8070",
        wordings: &["婚庆"],
        scope: "婚庆礼仪服务",
        weights: [0.2, 0.7, 0.0],
        shop_forms: &["店", "中心"],
    },
    Industry {
        code: "5431",
        wordings: &["货运", "物流", "运输"],
        scope: "道路货物运输（不含危险货物）",
        weights: [4.0, 3.0, 0.0],
        shop_forms: &["部"],
    },
    // Trade, building, property, services of companies.
    Industry {
        code: "5181",
        wordings: &["商贸", "贸易", "经贸"],
        scope: "日用百货、五金产品、建筑材料销售",
        weights: [12.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "5165",
        wordings: &["建材"],
        scope: "建筑材料销售",
        weights: [6.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "4710",
        wordings: &["建筑工程", "建设", "建筑"],
        scope: "房屋建筑和市政基础设施项目工程总承包",
        weights: [7.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "5011",
        wordings: &["装饰工程", "装饰"],
        scope: "住宅室内装饰装修",
        weights: [5.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "7010",
        wordings: &["房地产开发", "置业"],
        scope: "房地产开发经营",
        weights: [2.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "7020",
        wordings: &["物业管理"],
        scope: "物业管理",
        weights: [2.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "6513",
        wordings: &["网络科技", "信息技术", "科技"],
        scope: "软件开发；信息技术咨询服务",
        weights: [3.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "7212",
        wordings: &["投资管理", "资产管理"],
        scope: "以自有资金从事投资活动",
        weights: [1.5, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "7224",
        wordings: &["供应链"],
        scope: "供应链管理服务",
        weights: [0.8, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "7241",
        wordings: &["财务"],
        scope: "财务咨询；代理记账",
        weights: [0.8, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "7492",
        wordings: &["设计"],
        scope: "专业设计服务",
        weights: [0.7, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "7515",
        wordings: &["新能源"],
        scope: "新兴能源技术研发；光伏设备及元器件销售",
        weights: [1.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "7245",
        wordings: &["环保科技"],
        scope: "环保咨询服务",
        weights: [1.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "5191",
        wordings: &["再生资源"],
        scope: "再生资源回收（除生产性废旧金属）",
        weights: [0.7, 0.6, 0.0],
        shop_forms: &["部"],
    },
    Industry {
        code: "5261",
        wordings: &["汽车销售"],
        scope: "汽车新车销售；二手车经销",
        weights: [1.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    // Manufacturing: petrochemicals, phosphate and other chemicals, building materials,
    // machinery, food.
    Industry {
        code: "2511",
        wordings: &["石化", "石油"],
        scope: "石油制品制造（不含危险化学品）",
        weights: [1.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "2614",
        wordings: &["化工"],
        scope: "化工产品生产（不含许可类化工产品）",
        weights: [3.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "2622",
        wordings: &["磷化工"],
        scope: "磷肥制造；化工产品销售（不含许可类化工产品）",
        weights: [1.5, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "2624",
        wordings: &["化肥"],
        scope: "复混肥料制造；肥料销售",
        weights: [1.5, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "3011",
        wordings: &["水泥"],
        scope: "水泥生产；水泥制品销售",
        weights: [0.7, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "3021",
        wordings: &["新材料", "材料"],
        scope: "水泥制品制造；建筑材料销售",
        weights: [2.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "3041",
        wordings: &["玻璃"],
        scope: "平板玻璃制造",
        weights: [0.5, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "3311",
        wordings: &["金属", "钢材"],
        scope: "金属结构制造；金属材料销售",
        weights: [1.5, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "3511",
        wordings: &["机械", "机械设备"],
        scope: "矿山机械制造；通用设备制造（不含特种设备制造）",
        weights: [3.0, 0.3, 0.0],
        shop_forms: &["厂"],
    },
    Industry {
        code: "3670",
        wordings: &["汽车"],
        scope: "汽车零部件及配件制造",
        weights: [1.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "2922",
        wordings: &["塑业"],
        scope: "塑料制品制造",
        weights: [1.0, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "1311",
        wordings: &["米业"],
        scope: "粮食加工食品生产；粮食收购",
        weights: [2.0, 0.5, 0.0],
        shop_forms: &["厂"],
    },
    Industry {
        code: "1331",
        wordings: &["粮油"],
        scope: "食用植物油加工",
        weights: [1.5, 0.0, 0.0],
        shop_forms: &[""],
    },
    Industry {
        code: "1512",
        wordings: &["酒业"],
        scope: "酒类生产；酒类经营",
        weights: [1.0, 0.3, 0.0],
        shop_forms: &["厂"],
    },
    // Agriculture.
    Industry {
        code: "0111",
        wordings: &["农业", "农业开发", "生态农业", "种植"],
        scope: "谷物种植；农产品的生产、销售、加工、运输、贮藏及其他相关服务",
        weights: [4.0, 0.0, 30.0],
        shop_forms: &[""],
    },
    Industry {
        code: "0141",
        wordings: &["农业科技", "蔬菜"],
        scope: "蔬菜种植；农业科学研究和试验发展",
        weights: [2.0, 0.0, 10.0],
        shop_forms: &[""],
    },
    Industry {
        code: "0313",
        wordings: &["牧业", "养殖"],
        scope: "牲畜饲养",
        weights: [2.0, 0.0, 20.0],
        shop_forms: &[""],
    },
    Industry {
        code: "0412",
        wordings: &["水产", "渔业"],
        scope: "水产养殖",
        weights: [1.0, 0.0, 8.0],
        shop_forms: &[""],
    },
    Industry {
        code: "0151",
        wordings: &["果业", "水果"],
        scope: "水果种植",
        weights: [0.5, 0.0, 6.0],
        shop_forms: &[""],
    },
    Industry {
        code: "0142",
        wordings: &["食用菌"],
        scope: "食用菌种植",
        weights: [0.3, 0.0, 4.0],
        shop_forms: &[""],
    },
    Industry {
        code: "0171",
        wordings: &["中药材"],
        scope: "中草药种植",
        weights: [0.7, 0.0, 3.0],
        shop_forms: &[""],
    },
    Industry {
        code: "0143",
        wordings: &["花卉", "苗木"],
        scope: "花卉种植；林木种子生产",
        weights: [1.0, 0.0, 3.0],
        shop_forms: &[""],
    },
    Industry {
        code: "0190",
        wordings: &["种养殖"],
        scope: "农作物种植；牲畜饲养",
        weights: [0.0, 0.0, 8.0],
        shop_forms: &[""],
    },
];

/// Characters of trade names (字号): common, auspicious and local words. None is a
/// division's name or an industry word on its own.
pub const TRADE_CHARS: &str =
    "恒泰鑫源华通金瑞永盛宏达天成隆兴昌荣富佳利祥和顺安康博远德丰信诚旭鸿宇新汇\
    嘉欣晟锦裕正益润森林峰山川明辉志海云凯创晨星月阳光瑶琪彩雅乐美优尚品誉铭卓越\
    华中东方楚龙凤麒麟象泉漳郢明显陵石城文武胜楠梓荷桂兰竹梅松柏枫柳杨青蓝紫翠\
    宝玉珍鼎盈鹏程腾飞跃骏驰远航启迪睿智慧晶亿万千百福禄寿喜庆吉春夏秋冬江湖\
    汉水湾洲岛岭峡谷田园禾穗丰稻米麦谷香甜鲜味佳家邦众合力强壮健迅捷通达伟业宁静";

/// Surnames, most common first (a rough national frequency order).
pub const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于\
    蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";

pub const GIVEN_MALE: &str =
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国峰志文斌亮成斌红兵";
pub const GIVEN_FEMALE: &str =
    "芳娜敏静丽艳娟霞秀英玲桂兰燕萍红梅琴云莲洁琳雪倩婷颖慧蓉丹荣月凤英佳珍彤悦";

/// Road names of towns and subdistricts.
pub const ROADS: &[&str] = &[
    "人民路",
    "建设路",
    "中山路",
    "解放路",
    "长宁大道",
    "象山大道",
    "白云大道",
    "金虾路",
    "培公大道",
    "虎牙关大道",
    "月亮湖路",
    "泉口路",
    "龙井大道",
    "深圳大道",
    "杨湾路",
    "名泉路",
    "振兴大道",
    "兴隆大道",
    "承天大道",
    "莫愁湖路",
    "王府大道",
    "阳春大街",
    "新华路",
    "工业大道",
    "文峰路",
    "迎宾大道",
    "汉江大道",
    "金山路",
    "团结路",
    "和平路",
    "朝阳路",
    "府前路",
];

/// First and second characters of village names (村).
pub const VILLAGE_A: &str =
    "东西南北上下前后新老大小高低长双三五七九黄白红青石马牛杨李张刘王陈赵桥河湖塘";
pub const VILLAGE_B: &str = "湾岗港冲坪坡岭桥庙店铺集台垸湖堤畈山林园庄寨家河渡口";

/// A township (乡级) place with its county.
#[derive(Debug, Clone)]
pub struct Township {
    pub code: String,
    pub name: String,
    pub county: usize,
    /// Whether it is a subdistrict (街道): addresses are streets, not villages.
    pub urban: bool,
    /// Weights among the county's townships: enterprise, individual business, cooperative.
    pub weights: [f64; 3],
}

/// A county with its townships.
#[derive(Debug, Clone)]
pub struct County {
    pub code: String,
    pub name: String,
    /// The name's prefix in an address: 湖北省荆门市东宝区, 湖北省钟祥市.
    pub address_prefix: String,
    /// The division written before a name: 荆门市 for the districts, else the county.
    pub name_division: String,
    pub authority: &'static str,
    pub population: u32,
    /// Retired codes of the same place with the years they were used (for the address
    /// part of older ID numbers), newest first.
    pub former_codes: Vec<(String, Option<i64>, Option<i64>)>,
    pub valid_from: Option<i64>,
}

/// Where entities are put: counties in proportion to population, townships by kind.
#[derive(Debug, Clone)]
pub struct City {
    pub counties: Vec<County>,
    pub townships: Vec<Township>,
    /// Cumulative weights over `townships` per kind (population share × township weight).
    cumulative: [Vec<f64>; 3],
    /// Division names for the name checker.
    pub divisions: Divisions,
}

/// The weight of a township for each kind, by what it is.
fn township_weights(name: &str) -> Option<([f64; 3], bool)> {
    let has = |s: &str| name.contains(s);
    if has("监狱") || has("水库") {
        return None;
    }
    Some(if name.ends_with("街道") {
        ([4.0, 4.0, 0.3], true)
    } else if has("开发区") || has("工业园") || has("新港区") || has("新区") {
        ([3.0, 0.5, 0.1], false)
    } else if name.ends_with('镇') {
        ([0.6, 1.0, 1.0], false)
    } else if name.ends_with('乡') {
        ([0.3, 0.6, 1.0], false)
    } else if has("林场") || has("农场") || has("种畜场") || has("原种场") {
        ([0.05, 0.1, 0.4], false)
    } else {
        ([0.2, 0.3, 0.4], false)
    })
}

impl City {
    /// Reads the divisions from the database's reference data.
    pub async fn load(store: &Store) -> anyhow::Result<Self> {
        let (current, history) = reference::divisions(store).await?;
        let mut counties = Vec::new();
        for (code, population, authority) in COUNTIES {
            let d = current
                .iter()
                .find(|d| d.code == code)
                .ok_or_else(|| anyhow::anyhow!("区划参考数据缺少 {code}"))?;
            let stem: String = d.name.chars().take(2).collect();
            let mut former: Vec<(String, Option<i64>, Option<i64>)> = history
                .iter()
                .filter(|h| h.code != code && h.name.starts_with(&stem))
                .map(|h| (h.code.clone(), h.valid_from, h.valid_to))
                .collect();
            former.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let valid_from = history
                .iter()
                .find(|h| h.code == code)
                .and_then(|h| h.valid_from);
            let district = d.name.ends_with('区');
            counties.push(County {
                code: code.to_owned(),
                name: d.name.clone(),
                address_prefix: if district {
                    format!("湖北省荆门市{}", d.name)
                } else {
                    format!("湖北省{}", d.name)
                },
                name_division: if district {
                    "荆门市".to_owned()
                } else {
                    d.name.clone()
                },
                authority,
                population,
                former_codes: former,
                valid_from,
            });
        }
        let mut townships = Vec::new();
        for d in current.iter().filter(|d| d.level == "township") {
            let Some(county) = counties.iter().position(|c| d.code.starts_with(&c.code)) else {
                continue;
            };
            if let Some((weights, urban)) = township_weights(&d.name) {
                townships.push(Township {
                    code: d.code.clone(),
                    name: d.name.clone(),
                    county,
                    urban,
                    weights,
                });
            }
        }
        anyhow::ensure!(!townships.is_empty(), "区划参考数据中没有乡镇街道");
        let total_pop: f64 = counties.iter().map(|c| f64::from(c.population)).sum();
        let cumulative = [0usize, 1, 2].map(|k| {
            let mut acc = 0.0;
            townships
                .iter()
                .map(|t| {
                    let county_sum: f64 = townships
                        .iter()
                        .filter(|o| o.county == t.county)
                        .map(|o| o.weights[k])
                        .sum();
                    let share = f64::from(counties[t.county].population) / total_pop;
                    acc += share * t.weights[k] / county_sum;
                    acc
                })
                .collect()
        });
        let mut rows: Vec<(String, Option<shijian_domain::division::DivisionCode>)> = vec![(
            "湖北省".to_owned(),
            shijian_domain::division::DivisionCode::parse("420000").ok(),
        )];
        for d in current.iter().filter(|d| d.level != "township") {
            rows.push((
                d.name.clone(),
                shijian_domain::division::DivisionCode::parse(&d.code).ok(),
            ));
        }
        Ok(Self {
            counties,
            townships,
            cumulative,
            divisions: Divisions::from_rows(rows),
        })
    }

    /// The township at `u` ∈ [0, 1) of the cumulative weights for `kind`.
    #[must_use]
    pub fn township(&self, kind: Kind, u: f64) -> &Township {
        let cum = &self.cumulative[kind.index()];
        let total = cum.last().copied().unwrap_or(1.0);
        let i = cum.partition_point(|c| *c <= u * total);
        &self.townships[i.min(self.townships.len() - 1)]
    }
}

/// Cumulative industry weights per kind, in [`INDUSTRIES`] order.
#[must_use]
pub fn industry_cumulative(kind: Kind) -> Vec<f64> {
    let mut acc = 0.0;
    INDUSTRIES
        .iter()
        .map(|i| {
            acc += i.weights[kind.index()];
            acc
        })
        .collect()
}
