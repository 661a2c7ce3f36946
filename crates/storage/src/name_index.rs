//! The name-check projection (企业名称自主申报 / 核名): every name that blocks an identical
//! 字号 — the names of live entities, and for one year the names freed by deregistration
//! (注销), cancellation (撤销登记) or a name change (the old name, from
//! `entity_version`) — in a [`shijian_domain::name_check::NameIndex`], so a check answers
//! as the applicant types.
//!
//! It lives inside [`crate::entity_index::EntityIndex`]: built with it at start-up and
//! kept current by the same follower of the event log (every entity event re-reads that
//! entity's names), so every server process sees a change within the follow interval.
//! Handlers reach it through `EntityIndex::names`.
//!
//! Layout: a large immutable *base* index built from the tables, plus a small *overlay*
//! of the entities changed since (their base entries are hidden). When the overlay grows
//! past [`OVERLAY_MAX`] entities, base and overlay are merged into a new base, built off
//! the lock and swapped in.
//!
//! Protection windows are computed against the store's clock: a name freed on day D
//! blocks through D + 1 year (民法典 Art 201: a period in years ends on the
//! corresponding day), as [`ExistingName::protected_until`] says. When the day of
//! deregistration is unknown (an entity imported already deregistered, whose only version
//! is the import), the name is kept without a date and the check asks the authority to
//! verify (`trade_name_identical_review`).
//!
//! Decisions:
//! - The registration area is the city (name-rules.md S2): every entity in the registry
//!   is compared, whatever the actor's jurisdiction; the names and credit codes shown are
//!   public (GSXT). The proposal's division must be one of this city's.
//! - Moved-out entities (迁出) are not compared, nor their former names.
//! - Well-known names (驰名商标, 有一定影响的名称) come from [`WELL_KNOWN`], a seed list until
//!   administrators keep one.

use crate::actor::authorize;
use crate::{Actor, RequestCtx, Result, Store, StoreError};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use shijian_domain::division::DivisionCode;
use shijian_domain::entity::{EnterpriseType, EntityStatus};
use shijian_domain::name_check::{
    self as nc, normalize_name, Divisions, ExistingName, Lookups, NameStatus, PinyinSource,
    Proposal, Rule, Severity, WellKnownName,
};
use shijian_domain::role::Permission;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// Entities in the overlay before it is merged into the base.
pub const OVERLAY_MAX: usize = 2_000;
/// More entities changed at once than this: rebuild from the tables instead of re-reading
/// each.
const REFRESH_MAX: usize = 5_000;
/// Rows per round trip while loading.
const CHUNK: i64 = 20_000;
/// Credit codes per `IN (…)` list.
const IN_LIST: usize = 500;
/// The longest name accepted (characters).
const NAME_MAX_CHARS: usize = 100;

/// Seed list of well-known marks and influential names (驰名商标, 有一定影响的企业名称或者
/// 字号). Warn only (反不正当竞争法 Art 6(2); 商标法 Art 58). Marks that are common words
/// or hide inside ordinary names are left out, since the check warns on any name
/// containing the mark.
pub const WELL_KNOWN: &[(&str, &str)] = &[
    ("中国石化", "中国石油化工集团有限公司的字号及注册商标"),
    ("中国石油", "中国石油天然气集团有限公司的字号及注册商标"),
    ("茅台", "中国贵州茅台酒厂（集团）有限责任公司的驰名商标"),
    ("五粮液", "宜宾五粮液股份有限公司的驰名商标"),
    ("华为", "华为技术有限公司的字号及驰名商标"),
    ("格力", "珠海格力电器股份有限公司的字号及驰名商标"),
    ("海尔", "海尔集团公司的字号及驰名商标"),
    ("娃哈哈", "杭州娃哈哈集团有限公司的字号及驰名商标"),
    ("阿里巴巴", "阿里巴巴集团的字号及注册商标"),
    ("腾讯", "深圳市腾讯计算机系统有限公司的字号及注册商标"),
];

// ---------------------------------------------------------------------------
// Pinyin
// ---------------------------------------------------------------------------

/// First and last code point with readings in the table (CJK extension A and the basic
/// block).
const PINYIN_START: u32 = 0x3400;
const PINYIN_END: u32 = 0x9FFF;

