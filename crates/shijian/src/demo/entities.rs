//! The market-entity section of the demo city: the registry at the plan's baseline
//! (专栏-1: 25.5万 existing entities at the end of 2020, 5万 of them enterprises), grown to
//! about 300,000 by the as-of date, with the entities that left before and since.
//!
//! Entity `i` is a pure function of (seed, as-of date, N, i): its cohort comes from a
//! low-discrepancy sequence (so every cohort's count is exact to a unit at any N), its
//! details from a ChaCha8 stream keyed by (seed, i). Nothing is kept between entities, so
//! memory does not grow with N, and a later section can recompute entity `i` instead of
//! reading it back.

use super::city::{
    industry_cumulative, City, Kind, CITY_AUTHORITY, GIVEN_FEMALE, GIVEN_MALE, INDUSTRIES, ROADS,
    SURNAMES, TRADE_CHARS, VILLAGE_A, VILLAGE_B,
};
use super::rng::Rng;
use chrono::{Datelike, Duration, NaiveDate};
use shijian_domain::division::DivisionCode;
use shijian_domain::entity::{Action, EnterpriseType};
use shijian_domain::id_number::id_check_char;
use shijian_domain::name_check::{self, Lookups, NoPinyin, Outcome, Proposal};
use shijian_domain::uscc::{org_code_check_char, uscc_check_char};
use shijian_storage::entities::{HistoricEntity, Known, RawItems};

/// The last day of the plan's base year.
pub const BASE_DAY: (i32, u32, u32) = (2020, 12, 31);

/// Where an entity stands relative to the end of 2020 and the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cohort {
    /// Established by 2020, still registered on the as-of date.
    Stayed,
    /// Established by 2020, left after 2020.
    LeftSince,
    /// Established and left by 2020.
    LeftBefore,
    /// Established after 2020, still registered.
    New,
    /// Established after 2020 and already left.
    NewLeft,
}

/// The shape of the default city: (kind, cohort, entities). Existing at the end of 2020 =
/// Stayed + LeftSince (255,000; enterprises 50,000); existing on the as-of date = Stayed +
/// New (300,000; enterprises 72,000, between the plan's 5万 and its 2025 target of 8万).
pub const SHAPE: [(Kind, Cohort, u64); 15] = [
    (Kind::Enterprise, Cohort::Stayed, 42_000),
    (Kind::Enterprise, Cohort::LeftSince, 8_000),
    (Kind::Enterprise, Cohort::LeftBefore, 8_000),
    (Kind::Enterprise, Cohort::New, 30_000),
    (Kind::Enterprise, Cohort::NewLeft, 3_000),
    (Kind::Individual, Cohort::Stayed, 156_500),
    (Kind::Individual, Cohort::LeftSince, 45_000),
    (Kind::Individual, Cohort::LeftBefore, 20_000),
    (Kind::Individual, Cohort::New, 67_300),
    (Kind::Individual, Cohort::NewLeft, 12_000),
    (Kind::Cooperative, Cohort::Stayed, 2_900),
    (Kind::Cooperative, Cohort::LeftSince, 600),
    (Kind::Cooperative, Cohort::LeftBefore, 1_000),
    (Kind::Cooperative, Cohort::New, 1_300),
    (Kind::Cooperative, Cohort::NewLeft, 100),
];

/// The number of entities of the default city (the sum of [`SHAPE`]).
pub const DEFAULT_ENTITIES: u64 = {
    let mut n = 0;
    let mut i = 0;
    while i < SHAPE.len() {
        n += SHAPE[i].2;
        i += 1;
    }
    n
};

