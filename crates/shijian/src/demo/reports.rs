//! Demo section: annual reports and the abnormal operations list.
//!
//! For the two report years before the as-of date, every entity that had to report and
//! still operates files its report on a day of the filing window (most late in the
//! window, as in life), except a plausible share that does not: about 8 % of enterprises,
//! 20 % of farmers' cooperatives and 15 % of individual businesses. The reports go in
//! through `annual_reports::insert_history`; then the real job `annual_report_listing`
//! runs on 1 July after the last closed window, so the non-filers of the last closed year are on the list
//! with their numbered decision documents, exactly as production would have them. The
//! year whose window is still open is left to the server's job.

use super::entities::{Generator, Plan};
use super::rng::Rng;
use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use shijian_domain::entity::{transition, EntityStatus};
use shijian_storage::annual_reports::{
    insert_history, Contact, Finance, HistoricReport, ReportContent,
};
use shijian_storage::jobs::{self, JobContext};
use shijian_storage::Store;

/// Stream 1 of the ChaCha8 key space: annual reports.
const STREAM_REPORTS: u32 = 1;

/// Share of each kind that files (enterprise, individual business, cooperative).
fn filing_share(kind: super::city::Kind) -> f64 {
    match kind {
        super::city::Kind::Enterprise => 0.92,
        super::city::Kind::Individual => 0.85,
        super::city::Kind::Cooperative => 0.80,
    }
}

/// Whether the entity still operates on `on` (its lifecycle changes up to that day leave
/// it active or dormant).
fn operating_on(changes: &[(shijian_domain::entity::Action, NaiveDate)], on: NaiveDate) -> bool {
    let mut status = EntityStatus::Active;
    for (action, day) in changes {
        if *day > on {
            break;
        }
        if let Ok(s) = transition(Some(status), *action) {
            status = s;
        }
    }
    matches!(status, EntityStatus::Active | EntityStatus::Dormant)
}

/// The reports entity `i` files, in report-year order.
fn reports_of(generator: &Generator, i: u64) -> anyhow::Result<Vec<HistoricReport>> {
    let plan = generator.plan;
    let (g, _) = generator.entity(i)?;
    let mut rng = Rng::keyed(plan.seed, STREAM_REPORTS, i);
    let mut out = Vec::new();
    for year in (plan.as_of.year() - 2)..plan.as_of.year() {
        let window_start = NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("valid date");
        let window_end = NaiveDate::from_ymd_opt(year + 1, 6, 30).expect("valid date");
        let last = window_end.min(plan.as_of);
        let files = rng.chance(filing_share(g.life.kind));
        if g.life.established_on.year() > year
            || last < window_start
            || !operating_on(&g.life.changes, last)
            || !files
        {
            continue;
        }
        // Half file in the last month of the window.
        let span = (last - window_start).num_days().max(0);
        let offset = if rng.chance(0.5) && span > 30 {
            span - 30 + i64::try_from(rng.below(31)).unwrap_or(0)
        } else {
            i64::try_from(rng.below(u64::try_from(span + 1).unwrap_or(1))).unwrap_or(0)
        };
        let filed_on = window_start + chrono::Duration::days(offset);
        let enterprise = g.life.kind != super::city::Kind::Individual;
        let employees = if enterprise {
            1 + i64::try_from(rng.skewed(200)).unwrap_or(0)
        } else {
            1 + i64::try_from(rng.below(5)).unwrap_or(0)
        };
        let revenue = i64::try_from(rng.below(50_000_000) * 100).unwrap_or(0) * employees / 10;
        let content = ReportContent {
            contact: Contact {
                address: g.raw.domicile.clone(),
                postcode: "448000".to_owned(),
                phone: g.raw.phone.clone(),
                email: String::new(),
            },
            operating_status: "开业".to_owned(),
            employees: Some(employees),
            finance: enterprise.then(|| Finance {
                revenue_fen: revenue,
                main_business_revenue_fen: revenue / 10 * 9,
                total_assets_fen: revenue / 2,
                total_liabilities_fen: revenue / 5,
                owners_equity_fen: revenue / 2 - revenue / 5,
                total_profit_fen: revenue / 20,
                net_profit_fen: revenue / 25,
                tax_paid_fen: revenue / 50,
                guarantees_fen: 0,
            }),
            ..ReportContent::default()
        };
        let publish = if enterprise {
            if rng.chance(0.3) {
                vec!["employees".to_owned(), "finance".to_owned()]
            } else {
                Vec::new()
            }
        } else {
            vec!["operating_status".to_owned(), "employees".to_owned()]
        };
        out.push(HistoricReport {
            uscc: g.uscc.clone(),
            report_year: year,
            filed_on,
            content,
            publish,
        });
    }
    Ok(out)
}

/// The annual-report section.
pub(super) struct Reports;

impl super::PerEntity for Reports {
    type Record = HistoricReport;
    const LABEL: &'static str = "年度报告";

    fn records(generator: &Generator, i: u64) -> anyhow::Result<Vec<HistoricReport>> {
        reports_of(generator, i)
    }

    fn write(
        tx: &mut shijian_storage::WriteTx<'_>,
        records: &[HistoricReport],
    ) -> impl std::future::Future<Output = shijian_storage::Result<usize>> + Send {
        insert_history(tx, records)
    }
}

/// Writes the annual reports of the demo city and lists the non-filers of the last closed
/// report year through the real job.
pub(super) async fn write_reports(store: &Store, plan: Plan) -> anyhow::Result<()> {
    if plan.entities == 0 {
        return Ok(());
    }
    super::write_per_entity::<Reports>(store, plan).await?;
    // The job runs on the first day after the window of the last closed year, as it would
    // have in production.
    let year = shijian_domain::entity::listing::last_closed_report_year(plan.as_of);
    let listing_day =
        shijian_domain::entity::listing::filing_window(year).1 + chrono::Duration::days(1);
    let result = jobs::run_now(
        store,
        "annual_report_listing",
        listing_day,
        "demo",
        &JobContext::default(),
    )
    .await
    .context("演示数据：经营异常名录")?;
    eprintln!("经营异常名录：{result}");
    Ok(())
}