/// Toneless readings (`hao`; every reading of a polyphonic character: 行 → `xing`,
/// `hang`) from the `pinyin` crate's table, for the same-pinyin rule. Built once.
pub struct PinyinReadings {
    table: Vec<Box<[&'static str]>>,
}

impl PinyinReadings {
    /// The process-wide table.
    #[must_use]
    pub fn shared() -> &'static Self {
        static TABLE: OnceLock<PinyinReadings> = OnceLock::new();
        TABLE.get_or_init(|| {
            use pinyin::ToPinyinMulti;
            let table = (PINYIN_START..=PINYIN_END)
                .map(|u| {
                    let mut readings: Vec<&'static str> = Vec::new();
                    if let Some(multi) = char::from_u32(u).and_then(|c| c.to_pinyin_multi()) {
                        for p in multi {
                            let plain = p.plain();
                            if !readings.contains(&plain) {
                                readings.push(plain);
                            }
                        }
                    }
                    readings.into_boxed_slice()
                })
                .collect();
            PinyinReadings { table }
        })
    }
}

impl PinyinSource for PinyinReadings {
    fn readings(&self, c: char) -> &[&str] {
        let u = u32::from(c);
        if (PINYIN_START..=PINYIN_END).contains(&u) {
            &self.table[(u - PINYIN_START) as usize]
        } else {
            &[]
        }
    }
}

// ---------------------------------------------------------------------------
// Request and answer
// ---------------------------------------------------------------------------

/// A name to check.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameCheckRequest {
    /// 拟申报的企业名称（如“荆门市好味道餐饮管理有限公司”）。
    pub name: String,
    /// 企业住所所在的行政区划代码（本市的市、县（市、区）或乡镇（街道），如 420802）。
    pub division_code: String,
    /// 主营行业的国民经济行业分类代码（GB/T 4754-2017 大类、中类或小类，可带门类字母，如
    /// 5610 或 H5610）。未选择时不能判断是否同行业，字号相同只作提示。
    #[serde(default)]
    pub industry_code: Option<String>,
    /// 企业类型代码（如 llc_other、individual_business，见企业类型列表）。
    pub enterprise_type: String,
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NameVerdict {
    /// 未发现问题。
    Ok,
    /// 只有风险提示：申请人确认知悉并承诺后可以继续申报。
    Warn,
    /// 至少有一项不符合规定，不能申报。
    Reject,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NameSeverity {
    /// 不符合规定（企业名称登记管理规定、实施办法及其援引的法律），不能申报。
    Reject,
    /// 风险提示（2017年禁限用及比对规则、申报指引或依据待核实的规则），申请人须确认。
    Warn,
}

/// The parts the name was split into (规定 Art 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameParts {
    /// 规范化后的名称（去掉空白，括号改为全角）。
    pub name: String,
    /// 行政区划名称（冠于名称前，或加括号置于字号之后）。
    pub division: Option<String>,
    /// 行政区划是否加括号置于字号之后。
    pub division_bracketed: bool,
    /// 字号。
    pub trade_name: String,
    /// 行业或者经营特点。
    pub industry_wording: String,
    /// 组织形式（如“有限公司”）。
    pub organisational_form: Option<String>,
    /// “集团”或“（集团）”。
    pub group: Option<String>,
    /// 分支机构用语（分公司、分店等）。
    pub branch: Option<String>,
}

/// An existing name a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameConflict {
    /// 已有的企业名称（或知名商标、名称）。
    pub name: String,
    /// 其字号。
    pub trade_name: String,
    /// 该市场主体的统一社会信用代码；知名商标为空。
    pub uscc: Option<String>,
    /// 名称状态：`in_use`（在用，含吊销未注销）、`reserved`、`changed`（已变更的原名称）、
    /// `deregistered`（已注销）、`cancelled`（已撤销登记）或 `well_known`（知名商标、名称）。
    pub status: String,
    /// 受保护的最后一天（注销、撤销或变更之日起一年）。
    pub protected_until: Option<NaiveDate>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameReason {
    /// 规则代码（稳定，如 `restricted_prefix`、`trade_name_identical`）。
    pub code: String,
    pub severity: NameSeverity,
    /// 规则的中文名称。
    pub rule: String,
    /// 依据（法规及条款，或词表的来源）。
    pub source: String,
    /// 给申请人的中文说明：问题是什么、怎么办。
    pub message: String,
    /// 规则或其依据待核实，因此只作风险提示。
    pub unconfirmed: bool,
    /// 涉及的已有名称。
    pub conflicts: Vec<NameConflict>,
}