/// The plan's baseline: existing entities and enterprises at the end of 2020 in the
/// default city (scaled by N / [`DEFAULT_ENTITIES`] for another N).
#[must_use]
pub fn baseline(n: u64) -> (f64, f64) {
    let scale = n as f64 / DEFAULT_ENTITIES as f64;
    let (mut all, mut ent) = (0u64, 0u64);
    for (kind, cohort, count) in SHAPE {
        if matches!(cohort, Cohort::Stayed | Cohort::LeftSince) {
            all += count;
            if kind == Kind::Enterprise {
                ent += count;
            }
        }
    }
    (all as f64 * scale, ent as f64 * scale)
}

/// What fixes the generated registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub seed: u64,
    pub as_of: NaiveDate,
    pub entities: u64,
}

/// An entity's life without its details: enough for counts and for later sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Life {
    pub kind: Kind,
    pub cohort: Cohort,
    pub established_on: NaiveDate,
    /// How it left the market (deregistration, revocation, cancellation), in order.
    pub changes: Vec<(Action, NaiveDate)>,
    /// A dormancy (歇业) of an entity that stays: its first and last day, and how and when
    /// business resumed, if it did by the as-of date.
    pub dormancy: Option<Dormancy>,
}

/// One dormancy period of the demo (歇业, 条例 Art.30, from 2022-03-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dormancy {
    pub starts_on: NaiveDate,
    pub last_day: NaiveDate,
    /// `EndDormancy` (filed early) or `ResumeAutomatically` (the day after the last day).
    pub resumed: Option<(Action, NaiveDate)>,
}

impl Life {
    /// Every change after establishment in order, as the registry records them.
    #[must_use]
    pub fn history(&self) -> Vec<(Action, NaiveDate)> {
        let mut all = self.changes.clone();
        if let Some(d) = self.dormancy {
            all.push((Action::BeginDormancy, d.starts_on));
            all.extend(d.resumed);
        }
        all.sort_by_key(|(_, on)| *on);
        all
    }
}

/// Stream 3 of the ChaCha8 key space: dormancy (kept apart so the entities' own stream,
/// and with it the rest of the city, does not depend on it).
const STREAM_DORMANCY: u32 = 3;

/// Share of the entities that stay on the register that filed a dormancy since the rule
/// began (illustrative: enough for every screen and report to show some).
const DORMANT_SHARE: f64 = 0.006;

/// One generated entity: its life and the registered items as text (validated with the
/// same check as an import before writing).
#[derive(Debug, Clone)]
pub struct Generated {
    pub index: u64,
    pub uscc: String,
    pub life: Life,
    pub raw: RawItems,
    /// The ID number in full (the registry keeps it sealed and shows it masked).
    pub legal_rep_id: String,
}

/// Stream 0 of the ChaCha8 key space: entity details.
const STREAM_ENTITY: u32 = 0;
/// The golden-ratio increment of the low-discrepancy sequence.
const WEYL: u64 = 0x9E37_79B9_7F4A_7C15;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A day uniformly in [from, to] (`from` if the range is empty).
fn day_between(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days();
    if span <= 0 {
        return from;
    }
    from + Duration::days(rng.below(span as u64 + 1) as i64)
}

/// Year weights of establishment up to 2020 per kind: growth over the decades, a jump
/// with the 2014 registration reform; cooperatives since their law (2007-07-01).
fn year_weights(kind: Kind) -> (i32, Vec<f64>) {
    match kind {
        Kind::Enterprise => {
            let mut w = 1.0;
            (
                1990,
                (1990..=2020)
                    .map(|y| {
                        w *= 1.13;
                        if y >= 2014 {
                            w * 1.4
                        } else {
                            w
                        }
                    })
                    .collect(),
            )
        }
        Kind::Individual => {
            let mut w = 1.0;
            (
                1988,
                (1988..=2020)
                    .map(|y| {
                        w *= 1.08;
                        if y >= 2014 {
                            w * 1.25
                        } else {
                            w
                        }
                    })
                    .collect(),
            )
        }
        Kind::Cooperative => (
            2007,
            vec![
                0.3, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 3.5, 3.5, 3.5, 3.0, 2.0, 1.5, 1.2,
            ],
        ),
    }
}

