//! Benchmark of the entity search index on synthetic, deterministic data.
//!
//! ```text
//! cargo run --release -p shijian-search --example bench_search -- [N] [RUNS] [CLASS]
//! ```
//!
//! N documents (default 1,000,000) are generated from a fixed seed: names from a few
//! hundred common characters plus trade words (餐饮, 超市, 石化, 建材, 农业, 商贸…) and
//! suffixes (有限公司, 店, 经营部…), codes shaped like real credit codes of 荆门. Prints the
//! build time, resident memory, and latency percentiles per query class (limit 20, with
//! the total), single-threaded and then with two threads querying at once. CLASS (a
//! comma-separated list) keeps only the query classes whose label contains one of them.
//! Latencies are wall-clock; "cpu ms" is the thread's CPU time per query over the class
//! (from /proc, 10 ms ticks, so meaningful over many runs), which leaves out waiting for
//! a CPU when the machine is shared.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use shijian_search::{Doc, Index, Query};

/// splitmix64: small, deterministic, good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const COMMON: &str = "安百宝北本彩昌诚成春大丹德鼎东都恩发丰福富刚广贵国海和鸿华辉惠吉佳嘉金锦晶景静久聚凯康科可乐立利联良林隆龙路伦茂美民明鸣南宁鹏平启强庆荣瑞润森山善盛胜诗顺思泰天通同万旺伟文祥翔鑫新信星兴雄秀旭轩雅阳耀业义亿益银英永勇友宇玉元源远悦云泽长真正志智中忠洲众卓子紫宗尊爱邦博灿驰达帆飞峰芳凤高恒红宏虹花欢环汇健江杰洁锦俊坤来蓝朗雷丽莲亮琳灵玲麦满梅萌敏娜宁欧品萍琪千青清秋全群然仁容蓉融如锐三沙尚少深升生石水硕松素桃腾田婷彤拓威维伟卫温喜霞仙贤香湘晓心欣馨雪亚岩艳燕扬瑶怡逸音莹颖涌优宇雨语育誉圆月跃韵泽展湛章兆哲振正之芝志中舟竹助壮卓";
const TRADES: &[&str] = &[
    "餐饮", "超市", "石化", "建材", "农业", "商贸", "五金", "服装", "家电", "汽修", "物流", "科技",
    "药房", "烟酒", "水产", "食品", "装饰", "电器", "美容", "理发", "养殖", "种植", "化工", "机械",
    "纺织", "印刷", "广告", "文化", "旅游", "酒店", "茶叶", "粮油", "果蔬", "母婴", "家具", "建筑",
    "劳务", "运输", "电子", "通讯",
];
const ENTERPRISE_SUFFIX: &[&str] = &["有限公司", "有限责任公司", "股份有限公司", "有限公司分公司"];
const INDIVIDUAL_SUFFIX: &[&str] = &["店", "店", "经营部", "门市部", "馆", "行", "部", "批发部"];
const DISTRICTS: &[(&str, &str)] = &[
    ("东宝区", "420802"),
    ("掇刀区", "420804"),
    ("京山市", "420882"),
    ("沙洋县", "420822"),
    ("钟祥市", "420881"),
    ("屈家岭管理区", "420800"),
];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const STREETS: &str = "龙泉象山白庙月亮湖泉口杨家滩深圳大道海慧长宁中天东方金虾竹园";
const USCC_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const INDUSTRIES: &[&str] = &[
    "H6210", "H6220", "F5211", "F5212", "F5221", "F5123", "C2511", "C2614", "E4710", "A0111",
    "A0311", "O8010", "O8020", "G5430", "I6510", "L7212", "M7320", "F5165", "F5274", "C1331",
    "6210", "5211", "",
];
const STATUSES: &[(&str, u64)] = &[
    ("active", 80),
    ("dormant", 6),
    ("revoked", 5),
    ("deregistered", 5),
    ("cancelled", 2),
    ("moved_out", 2),
];