/// The answer of a name check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameCheck {
    pub verdict: NameVerdict,
    pub parts: NameParts,
    /// 每一项发现：先列不能申报的，再列风险提示。
    pub reasons: Vec<NameReason>,
    /// 超出列举上限而未列出的近似名称数。
    pub similar_omitted: usize,
    /// 核查所依据的日期（保护期按此计算）。
    pub checked_on: NaiveDate,
}

/// Size and build time of the index, for logs and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameIndexStats {
    /// Names in the base index.
    pub base_names: usize,
    /// Lookup keys of the base index.
    pub base_keys: usize,
    /// Entities in the overlay.
    pub overlay_entities: usize,
    /// Names in the overlay.
    pub overlay_names: usize,
    /// How long the last full build took (loading, parsing, indexing).
    pub last_build: Duration,
}

// ---------------------------------------------------------------------------
// The projection
// ---------------------------------------------------------------------------

/// Reference data the check needs, loaded once (it arrives by migration only).
struct Reference {
    divisions: Divisions,
    /// This city's division codes.
    division_codes: HashSet<String>,
    /// Industry codes (division, group, class) and their section letter.
    industries: HashMap<String, String>,
    well_known: Vec<WellKnownName>,
}

struct Part {
    index: nc::NameIndex,
    /// The credit code of each entry, in the index's order.
    usccs: Vec<Box<str>>,
}

impl Part {
    fn empty() -> Self {
        Self {
            index: nc::NameIndex::default(),
            usccs: Vec::new(),
        }
    }

    fn build(rows: Vec<(Box<str>, ExistingName)>) -> Self {
        let (usccs, names): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        Self {
            index: nc::NameIndex::build(names, PinyinReadings::shared()),
            usccs,
        }
    }

    /// The candidates for `trade_name` with their credit codes.
    fn candidates<'a>(
        &'a self,
        trade_name: &str,
    ) -> impl Iterator<Item = (&'a ExistingName, &'a str)> {
        let entries = self.index.entries();
        let start = entries.as_ptr() as usize;
        let size = std::mem::size_of::<ExistingName>().max(1);
        self.index
            .candidates(trade_name, PinyinReadings::shared())
            .into_iter()
            .map(move |e| {
                // `candidates` returns references into `entries()`: the offset is the id.
                let id = (std::ptr::from_ref(e) as usize - start) / size;
                (e, &*self.usccs[id])
            })
    }
}

struct State {
    base: Part,
    /// Entities whose base entries are superseded by the overlay.
    hidden: HashSet<Box<str>>,
    /// The current names of the entities changed since the base was built.
    overlay: HashMap<Box<str>, Vec<ExistingName>>,
    over: Part,
    last_build: Duration,
}

/// The name-check projection of one process; see the module documentation.
pub struct NameIndex {
    reference: Arc<Reference>,
    state: RwLock<State>,
    /// Serialises the writers (rebuild, refresh): the last re-read of an entity wins.
    writer: tokio::sync::Mutex<()>,
}

/// One entity's row with the day of its latest version (when it has more than one).
#[derive(Debug, sqlx::FromRow)]
struct CurrentRow {
    uscc: String,
    name: String,
    industry_code: String,
    status: String,
    version: i64,
    effective_on: Option<String>,
}

const CURRENT_SQL: &str = "SELECT e.uscc, e.name, e.industry_code, e.status, e.version, \
    v.effective_on FROM entity e LEFT JOIN entity_version v \
    ON v.uscc = e.uscc AND v.version = e.version AND e.version > 1";

#[derive(Debug, sqlx::FromRow)]
struct VersionRow {
    uscc: String,
    version: i64,
    effective_on: String,
    snapshot: String,
}

/// What a version's snapshot tells about the name.
#[derive(Debug, Deserialize)]
struct Snapshot {
    name: String,
    #[serde(default)]
    industry_code: String,
    #[serde(default)]
    status: String,
}

struct Version {
    version: i64,
    effective_on: Option<NaiveDate>,
    snap: Snapshot,
}

fn date(s: &str) -> Option<NaiveDate> {
    s.get(..10)?.parse().ok()
}

/// The last day of the year of protection that starts on `day`.
fn protected_until(day: NaiveDate) -> NaiveDate {
    day.checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX)
}

fn existing(
    divisions: &Divisions,
    name: &str,
    industry_code: &str,
    status: NameStatus,
    protected_until: Option<NaiveDate>,
) -> ExistingName {
    let trade_name = nc::parse(name, divisions).trade_name;
    ExistingName {
        name: name.to_owned(),
        trade_name,
        industry_code: Some(industry_code.trim().to_owned()).filter(|s| !s.is_empty()),
        division: None,
        status,
        protected_until,
    }
}

