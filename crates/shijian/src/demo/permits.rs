//! Demo section: permits (证照分离).
//!
//! The trades that need a permit get one in plausible shares (catering and food retail a
//! food business licence, or the filing of a shop that sells only prepackaged food, or a
//! small-catering registration; pharmacies a drug retail licence and often a class II
//! device filing; food makers a production licence or a workshop registration; fertiliser,
//! cement and refinery plants an industrial product licence; factories, hotels and
//! property managers the use registration of their lifts and boilers). A permit is issued
//! a few weeks after establishment (not before the permit existed), renewed at the end of
//! each validity by most holders (the rest let it expire), cancelled on the day its
//! entity leaves the market, and rarely revoked as a penalty. The records go in through
//! `permits::insert_history`, so the audit trail and event log carry them; the expiry job
//! of the server warns from the catalogue's thresholds as it would in production.

use super::entities::Generator;
use super::rng::Rng;
use chrono::{Datelike, Duration, NaiveDate};
use shijian_domain::entity::Action;
use shijian_domain::permit::default_valid_until;
use shijian_storage::permits::{insert_history, HistoricEnd, HistoricPermit};

/// Stream 2 of the ChaCha8 key space: permits.
const STREAM_PERMITS: u32 = 2;

/// One choice of a [`Need`]: the catalogue item, the permit's scope, and the share of
/// enterprises, individual businesses and cooperatives of the trade that hold it.
struct Choice {
    item: &'static str,
    scope: &'static str,
    shares: [f64; 3],
}

/// A permit the trades `industries` (GB/T 4754 classes of the demo's industry table)
/// need: at most one of `choices` per entity, drawn by share (the rest hold none).
struct Need {
    industries: &'static [&'static str],
    choices: &'static [Choice],
}

const CATERING: &[&str] = &["6210", "6220", "6239"];
const FOOD_RETAIL: &[&str] = &["5212", "5221", "5226", "5227"];
const FOOD_MAKERS: &[&str] = &["1311", "1331", "1512"];
const PLANTS: &[&str] = &[
    "2511", "2614", "2622", "2624", "3011", "3021", "3041", "3311", "3511", "3670", "2922", "1311",
    "1331", "1512", "6110", "7010", "7020",
];

const NEEDS: &[Need] = &[
    Need {
        industries: CATERING,
        choices: &[
            Choice {
                item: "food_business",
                scope: "热食类食品制售；冷食类食品制售",
                shares: [0.97, 0.75, 0.0],
            },
            Choice {
                item: "small_catering_registration",
                scope: "小餐饮（热食类食品制售）",
                shares: [0.0, 0.2, 0.0],
            },
        ],
    },
    Need {
        industries: &["6291"],
        choices: &[
            Choice {
                item: "small_catering_registration",
                scope: "小餐饮（热食类食品制售）",
                shares: [0.3, 0.6, 0.0],
            },
            Choice {
                item: "food_workshop_registration",
                scope: "糕点、熟食制作（食品小作坊）",
                shares: [0.0, 0.25, 0.0],
            },
            Choice {
                item: "food_business",
                scope: "热食类食品制售",
                shares: [0.6, 0.1, 0.0],
            },
        ],
    },
    Need {
        industries: &["6110"],
        choices: &[Choice {
            item: "food_business",
            scope: "热食类食品制售；冷食类食品制售；自制饮品制售",
            shares: [0.6, 0.3, 0.0],
        }],
    },
    Need {
        industries: FOOD_RETAIL,
        choices: &[
            Choice {
                item: "food_business",
                scope: "预包装食品销售（含冷藏冷冻食品）；散装食品销售",
                shares: [0.5, 0.35, 0.0],
            },
            Choice {
                item: "prepackaged_food_filing",
                scope: "仅销售预包装食品",
                shares: [0.45, 0.55, 0.0],
            },
        ],
    },
    Need {
        industries: &["5211"],
        choices: &[Choice {
            item: "prepackaged_food_filing",
            scope: "仅销售预包装食品",
            shares: [0.3, 0.25, 0.0],
        }],
    },
    Need {
        industries: &["5224"],
        choices: &[Choice {
            item: "food_business",
            scope: "散装食品销售（含冷藏冷冻食品）",
            shares: [0.8, 0.6, 0.0],
        }],
    },
    Need {
        industries: &["5251"],
        choices: &[Choice {
            item: "drug_retail",
            scope: "中药饮片、中成药、化学药制剂、抗生素制剂、生化药品",
            shares: [0.98, 0.95, 0.0],
        }],
    },
    Need {
        industries: &["5251"],
        choices: &[Choice {
            item: "class2_device_business_filing",
            scope: "第二类医疗器械零售",
            shares: [0.6, 0.4, 0.0],
        }],
    },
    Need {
        industries: &["5251"],
        choices: &[Choice {
            item: "class3_device_business",
            scope: "第三类医疗器械零售（角膜接触镜及护理液除外）",
            shares: [0.1, 0.0, 0.0],
        }],
    },
    Need {
        industries: FOOD_MAKERS,
        choices: &[
            Choice {
                item: "food_production",
                scope: "粮食加工品；食用油、油脂及其制品；酒类",
                shares: [0.9, 0.1, 0.3],
            },
            Choice {
                item: "food_workshop_registration",
                scope: "粮油制品、白酒（食品小作坊）",
                shares: [0.05, 0.8, 0.5],
            },
        ],
    },
    Need {
        industries: &["2511", "2622", "2624", "3011"],
        choices: &[Choice {
            item: "industrial_product_production",
            scope: "危险化学品、化肥、水泥（以证书载明的产品单元为准）",
            shares: [0.85, 0.0, 0.0],
        }],
    },
    Need {
        industries: PLANTS,
        choices: &[Choice {
            item: "special_equipment_use_registration",
            scope: "电梯、锅炉、压力容器、场（厂）内专用机动车辆",
            shares: [0.5, 0.05, 0.0],
        }],
    },
];