fn generate(n: usize, seed: u64) -> impl Iterator<Item = Doc> {
    let common: Vec<char> = COMMON.chars().filter(|c| !c.is_ascii()).collect();
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let streets: Vec<char> = STREETS.chars().collect();
    let mut rng = Rng(seed);
    (0..n).map(move |_| {
        let (district, div) = rng.pick(DISTRICTS);
        let kind = rng.below(100);
        let (entity_type, type_digit) = if kind < 45 {
            ("enterprise", '1')
        } else if kind < 95 {
            ("individual_business", '2')
        } else {
            ("cooperative", '3')
        };
        let mut name = String::new();
        let p = rng.below(100);
        if p < 55 {
            name.push_str("荆门市");
            if rng.chance(40) {
                name.push_str(district);
            }
        } else if p < 70 {
            name.push_str("荆门");
        } else if p < 80 {
            name.push_str(district);
        }
        if rng.chance(3) {
            name.push_str("荆门石化");
        }
        for _ in 0..(2 + rng.below(2)) {
            name.push(rng.pick(&common));
        }
        name.push_str(rng.pick(TRADES));
        match entity_type {
            "enterprise" => name.push_str(rng.pick(ENTERPRISE_SUFFIX)),
            "individual_business" => name.push_str(rng.pick(INDIVIDUAL_SUFFIX)),
            _ => name.push_str("专业合作社"),
        }
        if rng.chance(5) {
            name.push_str("（个体工商户）");
        }
        let mut uscc = format!("9{type_digit}{div}");
        for _ in 0..10 {
            uscc.push(rng.pick(USCC_ALPHABET) as char);
        }
        let division_code = if rng.chance(60) {
            format!("{div}{:03}", 1 + rng.below(12))
        } else {
            div.to_string()
        };
        let mut legal_rep = String::new();
        legal_rep.push(rng.pick(&surnames));
        for _ in 0..(1 + rng.below(2)) {
            legal_rep.push(rng.pick(&common));
        }
        let s = rng.below(streets.len() - 1);
        let address = format!(
            "湖北省荆门市{district}{}{}{}{}号",
            streets[s],
            streets[s + 1],
            if rng.chance(50) { "路" } else { "街" },
            1 + rng.below(300)
        );
        let mut roll = rng.below(100) as u64;
        let mut status = "active";
        for (st, w) in STATUSES {
            if roll < *w {
                status = st;
                break;
            }
            roll -= w;
        }
        let l = rng.below(100);
        let listing = if l < 6 {
            "abnormal"
        } else if l < 8 {
            "dishonesty"
        } else {
            ""
        };
        Doc {
            uscc,
            name,
            legal_rep,
            address,
            division_code,
            entity_type: entity_type.into(),
            status: status.into(),
            industry_code: rng.pick(INDUSTRIES).to_string(),
            listing: listing.into(),
        }
    })
}

fn proc_status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

/// CPU time of this thread in clock ticks (user + system; 100 per second on Linux).
fn thread_cpu_ticks() -> u64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 1..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0)
}

/// The 1, 5 and 15 minute load averages (the benchmark machine may be shared).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Class {
    label: String,
    query: Query,
}