/// The names of one entity that still block on `today`: its own (live, or freed within a
/// year) and its former names changed away from within a year.
fn names_of(
    divisions: &Divisions,
    row: &CurrentRow,
    history: Option<&[Version]>,
    today: NaiveDate,
) -> Vec<ExistingName> {
    let Some(status) = EntityStatus::from_code(&row.status) else {
        return Vec::new();
    };
    let status = NameStatus::from(status);
    let mut out = Vec::new();
    match status {
        NameStatus::MovedOut => return out,
        NameStatus::InUse | NameStatus::Reserved => {
            out.push(existing(
                divisions,
                &row.name,
                &row.industry_code,
                status,
                None,
            ));
        }
        NameStatus::Deregistered | NameStatus::Cancelled | NameStatus::Changed => {
            // The day the final status took effect: the first version of the last run of
            // versions with this status. Unknown when that run starts with version 1 (an
            // entity imported or moved in already in this status).
            let freed = match history {
                Some(versions) => {
                    let start = versions
                        .iter()
                        .rev()
                        .take_while(|v| v.snap.status == row.status)
                        .last();
                    match start {
                        Some(v) if v.version > 1 => {
                            v.effective_on.map_or(Freed::Unknown, Freed::On)
                        }
                        _ => Freed::Unknown,
                    }
                }
                None if row.version == 1 => Freed::Unknown,
                // Several versions but no history read: the latest is over a year old.
                None => Freed::Expired,
            };
            let until = match freed {
                Freed::Unknown => Some(None),
                Freed::On(day) if protected_until(day) >= today => Some(Some(protected_until(day))),
                Freed::On(_) | Freed::Expired => None,
            };
            if let Some(until) = until {
                out.push(existing(
                    divisions,
                    &row.name,
                    &row.industry_code,
                    status,
                    until,
                ));
            }
        }
    }
    if let Some(versions) = history {
        let current = normalize_name(&row.name);
        let mut seen: HashSet<String> = HashSet::new();
        for pair in versions.windows(2) {
            let (old, new) = (&pair[0], &pair[1]);
            let old_name = normalize_name(&old.snap.name);
            if old_name == normalize_name(&new.snap.name) || old_name == current {
                continue;
            }
            let Some(day) = new.effective_on else {
                continue;
            };
            let until = protected_until(day);
            if until < today {
                continue;
            }
            // A name changed away from twice keeps the later protection (versions are in
            // order: the later pair comes last and replaces the earlier).
            if !seen.insert(old_name.clone()) {
                out.retain(|e: &ExistingName| {
                    e.status != NameStatus::Changed || normalize_name(&e.name) != old_name
                });
            }
            out.push(existing(
                divisions,
                &old.snap.name,
                &old.snap.industry_code,
                NameStatus::Changed,
                Some(until),
            ));
        }
    }
    out.retain(|e| e.trade_name.chars().count() >= 2);
    out
}

/// When a name was freed.
enum Freed {
    On(NaiveDate),
    Unknown,
    Expired,
}

/// Whether an entity's versions must be read: it has several, and the latest took effect
/// within the last year (else neither its status change nor a name change still
/// protects anything).
fn needs_history(row: &CurrentRow, cutoff: NaiveDate) -> bool {
    row.version > 1
        && row
            .effective_on
            .as_deref()
            .and_then(date)
            .is_some_and(|d| d >= cutoff)
}

/// The first day whose changes can still protect a name on `today` (with a margin; the
/// exact window is `protected_until`).
fn cutoff(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(13))
        .unwrap_or(NaiveDate::MIN)
}

async fn load_versions(store: &Store, usccs: &[&str]) -> Result<HashMap<String, Vec<Version>>> {
    let mut out: HashMap<String, Vec<Version>> = HashMap::new();
    for chunk in usccs.chunks(IN_LIST) {
        let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT uscc, version, effective_on, snapshot FROM entity_version \
             WHERE uscc IN ({}) ORDER BY uscc, version",
            params.join(", ")
        );
        let rows = on_pool!(store, c => {
            let mut q = sqlx::query_as::<_, VersionRow>(&sql);
            for u in chunk {
                q = q.bind(*u);
            }
            q.fetch_all(c).await
        })?;
        for r in rows {
            let snap: Snapshot = serde_json::from_str(&r.snapshot).map_err(anyhow::Error::from)?;
            out.entry(r.uscc).or_default().push(Version {
                version: r.version,
                effective_on: date(&r.effective_on),
                snap,
            });
        }
    }
    Ok(out)
}