fn pick_str(rng: &mut Rng, items: &[&'static str]) -> &'static str {
    items[rng.below(items.len() as u64) as usize]
}

/// The generator: reference data and the tables derived from the plan.
pub struct Generator {
    pub plan: Plan,
    city: City,
    known: Known,
    shape_cumulative: Vec<u64>,
    industries: [Vec<f64>; 3],
    years: [(i32, Vec<f64>); 3],
    trade: Vec<char>,
    surnames: Vec<char>,
    male: Vec<char>,
    female: Vec<char>,
    village_a: Vec<char>,
    village_b: Vec<char>,
    offset: u64,
}

impl Generator {
    #[must_use]
    pub fn new(plan: Plan, city: City, known: Known) -> Self {
        let mut acc = 0;
        let shape_cumulative = SHAPE
            .iter()
            .map(|(_, _, n)| {
                acc += n;
                acc
            })
            .collect();
        let chars = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<Vec<_>>();
        let mut offset_rng = Rng::keyed(plan.seed, u32::MAX, 0);
        Self {
            plan,
            city,
            known,
            shape_cumulative,
            industries: Kind::ALL.map(industry_cumulative),
            years: Kind::ALL.map(year_weights),
            trade: chars(TRADE_CHARS),
            surnames: chars(SURNAMES),
            male: chars(GIVEN_MALE),
            female: chars(GIVEN_FEMALE),
            village_a: chars(VILLAGE_A),
            village_b: chars(VILLAGE_B),
            offset: offset_rng.u64(),
        }
    }

    #[must_use]
    pub fn city(&self) -> &City {
        &self.city
    }

    /// The kind and cohort of entity `i`: the cell of [`SHAPE`] that the `i`-th point of
    /// the golden-ratio sequence falls in, so each cell holds its share of any N within
    /// a unit or two.
    #[must_use]
    pub fn cell(&self, i: u64) -> (Kind, Cohort) {
        let u = i.wrapping_mul(WEYL).wrapping_add(self.offset);
        let total = DEFAULT_ENTITIES;
        let x = ((u128::from(u) * u128::from(total)) >> 64) as u64;
        let k = self.shape_cumulative.partition_point(|c| *c <= x);
        let (kind, cohort, _) = SHAPE[k.min(SHAPE.len() - 1)];
        (kind, cohort)
    }

    /// The life of entity `i` (kind, cohort, establishment and later changes).
    #[must_use]
    pub fn life(&self, i: u64) -> Life {
        let mut rng = Rng::keyed(self.plan.seed, STREAM_ENTITY, i);
        self.life_with(&mut rng, i)
    }

    fn established_by_2020(&self, rng: &mut Rng, kind: Kind, last: NaiveDate) -> NaiveDate {
        let (first_year, weights) = &self.years[kind as usize];
        let mut cum = Vec::with_capacity(weights.len());
        let mut acc = 0.0;
        for w in weights {
            acc += w;
            cum.push(acc);
        }
        let year = first_year + rng.weighted(&cum) as i32;
        let from = if kind == Kind::Cooperative && year == 2007 {
            day(2007, 7, 1)
        } else {
            day(year, 1, 1)
        };
        day_between(rng, from, day(year, 12, 31).min(last)).min(last)
    }

    fn exit(
        &self,
        rng: &mut Rng,
        kind: Kind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(Action, NaiveDate)> {
        let on = day_between(rng, from, to);
        let u = rng.unit();
        let (revoke, cancel) = match kind {
            Kind::Enterprise => (0.25, 0.01),
            Kind::Individual => (0.12, 0.0),
            Kind::Cooperative => (0.30, 0.0),
        };
        if u < cancel {
            vec![(Action::CancelRegistration, on)]
        } else if u < cancel + revoke {
            // A fifth of revoked entities are deregistered later.
            let mut v = vec![(Action::Revoke, on)];
            if rng.chance(0.2) && (to - on).num_days() > 60 {
                v.push((
                    Action::Deregister,
                    day_between(rng, on + Duration::days(30), to),
                ));
            }
            v
        } else {
            vec![(Action::Deregister, on)]
        }
    }

    fn life_with(&self, rng: &mut Rng, i: u64) -> Life {
        let (kind, cohort) = self.cell(i);
        let base = day(BASE_DAY.0, BASE_DAY.1, BASE_DAY.2);
        let after = base + Duration::days(1);
        let as_of = self.plan.as_of;
        let (established_on, changes) = match cohort {
            Cohort::Stayed => (self.established_by_2020(rng, kind, base), Vec::new()),
            Cohort::LeftSince => {
                let est = self.established_by_2020(rng, kind, base);
                let exit = self.exit(rng, kind, after, as_of);
                (est, exit)
            }
            Cohort::LeftBefore => {
                let est = self.established_by_2020(rng, kind, base - Duration::days(90));
                let exit = self.exit(rng, kind, est + Duration::days(60), base);
                (est, exit)
            }
            Cohort::New => (day_between(rng, after, as_of), Vec::new()),
            Cohort::NewLeft => {
                let est = day_between(rng, after, as_of - Duration::days(90));
                let exit = self.exit(rng, kind, est + Duration::days(60), as_of);
                (est, exit)
            }
        };
        let dormancy = if changes.is_empty() {
            self.dormancy(i, established_on)
        } else {
            None
        };
        Life {
            kind,
            cohort,
            established_on,
            changes,
            dormancy,
        }
    }

    /// A dormancy of 3 months to 3 years, filed at least half a year after establishment
    /// and from the day the rule began (2022-03-01); a third of those that ended resumed
    /// early, the others automatically the day after the last day.
    fn dormancy(&self, i: u64, established_on: NaiveDate) -> Option<Dormancy> {
        let mut rng = Rng::keyed(self.plan.seed, STREAM_DORMANCY, i);
        if !rng.chance(DORMANT_SHARE) {
            return None;
        }
        let as_of = self.plan.as_of;
        let from = (established_on + Duration::days(180)).max(day(2022, 3, 1));
        if from >= as_of {
            return None;
        }
        let starts_on = day_between(&mut rng, from, as_of);
        let months = [3, 6, 12, 12, 24, 36][rng.below(6) as usize];
        let last_day = starts_on
            .checked_add_months(chrono::Months::new(months))
            .map_or(starts_on, |d| d - Duration::days(1));
        let resumed = if rng.chance(1.0 / 3.0) && (last_day - starts_on).num_days() > 30 {
            let on = day_between(&mut rng, starts_on + Duration::days(30), last_day);
            (on <= as_of).then_some((Action::EndDormancy, on))
        } else {
            let on = last_day + Duration::days(1);
            (on <= as_of).then_some((Action::ResumeAutomatically, on))
        };
        Some(Dormancy {
            starts_on,
            last_day,
            resumed,
        })
    }

    /// The credit code of entity `i`: authority 9, the kind's category, the county's
    /// division code, an organisation code unique to `i` (a bijection of `i` below 10^8)
    /// with its GB 11714 check character, and the GB 32100 check character.
    #[must_use]
    pub fn uscc(&self, i: u64, kind: Kind, county_code: &str) -> String {
        const SPACE: u64 = 100_000_000;
        // 48,271 is odd and not a multiple of 5, so i ↦ i·48271 + c is a bijection mod 10^8.
        let body = (i % SPACE * 48_271 + self.offset % SPACE) % SPACE;
        let body8 = format!("{body:08}");
        let org = format!(
            "{body8}{}",
            org_code_check_char(&body8).expect("eight digits")
        );
        let first17 = format!("9{}{county_code}{org}", kind.uscc_category());
        let check = uscc_check_char(&first17).expect("valid characters");
        format!("{first17}{check}")
    }

    fn person(&self, rng: &mut Rng) -> (String, bool) {
        let male = rng.chance(0.62);
        let surname = self.surnames[rng.skewed(self.surnames.len())];
        let given = if male { &self.male } else { &self.female };
        let mut name = String::from(surname);
        name.push(*rng.pick(given));
        if rng.chance(0.7) {
            name.push(*rng.pick(given));
        }
        (name, male)
    }

    /// A valid ID number: the county's code of the birth year (a retired code before the
    /// current one existed), the birth date, a sequence whose parity gives the sex, the
    /// ISO 7064 check character.
    fn id_number(&self, rng: &mut Rng, county: usize, birth: NaiveDate, male: bool) -> String {
        let c = &self.city.counties[county];
        let year = i64::from(birth.year());
        let code = if c.valid_from.is_none_or(|f| year >= f) {
            c.code.as_str()
        } else {
            c.former_codes
                .iter()
                .find(|(_, from, to)| from.is_none_or(|f| year >= f) && to.is_none_or(|t| year < t))
                .map_or(c.code.as_str(), |(code, _, _)| code.as_str())
        };
        let mut seq = rng.below(1000) as u32;
        if (seq % 2 == 1) != male {
            seq = (seq + 1) % 1000;
        }
        let first17 = format!("{code}{}{seq:03}", birth.format("%Y%m%d"));
        format!("{first17}{}", id_check_char(&first17))
    }

    fn trade_name(&self, rng: &mut Rng) -> String {
        let len = if rng.chance(0.78) { 2 } else { 3 };
        let mut t = String::new();
        while t.chars().count() < len {
            let c = *rng.pick(&self.trade);
            if !t.contains(c) {
                t.push(c);
            }
        }
        t
    }

    fn enterprise_type(&self, rng: &mut Rng, established: NaiveDate) -> EnterpriseType {
        use EnterpriseType as T;
        let old = established.year() < 2000;
        let table: &[(T, f64)] = &[
            (T::LlcNaturalPersonInvested, 44.0),
            (T::LlcNaturalPersonSole, 28.0),
            (T::LlcCorporateSole, 3.0),
            (T::LlcCorporateSoleNaturalPersonControlled, 2.0),
            (T::LlcStateControlled, 1.0),
            (T::LlcStateSole, 0.5),
            (T::LlcForeignInvested, 0.4),
            (T::LlcOther, 1.5),
            (T::JointStockUnlisted, 1.2),
            (T::SoleProprietorship, 8.0),
            (T::GeneralPartnership, 1.0),
            (T::LimitedPartnership, 1.2),
            (T::CollectiveEnterprise, if old { 12.0 } else { 0.5 }),
            (T::StateOwnedEnterprise, if old { 6.0 } else { 0.2 }),
        ];
        let mut cum = Vec::with_capacity(table.len());
        let mut acc = 0.0;
        for (_, w) in table {
            acc += w;
            cum.push(acc);
        }
        table[rng.weighted(&cum)].0
    }

    fn org_form(rng: &mut Rng, t: EnterpriseType) -> &'static str {
        use EnterpriseType as T;
        match t {
            T::JointStockUnlisted | T::JointStockListed | T::JointStockOther => "股份有限公司",
            T::SoleProprietorship => pick_str(rng, &["经营部", "厂", "店", "中心"]),
            T::GeneralPartnership => "合伙企业（普通合伙）",
            T::LimitedPartnership => "合伙企业（有限合伙）",
            T::CollectiveEnterprise => pick_str(rng, &["厂", "公司"]),
            T::StateOwnedEnterprise => "公司",
            _ => {
                if rng.chance(0.8) {
                    "有限公司"
                } else {
                    "有限责任公司"
                }
            }
        }
    }

    /// Entity `i` in full. Fails only if the generator made something the project's own
    /// checks refuse (a bug here, which the caller reports).
    pub fn entity(&self, i: u64) -> anyhow::Result<(Generated, HistoricEntity)> {
        let mut rng = Rng::keyed(self.plan.seed, STREAM_ENTITY, i);
        let life = self.life_with(&mut rng, i);
        let kind = life.kind;
        let est = life.established_on;
        let town = self.city.township(kind, rng.unit());
        let county = &self.city.counties[town.county];
        let uscc = self.uscc(i, kind, &county.code);

        let industry = &INDUSTRIES[rng.weighted(&self.industries[kind as usize])];
        let wording = *rng.pick(industry.wordings);
        let detailed = match kind {
            Kind::Enterprise => self.enterprise_type(&mut rng, est),
            Kind::Individual => EnterpriseType::IndividualBusiness,
            Kind::Cooperative => EnterpriseType::Cooperative,
        };
        let form = match kind {
            Kind::Enterprise => Self::org_form(&mut rng, detailed),
            Kind::Individual => *rng.pick(industry.shop_forms),
            Kind::Cooperative => "专业合作社",
        };
        let bracketed = kind == Kind::Enterprise && rng.chance(0.12);
        let prefix = if kind == Kind::Enterprise && rng.chance(0.3) {
            "荆门市"
        } else {
            county.name_division.as_str()
        };
        let division = DivisionCode::parse(&town.code)?;
        let lookups = Lookups {
            divisions: &self.city.divisions,
            pinyin: &NoPinyin,
            well_known: &[],
        };
        let mut name = String::new();
        for attempt in 0..20 {
            let trade = self.trade_name(&mut rng);
            name = if bracketed {
                let short = prefix.trim_end_matches(['市', '县']);
                format!("{trade}（{short}）{wording}{form}")
            } else {
                format!("{prefix}{trade}{wording}{form}")
            };
            let proposal = Proposal {
                name: name.clone(),
                entity_type: detailed,
                industry_code: Some(industry.code.to_owned()),
                division: division.clone(),
            };
            let verdict = name_check::check(&proposal, [], self.plan.as_of, &lookups);
            if verdict.verdict != Outcome::Reject {
                break;
            }
            anyhow::ensure!(
                attempt < 19,
                "演示名称生成失败：{name}（{:?}）",
                verdict.codes()
            );
        }

        let (legal_rep, male) = self.person(&mut rng);
        let age = match kind {
            Kind::Enterprise => 25 + rng.below(36) as i32,
            Kind::Individual => 20 + rng.below(41) as i32,
            Kind::Cooperative => 30 + rng.below(31) as i32,
        };
        let birth = {
            let y = est.year() - age;
            let from = day(y - 1, est.month(), 1) + Duration::days(1);
            day_between(&mut rng, from, day(y, est.month(), 1))
        };
        let id = self.id_number(&mut rng, town.county, birth, male);
        let phone = rng.chance(0.85).then(|| {
            let second = *rng.pick(&['3', '5', '7', '8', '9']);
            format!("1{second}{:09}", rng.below(1_000_000_000))
        });

        let (capital, subscribed, paid, deadline) = self.capital(&mut rng, kind, detailed, est);
        let authority = if kind == Kind::Enterprise
            && (capital >= 5_000 || matches!(detailed, EnterpriseType::JointStockUnlisted))
        {
            CITY_AUTHORITY
        } else {
            county.authority
        };
        let domicile = self.address(&mut rng, county, town);
        let scope = if est.year() >= 2021 {
            format!(
                "一般项目：{}（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
                industry.scope
            )
        } else {
            format!("{}。", industry.scope)
        };
        let wan = |v: i64| if v > 0 { v.to_string() } else { String::new() };
        let raw = RawItems {
            name,
            entity_type: detailed.label_zh().to_owned(),
            legal_rep,
            legal_rep_id_number: id.clone(),
            phone: phone.unwrap_or_default(),
            registered_capital: wan(capital),
            capital_currency: String::new(),
            subscribed_capital: wan(subscribed),
            paid_in_capital: wan(paid),
            contribution_deadline: deadline.map(|d| d.to_string()).unwrap_or_default(),
            established_on: est.to_string(),
            domicile,
            division_code: town.code.clone(),
            industry_code: industry.code.to_owned(),
            business_scope: scope,
            registration_authority: authority.to_owned(),
            parent_uscc: String::new(),
            additional_premises: Vec::new(),
            status: String::new(),
        };
        let (items, _) = self.known.check(&raw, self.plan.as_of).map_err(|e| {
            anyhow::anyhow!(
                "演示数据未通过登记事项校验：{} {}（{}）",
                e.column,
                e.reason,
                raw.name
            )
        })?;
        let historic = HistoricEntity {
            uscc: uscc.clone(),
            items,
            changes: life.history(),
            dormancies: life
                .dormancy
                .iter()
                .map(|d| (d.starts_on, d.last_day))
                .collect(),
        };
        Ok((
            Generated {
                index: i,
                uscc,
                life,
                raw,
                legal_rep_id: id,
            },
            historic,
        ))
    }

    /// Registered capital, subscribed and paid-in amounts (万元) and the contribution
    /// deadline: paid in full before the 2014 reform, subscribed with long deadlines from
    /// 2014 (which the 2023 Company Law check flags), within five years from 2024-07-01.
    fn capital(
        &self,
        rng: &mut Rng,
        kind: Kind,
        t: EnterpriseType,
        est: NaiveDate,
    ) -> (i64, i64, i64, Option<NaiveDate>) {
        const STEPS: [i64; 14] = [
            3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1_000, 2_000, 5_000, 10_000,
        ];
        const WEIGHTS: [f64; 14] = [
            2.0, 6.0, 12.0, 10.0, 10.0, 16.0, 18.0, 8.0, 6.0, 6.0, 3.0, 1.5, 0.8, 0.3,
        ];
        match kind {
            Kind::Individual => (0, 0, 0, None),
            Kind::Cooperative => {
                let c = [10, 20, 50, 100, 200, 300, 500][rng.below(7) as usize];
                (c, 0, 0, None)
            }
            Kind::Enterprise => {
                let mut cum = [0.0; 14];
                let mut acc = 0.0;
                for (k, w) in WEIGHTS.iter().enumerate() {
                    acc += w;
                    cum[k] = acc;
                }
                let mut c = STEPS[rng.weighted(&cum)];
                if matches!(
                    t,
                    EnterpriseType::JointStockUnlisted
                        | EnterpriseType::LlcStateSole
                        | EnterpriseType::StateOwnedEnterprise
                ) {
                    c *= 10;
                }
                if !t.is_company() {
                    return (c, 0, 0, None);
                }
                if est < day(2014, 3, 1) {
                    (c, c, c, None)
                } else if est < day(2024, 7, 1) {
                    let years = *rng.pick(&[5, 10, 20, 30]);
                    let deadline = day(est.year() + years, est.month(), 1);
                    let paid = if rng.chance(0.3) { c } else { 0 };
                    (c, c, paid, Some(deadline))
                } else {
                    let years = 1 + rng.below(5) as i32;
                    let deadline = day(est.year() + years, est.month(), 1) - Duration::days(1);
                    (c, c, 0, Some(deadline))
                }
            }
        }
    }

    fn address(
        &self,
        rng: &mut Rng,
        county: &super::city::County,
        town: &super::city::Township,
    ) -> String {
        let place = if town.urban || rng.chance(0.45) {
            format!("{}{}号", rng.pick(ROADS), 1 + rng.below(399))
        } else {
            let a = *rng.pick(&self.village_a);
            let b = *rng.pick(&self.village_b);
            format!("{a}{b}村{}组", 1 + rng.below(12))
        };
        format!("{}{}{place}", county.address_prefix, town.name)
    }
}