fn classes(ix: &Index) -> Vec<Class> {
    let mut out = Vec::new();
    let mut add = |label: &str, q: Query| {
        out.push(Class {
            label: label.to_string(),
            query: q,
        })
    };
    for t in [
        "店",
        "荆",
        "餐饮",
        "石化",
        "荆门石化",
        "jmsh",
        "cy",
        "9142",
        "91420800",
    ] {
        add(t, Query::text(t));
    }
    add("有限公司 (4-char, worst case)", Query::text("有限公司"));
    add("公司", Query::text("公司"));
    add("荆门市东宝区 (6-char)", Query::text("荆门市东宝区"));
    add("jmsdbq (6 letters)", Query::text("jmsdbq"));
    let mut q = Query::text("王");
    q.include_legal_rep = true;
    add("王 (+legal rep)", q);
    add("龙泉路 (address)", Query::text("龙泉路"));
    let mut q = Query::text("");
    q.divisions = Some(
        ["420802", "420802001", "420802002"]
            .iter()
            .map(|s| s.to_string())
            .collect::<HashSet<_>>(),
    );
    q.status = Some("active".into());
    add("(empty) + division/status", q);
    add("(empty), no filter", Query::text(""));
    let mut q = Query::text("店");
    q.listing = Some("abnormal".into());
    q.industry_prefix = Some("F52".into());
    add("店 + listing/industry", q);
    // A deep page: after the 10th page of 店.
    let mut q = Query::text("店");
    for _ in 0..10 {
        q.after = ix.search(&q).next;
    }
    add("店, page 11", q);
    // A full credit code.
    if let Some(code) = ix.search(&Query::text("9142")).hits.first() {
        add("full credit code", Query::text(code.uscc.clone()));
    }
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(300);
    let only: Option<String> = args.next();
    println!("documents: {n}, runs per class: {runs}");
    println!("RSS before build: {}", proc_status("VmRSS:"));

    let t = Instant::now();
    let mut ix = Index::new();
    ix.extend(generate(n, 42));
    let build = t.elapsed();
    println!(
        "build (generate + extend): {:.2} s; {} documents",
        build.as_secs_f64(),
        ix.len()
    );
    println!(
        "RSS after build: {}  (peak {})",
        proc_status("VmRSS:"),
        proc_status("VmHWM:")
    );
    println!("{:?}", ix.stats());

    let mut classes = classes(&ix);
    if let Some(only) = &only {
        classes.retain(|c| only.split(',').any(|o| c.label.contains(o)));
    }
    println!("load average before queries: {}", load_average());
    println!(
        "\n{:<32} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "class (limit 20)", "total", "p50 ms", "p99 ms", "max ms", "cpu ms"
    );
    for c in &classes {
        let mut times = Vec::with_capacity(runs);
        let mut total = 0;
        let cpu0 = thread_cpu_ticks();
        for _ in 0..runs {
            let t = Instant::now();
            let page = ix.search(&c.query);
            times.push(t.elapsed());
            total = page.total;
            std::hint::black_box(page);
        }
        let cpu = (thread_cpu_ticks() - cpu0) as f64 * 10.0 / runs as f64;
        times.sort();
        println!(
            "{:<32} {:>9} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
            c.label,
            total,
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().unwrap()),
            cpu
        );
    }
    println!("load average after queries: {}", load_average());

    if classes.is_empty() {
        return;
    }
    // Two threads querying the whole mix at once (the target machine has two cores).
    let per_thread = runs.max(10) / 2;
    let times: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|k| {
                let ix = &ix;
                let classes = &classes;
                s.spawn(move || {
                    let mut times = Vec::new();
                    for r in 0..per_thread {
                        for (i, c) in classes.iter().enumerate() {
                            if (i + r + k) % 2 == 0 {
                                let t = Instant::now();
                                std::hint::black_box(ix.search(&c.query));
                                times.push(t.elapsed());
                            }
                        }
                    }
                    times
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut times = times;
    times.sort();
    println!(
        "\nall classes, 2 threads concurrently: {} queries, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap())
    );

    // Changes as the storage layer makes them.
    let updates: Vec<Doc> = generate(20_000, 7)
        .zip(generate(20_000, 42))
        .map(|(mut new, old)| {
            new.uscc = old.uscc; // replace existing documents
            new
        })
        .collect();
    let t = Instant::now();
    let count = updates.len();
    for d in updates {
        ix.upsert(d);
    }
    let upd = t.elapsed();
    let fresh: Vec<Doc> = generate(20_000, 99).collect();
    let t = Instant::now();
    let removed: Vec<String> = generate(20_000, 42).map(|d| d.uscc).collect();
    for u in &removed {
        ix.remove(u);
    }
    let rem = t.elapsed();
    let t = Instant::now();
    for d in fresh {
        ix.upsert(d);
    }
    let ins = t.elapsed();
    println!(
        "\nchanges: replace {:.1} µs/doc, remove {:.1} µs/doc, insert into freed slots {:.1} µs/doc",
        upd.as_secs_f64() * 1e6 / count as f64,
        rem.as_secs_f64() * 1e6 / removed.len() as f64,
        ins.as_secs_f64() * 1e6 / 20_000.0
    );
    println!("RSS at end: {}", proc_status("VmRSS:"));
    println!("{:?}", ix.stats());
    let t = Instant::now();
    ix.compact();
    println!(
        "compaction: {:.2} s; RSS after: {}",
        t.elapsed().as_secs_f64(),
        proc_status("VmRSS:")
    );
}