/// The blocking names of `rows`, reading the versions of those that need it.
async fn names_of_rows(
    store: &Store,
    reference: &Arc<Reference>,
    rows: Vec<CurrentRow>,
    today: NaiveDate,
) -> Result<Vec<(Box<str>, ExistingName)>> {
    let cut = cutoff(today);
    let wanted: Vec<&str> = rows
        .iter()
        .filter(|r| needs_history(r, cut))
        .map(|r| r.uscc.as_str())
        .collect();
    let history = load_versions(store, &wanted).await?;
    let reference = Arc::clone(reference);
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let h = history.get(&row.uscc).map(Vec::as_slice);
            let h = if needs_history(row, cut) { h } else { None };
            let uscc: Box<str> = row.uscc.as_str().into();
            for e in names_of(&reference.divisions, row, h, today) {
                out.push((uscc.clone(), e));
            }
        }
        out
    })
    .await
    .map_err(|e| StoreError::Other(anyhow::anyhow!("name index load failed: {e}")))
}

impl NameIndex {
    /// An empty index with the reference data loaded; [`NameIndex::rebuild`] fills it.
    pub async fn new(store: &Store) -> Result<Self> {
        #[derive(sqlx::FromRow)]
        struct DivisionRow {
            code: String,
            name: String,
            level: String,
        }
        #[derive(sqlx::FromRow)]
        struct IndustryRow {
            code: String,
            level: String,
            section: String,
        }
        let divisions: Vec<DivisionRow> = on_pool!(store, c => sqlx::query_as(
            "SELECT code, name, level FROM division ORDER BY code").fetch_all(c).await)?;
        let industries: Vec<IndustryRow> = on_pool!(store, c => sqlx::query_as(
            "SELECT code, level, section FROM industry").fetch_all(c).await)?;
        let mut parse_divisions = Divisions::new();
        let mut division_codes = HashSet::new();
        for d in &divisions {
            if d.level != "township" {
                parse_divisions.insert(&d.name, DivisionCode::parse(&d.code).ok());
            }
            if d.code.starts_with("4208") {
                division_codes.insert(d.code.clone());
            }
        }
        let industries = industries
            .into_iter()
            .filter(|i| i.level != "section")
            .map(|i| (i.code, i.section))
            .collect();
        let well_known = WELL_KNOWN
            .iter()
            .map(|(name, note)| WellKnownName {
                name: (*name).to_owned(),
                note: (*note).to_owned(),
            })
            .collect();
        Ok(Self {
            reference: Arc::new(Reference {
                divisions: parse_divisions,
                division_codes,
                industries,
                well_known,
            }),
            state: RwLock::new(State {
                base: Part::empty(),
                hidden: HashSet::new(),
                overlay: HashMap::new(),
                over: Part::empty(),
                last_build: Duration::ZERO,
            }),
            writer: tokio::sync::Mutex::new(()),
        })
    }

    /// Rebuilds the whole index from the tables (at start-up and on `search.reindex`).
    /// The caller reads the event log head first and follows it afterwards.
    pub async fn rebuild(&self, store: &Store) -> Result<()> {
        let _writer = self.writer.lock().await;
        self.rebuild_locked(store).await
    }

    async fn rebuild_locked(&self, store: &Store) -> Result<()> {
        let started = Instant::now();
        let today = store.clock().today();
        let sql = format!("{CURRENT_SQL} WHERE e.uscc > $1 ORDER BY e.uscc LIMIT {CHUNK}");
        let mut after = String::new();
        let mut names = Vec::new();
        loop {
            let rows: Vec<CurrentRow> = on_pool!(store, c => sqlx::query_as(&sql)
                .bind(&after).fetch_all(c).await)?;
            let full = rows.len() as i64 == CHUNK;
            if let Some(last) = rows.last() {
                after.clone_from(&last.uscc);
            }
            names.extend(names_of_rows(store, &self.reference, rows, today).await?);
            if !full {
                break;
            }
        }
        let base = tokio::task::spawn_blocking(move || Part::build(names))
            .await
            .map_err(|e| StoreError::Other(anyhow::anyhow!("name index build failed: {e}")))?;
        let elapsed = started.elapsed();
        tracing::info!(
            names = base.usccs.len(),
            keys = base.index.key_count(),
            ms = elapsed.as_millis() as u64,
            "name index built"
        );
        let mut state = self.state.write().expect("name index lock");
        *state = State {
            base,
            hidden: HashSet::new(),
            overlay: HashMap::new(),
            over: Part::empty(),
            last_build: elapsed,
        };
        Ok(())
    }