/// The first day an item could be issued under its present name, and its validity in
/// years as the catalogue's seed has it (the stored last valid day comes from the
/// catalogue itself; these only time the renewals).
fn issuing_since(item: &str) -> (NaiveDate, Option<u32>) {
    let (y, m, d, years) = match item {
        "food_business" | "food_production" => (2015, 10, 1, Some(5)),
        "prepackaged_food_filing" => (2021, 4, 29, None),
        "food_workshop_registration" | "small_catering_registration" => (2017, 1, 1, Some(3)),
        "special_equipment_use_registration" => (2014, 1, 1, None),
        "industrial_product_production" => (2005, 9, 1, Some(5)),
        "drug_retail" => (2002, 1, 1, Some(5)),
        "class2_device_business_filing" => (2014, 6, 1, None),
        _ => (2014, 6, 1, Some(5)),
    };
    (NaiveDate::from_ymd_opt(y, m, d).expect("valid date"), years)
}

/// A certificate number in the shape of the item's real numbers, unique per item
/// because it carries the entity's index.
fn number(item: &str, industry: &str, county: &str, i: u64, first: NaiveDate) -> String {
    let year = first.year();
    match item {
        "food_business" => {
            let kind = if industry.starts_with("62") || industry.starts_with("61") {
                2
            } else {
                1
            };
            format!("JY{kind}{county}{i:08}")
        }
        "prepackaged_food_filing" => format!("YB1{county}{i:08}"),
        "food_production" => {
            let unit = match industry {
                "1331" => 102,
                "1512" => 115,
                _ => 101,
            };
            format!("SC{unit}{county}{i:08}")
        }
        "food_workshop_registration" => format!("鄂食坊{county}{i:08}"),
        "small_catering_registration" => format!("鄂小餐{county}{i:08}"),
        "special_equipment_use_registration" => format!("特使{county}{i:08}"),
        "industrial_product_production" => format!("XK13-{county}-{i:08}"),
        "drug_retail" => format!("鄂DB{county}{i:08}"),
        "class2_device_business_filing" => format!("鄂荆药监械经营备{year}{i:08}号"),
        _ => format!("鄂荆药监械经营许{year}{i:08}号"),
    }
}