    /// Re-reads the names of `usccs` (entities an event touched) and puts them in the
    /// overlay; merges the overlay into the base when it is large.
    pub async fn refresh(&self, store: &Store, usccs: &[&str]) -> Result<()> {
        if usccs.is_empty() {
            return Ok(());
        }
        let _writer = self.writer.lock().await;
        if usccs.len() > REFRESH_MAX {
            return self.rebuild_locked(store).await;
        }
        let today = store.clock().today();
        let mut rows = Vec::new();
        for chunk in usccs.chunks(IN_LIST) {
            let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("{CURRENT_SQL} WHERE e.uscc IN ({})", params.join(", "));
            let found: Vec<CurrentRow> = on_pool!(store, c => {
                let mut q = sqlx::query_as::<_, CurrentRow>(&sql);
                for u in chunk {
                    q = q.bind(*u);
                }
                q.fetch_all(c).await
            })?;
            rows.extend(found);
        }
        let names = names_of_rows(store, &self.reference, rows, today).await?;
        let mut fresh: HashMap<Box<str>, Vec<ExistingName>> =
            usccs.iter().map(|u| ((*u).into(), Vec::new())).collect();
        for (uscc, e) in names {
            fresh.entry(uscc).or_default().push(e);
        }
        let merge = {
            let mut state = self.state.write().expect("name index lock");
            for (uscc, entries) in fresh {
                state.hidden.insert(uscc.clone());
                state.overlay.insert(uscc, entries);
            }
            let rows: Vec<(Box<str>, ExistingName)> = state
                .overlay
                .iter()
                .flat_map(|(u, es)| es.iter().map(move |e| (u.clone(), e.clone())))
                .collect();
            state.over = Part::build(rows);
            state.overlay.len() > OVERLAY_MAX
        };
        if merge {
            self.merge().await?;
        }
        Ok(())
    }

    /// Builds a new base from the base and the overlay, off the lock, and swaps it in.
    /// Only called with the writer lock held, so nothing changes meanwhile.
    async fn merge(&self) -> Result<()> {
        let started = Instant::now();
        let rows: Vec<(Box<str>, ExistingName)> = {
            let state = self.state.read().expect("name index lock");
            let base = state
                .base
                .index
                .entries()
                .iter()
                .zip(&state.base.usccs)
                .filter(|(_, u)| !state.hidden.contains(*u))
                .map(|(e, u)| (u.clone(), e.clone()));
            let over = state
                .overlay
                .iter()
                .flat_map(|(u, es)| es.iter().map(move |e| (u.clone(), e.clone())));
            base.chain(over).collect()
        };
        let base = tokio::task::spawn_blocking(move || Part::build(rows))
            .await
            .map_err(|e| StoreError::Other(anyhow::anyhow!("name index merge failed: {e}")))?;
        let mut state = self.state.write().expect("name index lock");
        state.base = base;
        state.hidden.clear();
        state.overlay.clear();
        state.over = Part::empty();
        tracing::info!(
            names = state.base.usccs.len(),
            ms = started.elapsed().as_millis() as u64,
            "name index overlay merged"
        );
        Ok(())
    }

    /// Size and build time.
    #[must_use]
    pub fn stats(&self) -> NameIndexStats {
        let state = self.state.read().expect("name index lock");
        NameIndexStats {
            base_names: state.base.usccs.len(),
            base_keys: state.base.index.key_count(),
            overlay_entities: state.overlay.len(),
            overlay_names: state.over.usccs.len(),
            last_build: state.last_build,
        }
    }

    /// Checks a proposed name for `actor` (permission to read entities). A check is a
    /// read: nothing is recorded. Bad input is [`StoreError::Invalid`] with a code
    /// (`name_empty`, `name_too_long`, `division_unknown`, `industry_unknown`,
    /// `enterprise_type_unknown`).
    pub async fn check(
        &self,
        store: &Store,
        actor: &Actor,
        ctx: &RequestCtx,
        req: &NameCheckRequest,
    ) -> Result<NameCheck> {
        authorize(store, actor, ctx, Permission::ReadEntities, "name_check").await?;
        let proposal = self.proposal(req)?;
        Ok(self.check_proposal(&proposal, store.clock().today()))
    }

    /// The proposal of a request, or why it is not one.
    pub fn proposal(&self, req: &NameCheckRequest) -> Result<Proposal> {
        let name = req.name.trim();
        if name.is_empty() {
            return Err(StoreError::invalid("name_empty", "请输入拟申报的企业名称"));
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(StoreError::invalid(
                "name_too_long",
                format!("企业名称不能超过 {NAME_MAX_CHARS} 个字"),
            ));
        }
        let code = req.division_code.trim();
        let division = DivisionCode::parse(code)
            .ok()
            .filter(|_| self.reference.division_codes.contains(code))
            .ok_or_else(|| {
                StoreError::invalid(
                    "division_unknown",
                    format!("行政区划代码“{code}”不是本市的行政区划，请选择企业住所所在地"),
                )
            })?;
        let industry_code = match req.industry_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(self.industry(code)?),
        };
        let entity_type =
            EnterpriseType::from_code(req.enterprise_type.trim()).ok_or_else(|| {
                StoreError::invalid(
                    "enterprise_type_unknown",
                    format!(
                        "企业类型“{}”无效，请从企业类型列表中选择",
                        req.enterprise_type.trim()
                    ),
                )
            })?;
        Ok(Proposal {
            name: name.to_owned(),
            entity_type,
            industry_code,
            division,
        })
    }

    /// A known industry code (division, group or class; with or without its section
    /// letter), as digits.
    fn industry(&self, code: &str) -> Result<String> {
        let unknown = || {
            StoreError::invalid(
                "industry_unknown",
                format!("行业代码“{code}”不是国民经济行业分类（GB/T 4754-2017）的大类、中类或小类"),
            )
        };
        let upper = code.to_ascii_uppercase();
        let (letter, digits) = match upper.strip_prefix(|c: char| c.is_ascii_uppercase()) {
            Some(rest) => (Some(&upper[..1]), rest),
            None => (None, upper.as_str()),
        };
        let section = self.reference.industries.get(digits).ok_or_else(unknown)?;
        if letter.is_some_and(|l| l != section) {
            return Err(unknown());
        }
        Ok(digits.to_owned())
    }

    /// Checks a valid proposal on `today` (no permission check: for callers that did it,
    /// and for benchmarks).
    #[must_use]
    pub fn check_proposal(&self, proposal: &Proposal, today: NaiveDate) -> NameCheck {
        let reference = &*self.reference;
        let lookups = Lookups {
            divisions: &reference.divisions,
            pinyin: PinyinReadings::shared(),
            well_known: &reference.well_known,
        };
        let trade_name = nc::parse(&proposal.name, &reference.divisions).trade_name;
        let state = self.state.read().expect("name index lock");
        let candidates: Vec<(&ExistingName, &str)> = state
            .base
            .candidates(&trade_name)
            .filter(|(_, u)| !state.hidden.contains(*u))
            .chain(state.over.candidates(&trade_name))
            .collect();
        let verdict = nc::check(
            proposal,
            candidates.iter().map(|(e, _)| *e),
            today,
            &lookups,
        );
        let reasons = verdict
            .reasons
            .iter()
            .map(|r| {
                let conflicts = match &r.conflict {
                    None => Vec::new(),
                    Some(c) if r.code == Rule::WellKnownName => vec![NameConflict {
                        name: c.name.clone(),
                        trade_name: c.trade_name.clone(),
                        uscc: None,
                        status: "well_known".to_owned(),
                        protected_until: None,
                    }],
                    Some(c) => {
                        let mut found: Vec<NameConflict> = candidates
                            .iter()
                            .filter(|(e, _)| e.name == c.name)
                            .map(|(e, u)| NameConflict {
                                name: e.name.clone(),
                                trade_name: c.trade_name.clone(),
                                uscc: Some((*u).to_owned()),
                                status: name_status_code(e.status).to_owned(),
                                protected_until: e.protected_until,
                            })
                            .collect();
                        found.dedup_by(|a, b| a.uscc == b.uscc && a.status == b.status);
                        found
                    }
                };
                NameReason {
                    code: r.code().to_owned(),
                    severity: match r.severity {
                        Severity::Reject => NameSeverity::Reject,
                        Severity::Warn => NameSeverity::Warn,
                    },
                    rule: r.rule.to_owned(),
                    source: r.source.clone(),
                    message: r.message.clone(),
                    unconfirmed: r.unconfirmed,
                    conflicts,
                }
            })
            .collect();
        drop(state);
        let p = verdict.parsed;
        NameCheck {
            verdict: match verdict.verdict {
                nc::Outcome::Ok => NameVerdict::Ok,
                nc::Outcome::Warn => NameVerdict::Warn,
                nc::Outcome::Reject => NameVerdict::Reject,
            },
            parts: NameParts {
                name: p.name,
                division: p.division,
                division_bracketed: p.division_bracketed,
                trade_name: p.trade_name,
                industry_wording: p.industry_wording,
                organisational_form: p.org_form,
                group: p.group,
                branch: p.branch.map(|b| b.suffix),
            },
            reasons,
            similar_omitted: verdict.similar_omitted,
            checked_on: today,
        }
    }
}