/// The day and wording of the entity leaving the market, if it did by the as-of date.
fn left_market(changes: &[(Action, NaiveDate)]) -> Option<(NaiveDate, &'static str)> {
    changes.iter().find_map(|(action, on)| {
        let why = match action {
            Action::Deregister | Action::ApplySimplifiedDeregistration => "市场主体已注销",
            Action::Revoke => "营业执照被吊销",
            Action::CancelRegistration => "市场主体登记被撤销",
            Action::CompulsoryDeregister => "市场主体被强制注销",
            Action::MoveOut => "市场主体已迁出本市",
            _ => return None,
        };
        Some((*on, why))
    })
}

/// The permits of entity `i`.
fn permits_of(generator: &Generator, i: u64) -> anyhow::Result<Vec<HistoricPermit>> {
    let (g, _) = generator.entity(i)?;
    let industry = g.raw.industry_code.as_str();
    let needs: Vec<&Need> = NEEDS
        .iter()
        .filter(|n| n.industries.contains(&industry))
        .collect();
    if needs.is_empty() {
        return Ok(Vec::new());
    }
    let as_of = generator.plan.as_of;
    let county = &g.uscc[2..8];
    let left = left_market(&g.life.changes);
    let mut rng = Rng::keyed(generator.plan.seed, STREAM_PERMITS, i);
    let mut out = Vec::new();
    for need in needs {
        let u = rng.unit();
        let mut acc = 0.0;
        let Some(choice) = need.choices.iter().find(|c| {
            acc += c.shares[g.life.kind as usize];
            u < acc
        }) else {
            continue;
        };
        let (since, years) = issuing_since(choice.item);
        let wait = Duration::days(10 + i64::try_from(rng.below(80)).unwrap_or(0));
        // Entities older than the item were issued one in its first year.
        let first = if g.life.established_on + wait < since {
            since + Duration::days(i64::try_from(rng.below(365)).unwrap_or(0))
        } else {
            g.life.established_on + wait
        };
        let end_of_life = left.map_or(as_of, |(on, _)| on.min(as_of));
        if first > end_of_life {
            continue;
        }
        // Renewals: most holders renew in the month before the last valid day.
        let mut issued = first;
        if let Some(years) = years {
            while let Some(until) = default_valid_until(issued, years) {
                if until >= end_of_life || !rng.chance(0.93) {
                    break;
                }
                let early = Duration::days(i64::try_from(rng.below(30)).unwrap_or(0));
                issued = until + Duration::days(1) - early;
            }
        }
        let valid_until = years.and_then(|y| default_valid_until(issued, y));
        let ended = match left {
            Some((on, why)) if on <= as_of && valid_until.is_none_or(|u| u >= on) => {
                Some(HistoricEnd {
                    revoked: false,
                    on,
                    reason: format!("{why}，许可证件依法注销"),
                })
            }
            Some(_) => None,
            None if rng.chance(0.003) => {
                let span = (end_of_life - issued).num_days().max(0);
                let on = issued
                    + Duration::days(
                        i64::try_from(rng.below(u64::try_from(span + 1).unwrap_or(1))).unwrap_or(0),
                    );
                Some(HistoricEnd {
                    revoked: true,
                    on,
                    reason: format!(
                        "违法经营，依法吊销（荆市监罚〔{}〕{}号）",
                        on.year(),
                        i % 900 + 1
                    ),
                })
            }
            None => None,
        };
        out.push(HistoricPermit {
            uscc: g.uscc.clone(),
            item_code: choice.item.to_owned(),
            number: number(choice.item, industry, county, i, first),
            issued_on: issued,
            valid_until: None,
            scope: choice.scope.to_owned(),
            ended,
        });
    }
    Ok(out)
}

/// The permit section.
pub(super) struct Permits;

impl super::PerEntity for Permits {
    type Record = HistoricPermit;
    const LABEL: &'static str = "许可证件";

    fn records(generator: &Generator, i: u64) -> anyhow::Result<Vec<HistoricPermit>> {
        permits_of(generator, i)
    }

    fn write(
        tx: &mut shijian_storage::WriteTx<'_>,
        records: &[HistoricPermit],
    ) -> impl std::future::Future<Output = shijian_storage::Result<usize>> + Send {
        insert_history(tx, records)
    }
}