/// The API code of a name's standing.
#[must_use]
pub fn name_status_code(status: NameStatus) -> &'static str {
    match status {
        NameStatus::InUse => "in_use",
        NameStatus::Reserved => "reserved",
        NameStatus::Changed => "changed",
        NameStatus::Deregistered => "deregistered",
        NameStatus::Cancelled => "cancelled",
        NameStatus::MovedOut => "moved_out",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_cover_polyphonic_characters() {
        let py = PinyinReadings::shared();
        assert_eq!(py.readings('好'), ["hao"]);
        let xing = py.readings('行');
        assert!(xing.contains(&"xing") && xing.contains(&"hang"), "{xing:?}");
        assert!(py.readings('a').is_empty());
        // 郝维稻 reads like 好味道 only in part; 郝 and 好 share hao.
        assert!(py
            .readings('郝')
            .iter()
            .any(|r| py.readings('好').contains(r)));
    }

    fn row(status: &str, version: i64, effective_on: Option<&str>) -> CurrentRow {
        CurrentRow {
            uscc: "X".into(),
            name: "荆门市好味道餐饮有限公司".into(),
            industry_code: "5610".into(),
            status: status.into(),
            version,
            effective_on: effective_on.map(str::to_owned),
        }
    }

    fn version(v: i64, on: &str, name: &str, status: &str) -> Version {
        Version {
            version: v,
            effective_on: date(on),
            snap: Snapshot {
                name: name.into(),
                industry_code: "5610".into(),
                status: status.into(),
            },
        }
    }

    fn divisions() -> Divisions {
        Divisions::from_rows([("荆门市", DivisionCode::parse("420800").ok())])
    }

    #[test]
    fn deregistered_names_are_protected_for_a_year() {
        let d = divisions();
        let today = date("2026-06-15").unwrap();
        let r = row("deregistered", 2, Some("2026-03-01"));
        let h = [
            version(1, "2020-01-05", &r.name, "active"),
            version(2, "2026-03-01", &r.name, "deregistered"),
        ];
        let names = names_of(&d, &r, Some(&h), today);
        assert_eq!(names.len(), 1);
        assert_eq!(names[0].trade_name, "好味道");
        assert_eq!(names[0].status, NameStatus::Deregistered);
        assert_eq!(names[0].protected_until, date("2027-03-01"));
        // After the year: gone.
        assert!(names_of(&d, &r, Some(&h), date("2027-03-02").unwrap()).is_empty());
        // Imported already deregistered: the day is unknown.
        let r1 = row("deregistered", 1, None);
        let names = names_of(&d, &r1, None, today);
        assert_eq!(names[0].protected_until, None);
        // Moved out: not compared.
        assert!(names_of(&d, &row("moved_out", 1, None), None, today).is_empty());
    }

    #[test]
    fn former_names_are_protected_from_the_change() {
        let d = divisions();
        let today = date("2026-06-15").unwrap();
        let mut r = row("active", 3, Some("2026-05-01"));
        r.name = "荆门市新名字餐饮有限公司".into();
        let h = [
            version(1, "2020-01-05", "荆门市老字号餐饮有限公司", "active"),
            version(2, "2025-06-20", "荆门市中间名餐饮有限公司", "active"),
            version(3, "2026-05-01", "荆门市新名字餐饮有限公司", "active"),
        ];
        let names = names_of(&d, &r, Some(&h), today);
        let trades: Vec<(&str, NameStatus, Option<NaiveDate>)> = names
            .iter()
            .map(|e| (e.trade_name.as_str(), e.status, e.protected_until))
            .collect();
        assert_eq!(
            trades,
            [
                ("新名字", NameStatus::InUse, None),
                ("老字号", NameStatus::Changed, date("2026-06-20")),
                ("中间名", NameStatus::Changed, date("2027-05-01")),
            ]
        );
    }
}
