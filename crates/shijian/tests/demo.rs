//! The demo city (issue #7): every generated code passes the project's validators, the
//! shape matches the plan's baseline, two runs with one seed give the same export, and
//! `serve --demo` generates it on an empty database.

mod common;

use chrono::{Datelike, NaiveDate};
use common::{bin, fresh_pg_database, serve};
use shijian::demo::city::{City, Kind};
use shijian::demo::entities::{baseline, Cohort, Generator, Plan, DEFAULT_ENTITIES};
use shijian::demo::{default_as_of, existing_on};
use shijian_domain::clock::SystemClock;
use shijian_domain::division::DivisionCode;
use shijian_domain::id_number::parse_id_number;
use shijian_domain::name_check::{self, Lookups, NoPinyin, Outcome, Proposal};
use shijian_domain::uscc::parse_uscc;
use shijian_storage::{DatabaseConfig, Store};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

async fn open(dir: &Path) -> Store {
    Store::open(
        &DatabaseConfig::Sqlite {
            dir: dir.to_path_buf(),
        },
        Arc::new(SystemClock),
    )
    .await
    .unwrap()
}

async fn generator(dir: &Path, seed: u64, entities: u64) -> (Store, Generator) {
    let store = open(dir).await;
    let city = City::load(&store).await.unwrap();
    let known = shijian_storage::entities::known(&store).await.unwrap();
    let plan = Plan {
        seed,
        as_of: default_as_of(),
        entities,
    };
    (store, Generator::new(plan, city, known))
}

fn run(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.arg("--data-dir").arg(dir).args(args);
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn export(dir: &Path) -> Vec<u8> {
    let out = dir.join("export.csv");
    let o = run(
        dir,
        &["export", "entities", "--out", out.to_str().unwrap()],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    std::fs::read(out).unwrap()
}

/// Every credit code is valid with a valid organisation code, carries its county's
/// division code and its kind's category, and is unique; every ID number is valid, with
/// a known address code, and its holder was at least 18 at establishment; every name
/// passes the name rules; every row passes the import's check (inside `entity`).
#[test]
fn generated_codes_names_and_people_pass_the_project_checks() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let (store, g) = generator(dir.path(), 3, DEFAULT_ENTITIES).await;
        let known_divisions = shijian_storage::reference::known_divisions(&store)
            .await
            .unwrap();
        let lookups = Lookups {
            divisions: &g.city().divisions,
            pinyin: &NoPinyin,
            well_known: &[],
        };
        let mut seen = HashSet::new();
        let mut kinds = BTreeMap::new();
        let mut former_codes = 0;
        // A run of consecutive indices and a spread over the whole range.
        let indices: std::collections::BTreeSet<u64> = (0..2500u64)
            .chain((0..1500u64).map(|k| k * 265 + 7))
            .collect();
        for i in indices {
            let (e, h) = g.entity(i).unwrap();
            assert!(
                seen.insert(e.uscc.clone()),
                "credit code {} generated twice",
                e.uscc
            );
            let u = parse_uscc(&e.uscc).into_result().unwrap();
            assert!(u.org_code_check_ok(), "{}", e.uscc);
            assert_eq!(u.registration_authority(), '9');
            assert_eq!(
                u.entity_category(),
                e.life.kind.uscc_category(),
                "{}",
                e.uscc
            );
            assert_eq!(u.division_code(), &e.raw.division_code[..6], "{}", e.uscc);
            assert_eq!(h.items.entity_type, e.life.kind.code());

            let id = parse_id_number(&e.legal_rep_id, default_as_of(), &|c| {
                known_divisions.accepts(c)
            });
            assert!(
                id.warnings.is_empty(),
                "{}: {:?}",
                e.legal_rep_id,
                id.warnings
            );
            let id = id.into_result().unwrap();
            if id.division_code() != &e.raw.division_code[..6] {
                former_codes += 1;
            }
            let est = e.life.established_on;
            let eighteen = id
                .birth_date()
                .with_year(id.birth_date().year() + 18)
                .unwrap_or_else(|| {
                    NaiveDate::from_ymd_opt(id.birth_date().year() + 18, 3, 1).unwrap()
                });
            assert!(
                eighteen <= est,
                "{} born {} established {est}",
                e.legal_rep_id,
                id.birth_date()
            );
            assert!(est <= default_as_of());
            for (_, on) in &e.life.changes {
                assert!(*on >= est && *on <= default_as_of());
            }

            let detailed = h
                .items
                .enterprise_type
                .as_deref()
                .and_then(shijian_domain::entity::EnterpriseType::from_code)
                .unwrap();
            let proposal = Proposal {
                name: e.raw.name.clone(),
                entity_type: detailed,
                industry_code: Some(e.raw.industry_code.clone()),
                division: DivisionCode::parse(&e.raw.division_code).unwrap(),
            };
            let verdict = name_check::check(&proposal, [], default_as_of(), &lookups);
            assert_ne!(
                verdict.verdict,
                Outcome::Reject,
                "{}: {:?}",
                e.raw.name,
                verdict.codes()
            );
            assert!(!verdict.parsed.trade_name.is_empty(), "{}", e.raw.name);
            assert!(e.raw.domicile.contains(
                g.city()
                    .townships
                    .iter()
                    .find(|t| t.code == e.raw.division_code)
                    .map(|t| t.name.as_str())
                    .unwrap()
            ));
            *kinds.entry(e.life.kind).or_insert(0) += 1;
        }
        // Older holders carry a retired county code of their birth year.
        assert!(former_codes > 0);
        // Individual businesses are the majority, cooperatives a small share.
        assert!(
            kinds[&Kind::Individual] > kinds[&Kind::Enterprise] * 2,
            "{kinds:?}"
        );
        assert!(kinds[&Kind::Cooperative] > 0, "{kinds:?}");
        assert!(
            kinds[&Kind::Cooperative] * 8 < kinds[&Kind::Enterprise],
            "{kinds:?}"
        );
        store.close().await;
    });
}

/// At the default size the model gives the plan's baseline exactly enough: 25.5万 existing
/// at the end of 2020 (5万 enterprises) within 2 %, about 30万 on the as-of date, and the
/// counties in proportion to their population.
#[test]
fn the_default_city_has_the_plan_baseline_and_the_population_shares() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let (store, g) = generator(dir.path(), 1, DEFAULT_ENTITIES).await;
        let base = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        let existing = |life: &shijian::demo::entities::Life, day: NaiveDate| {
            life.established_on <= day && life.changes.iter().all(|(_, on)| *on > day)
        };
        let (mut all20, mut ent20, mut all_now, mut coops_now) = (0u64, 0u64, 0u64, 0u64);
        for i in 0..DEFAULT_ENTITIES {
            let life = g.life(i);
            if existing(&life, base) {
                all20 += 1;
                if life.kind == Kind::Enterprise {
                    ent20 += 1;
                }
            }
            if existing(&life, default_as_of()) {
                all_now += 1;
                if life.kind == Kind::Cooperative {
                    coops_now += 1;
                }
            }
            match life.cohort {
                Cohort::New | Cohort::NewLeft => assert!(life.established_on > base),
                _ => assert!(life.established_on <= base),
            }
        }
        let near = |x: u64, target: f64| ((x as f64 - target) / target).abs() < 0.02;
        assert!(near(all20, 255_000.0), "{all20}");
        assert!(near(ent20, 50_000.0), "{ent20}");
        assert!(near(all_now, 300_000.0), "{all_now}");
        assert!((2_000..10_000).contains(&coops_now), "{coops_now}");

        let mut per_county = BTreeMap::new();
        let n = 4000;
        for i in 0..n {
            let (e, _) = g.entity(i * 97).unwrap();
            *per_county
                .entry(e.raw.division_code[..6].to_owned())
                .or_insert(0u64) += 1;
        }
        let total_pop: u32 = shijian::demo::city::COUNTIES.iter().map(|c| c.1).sum();
        for (code, pop, _) in shijian::demo::city::COUNTIES {
            let share = per_county.get(code).copied().unwrap_or(0) as f64 / n as f64;
            let expected = f64::from(pop) / f64::from(total_pop);
            assert!(
                (share - expected).abs() < 0.03,
                "{code}: {share:.3} vs population share {expected:.3}"
            );
        }
        store.close().await;
    });
}

/// `shijian demo --seed 1` twice into two data directories gives identical exports; the
/// documented query over the records gives the scaled baseline; the audit chain holds;
/// another seed gives another city; a second run into a filled registry is refused.
#[test]
fn the_same_seed_gives_the_same_export_and_the_records_give_the_baseline() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let n = 3000u64;
    let n_text = n.to_string();
    for (dir, seed) in dirs.iter().zip(["1", "1", "2"]) {
        let o = run(
            dir.path(),
            &["demo", "--seed", seed, "--entities", &n_text],
            &[],
        );
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("演示城市已生成"), "{}", text(&o));
    }
    let a = export(dirs[0].path());
    let b = export(dirs[1].path());
    let c = export(dirs[2].path());
    assert_eq!(a, b, "two runs with seed 1 differ");
    assert_ne!(a, c, "seeds 1 and 2 gave the same city");
    let rows = String::from_utf8(a).unwrap();
    assert_eq!(rows.lines().count() as u64, n + 1);

    let o = run(dirs[0].path(), &["audit", "verify"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(dirs[0].path(), &["demo", "--entities", "10"], &[]);
    assert!(!o.status.success());
    assert!(text(&o).contains("已有市场主体"), "{}", text(&o));

    runtime().block_on(async {
        let store = open(dirs[0].path()).await;
        let base = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        let (all, ent) = existing_on(&store, base).await.unwrap();
        let (want_all, want_ent) = baseline(n);
        assert!(
            ((all as f64 - want_all) / want_all).abs() < 0.02,
            "{all} vs {want_all}"
        );
        assert!(
            ((ent as f64 - want_ent) / want_ent).abs() < 0.05,
            "{ent} vs {want_ent}"
        );
        let (now, _) = existing_on(&store, default_as_of()).await.unwrap();
        let want_now = 300_000.0 * n as f64 / DEFAULT_ENTITIES as f64;
        assert!(
            ((now as f64 - want_now) / want_now).abs() < 0.02,
            "{now} vs {want_now}"
        );
        // Annual reports for the two years before the as-of date, and the non-filers of the
        // last closed year (2024) on the abnormal list: a plausible share of enterprises.
        let db = sqlx::SqlitePool::connect(&format!(
            "sqlite://{}?mode=ro",
            dirs[0].path().join("shijian.db").display()
        ))
        .await
        .unwrap();
        let count = |sql: &'static str| {
            let db = db.clone();
            async move {
                let v: i64 = sqlx::query_scalar(sql).fetch_one(&db).await.unwrap();
                v
            }
        };
        let filed_2024 = count("SELECT COUNT(*) FROM annual_report WHERE report_year = 2024").await;
        let listed =
            count("SELECT COUNT(*) FROM list_entry WHERE list = 'abnormal' AND report_year = 2024")
                .await;
        let docs =
            count("SELECT COUNT(*) FROM document WHERE kind = 'abnormal_listing_decision'").await;
        assert!(filed_2024 > all / 2, "{filed_2024} reports for 2024");
        assert!(listed > 0 && listed < ent / 5, "{listed} listed of {ent}");
        assert_eq!(docs, listed, "one decision per listing");

        // Permits: only the trades that need them, most caterers and every kind of
        // outcome; an ended entity's permit is not valid, and each has its audit record.
        let permits = count("SELECT COUNT(*) FROM permit").await;
        let audited = count("SELECT COUNT(*) FROM audit_log WHERE action = 'permit.issue'").await;
        assert!(permits > i64::try_from(n).unwrap() / 20, "{permits} permits");
        assert_eq!(audited, permits, "one audit record per permit");
        let food_elsewhere = count(
            "SELECT COUNT(*) FROM permit p JOIN entity e ON e.uscc = p.uscc \
             WHERE p.item_code IN ('food_business', 'prepackaged_food_filing', \
             'small_catering_registration') AND substr(e.industry_code, 1, 2) NOT IN ('52', '61', '62')",
        )
        .await;
        assert_eq!(food_elsewhere, 0, "a food permit outside food trades");
        let drugs_elsewhere = count(
            "SELECT COUNT(*) FROM permit p JOIN entity e ON e.uscc = p.uscc \
             WHERE p.item_code = 'drug_retail' AND e.industry_code <> '5251'",
        )
        .await;
        assert_eq!(drugs_elsewhere, 0);
        let caterers =
            count("SELECT COUNT(*) FROM entity WHERE industry_code IN ('6210', '6220')").await;
        let licensed_caterers = count(
            "SELECT COUNT(DISTINCT e.uscc) FROM entity e JOIN permit p ON p.uscc = e.uscc \
             WHERE e.industry_code IN ('6210', '6220')",
        )
        .await;
        assert!(
            licensed_caterers * 10 > caterers * 7,
            "{licensed_caterers} of {caterers} caterers hold a permit"
        );
        for status in ["valid", "expired", "cancelled"] {
            let k: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM permit WHERE status = $1")
                .bind(status)
                .fetch_one(&db)
                .await
                .unwrap();
            assert!(k > 0, "no {status} permit");
        }
        let valid_of_gone = count(
            "SELECT COUNT(*) FROM permit p JOIN entity e ON e.uscc = p.uscc \
             WHERE p.status = 'valid' AND e.status NOT IN ('active', 'dormant')",
        )
        .await;
        assert_eq!(valid_of_gone, 0, "a valid permit of an entity that left");
        let early = count(
            "SELECT COUNT(*) FROM permit p JOIN entity e ON e.uscc = p.uscc \
             WHERE p.issued_on < e.established_on",
        )
        .await;
        assert_eq!(early, 0, "a permit issued before its entity existed");

        // Dormancy: some entities are dormant on the as-of date, each with its open
        // period ending on its `dormant_until`; others resumed, their periods closed.
        let dormant = count("SELECT COUNT(*) FROM entity WHERE status = 'dormant'").await;
        let open_matching = count(
            "SELECT COUNT(*) FROM entity e JOIN entity_dormancy d ON d.uscc = e.uscc \
             WHERE e.status = 'dormant' AND d.ended_on IS NULL AND d.ends_on = e.dormant_until",
        )
        .await;
        let closed = count("SELECT COUNT(*) FROM entity_dormancy WHERE ended_on IS NOT NULL").await;
        let open = count("SELECT COUNT(*) FROM entity_dormancy WHERE ended_on IS NULL").await;
        assert!(dormant > 0 && closed > 0, "{dormant} dormant, {closed} resumed");
        assert_eq!(open_matching, dormant);
        assert_eq!(open, dormant, "an open period of an entity that is not dormant");
        let resumed_versions = count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN \
             ('entity.dormancy_end', 'entity.dormancy_resume')",
        )
        .await;
        assert_eq!(resumed_versions, closed);
        store.close().await;
    });

    // The listing job's batches: the two seed-1 cities list the 2025 non-filers on 1 July
    // 2026, one in transactions of 7 entities, the other in one; the lists are the same,
    // and a second run lists nobody.
    runtime().block_on(async {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let mut lists = Vec::new();
        for (dir, batch) in [(dirs[0].path(), 7), (dirs[1].path(), 1_000_000)] {
            let store = open(dir).await;
            let (listed, marked) =
                shijian_storage::listings::list_non_filers_in_batches(&store, day, batch)
                    .await
                    .unwrap();
            assert!(
                listed + marked > 7 * 5,
                "{listed} + {marked}: too few for batches"
            );
            let again = shijian_storage::listings::list_non_filers_in_batches(&store, day, batch)
                .await
                .unwrap();
            assert_eq!(again, (0, 0));
            let db = sqlx::SqlitePool::connect(&format!(
                "sqlite://{}?mode=ro",
                dir.join("shijian.db").display()
            ))
            .await
            .unwrap();
            let rows: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT uscc, list, COUNT(*) FROM list_entry WHERE report_year = 2025 \
                 GROUP BY uscc, list ORDER BY uscc, list",
            )
            .fetch_all(&db)
            .await
            .unwrap();
            assert!(rows.iter().all(|r| r.2 == 1), "an entity listed twice");
            assert_eq!(rows.len(), listed + marked);
            lists.push(rows);
            store.close().await;
        }
        assert_eq!(lists[0], lists[1], "batches changed who is listed");
    });
}

/// `serve --demo` on an empty database generates the city (size from the environment)
/// before it listens, and not again on the next start.
#[test]
fn serve_demo_generates_the_city_on_first_start_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &["--demo"], &[("SHIJIAN_DEMO_ENTITIES", "120")]);
    drop(server);
    let rows = String::from_utf8(export(dir.path())).unwrap();
    assert_eq!(rows.lines().count(), 121);
    let server = serve(dir.path(), &["--demo"], &[("SHIJIAN_DEMO_ENTITIES", "500")]);
    drop(server);
    let again = String::from_utf8(export(dir.path())).unwrap();
    assert_eq!(again.lines().count(), 121);
}

/// The documented query runs on PostgreSQL too, and gives what SQLite gives for the same
/// seed.
#[test]
fn postgres_gets_the_same_city() {
    let Some(url) = fresh_pg_database() else {
        return;
    };
    let sqlite = tempfile::tempdir().unwrap();
    let keys = sqlite.path().join("keys.conf");
    let o = run(sqlite.path(), &["demo", "--entities", "800"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let o = bin()
        .args(["--database", &url, "--keys", keys.to_str().unwrap()])
        .args(["demo", "--entities", "800"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let pg_export = bin()
        .args(["--database", &url, "--keys", keys.to_str().unwrap()])
        .args(["export", "entities"])
        .output()
        .unwrap();
    assert!(pg_export.status.success(), "{}", text(&pg_export));
    assert_eq!(pg_export.stdout, export(sqlite.path()));
    runtime().block_on(async {
        let pg = Store::open(
            &DatabaseConfig::Postgres { url: url.clone() },
            Arc::new(SystemClock),
        )
        .await
        .unwrap();
        let lite = open(sqlite.path()).await;
        let base = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        assert_eq!(
            existing_on(&pg, base).await.unwrap(),
            existing_on(&lite, base).await.unwrap()
        );
        // The later sections too: the same permits (numbers, days, outcomes).
        type Row = (String, String, Option<String>, String, Option<String>);
        const SQL: &str = "SELECT number, issued_on, valid_until, status, ended_on FROM permit \
                           ORDER BY item_code, number";
        let on_pg: Vec<Row> = sqlx::query_as(SQL)
            .fetch_all(&sqlx::PgPool::connect(&url).await.unwrap())
            .await
            .unwrap();
        let on_sqlite: Vec<Row> = sqlx::query_as(SQL)
            .fetch_all(
                &sqlx::SqlitePool::connect(&format!(
                    "sqlite://{}?mode=ro",
                    sqlite.path().join("shijian.db").display()
                ))
                .await
                .unwrap(),
            )
            .await
            .unwrap();
        assert!(!on_pg.is_empty());
        assert_eq!(on_pg, on_sqlite);
        pg.close().await;
        lite.close().await;
    });
}
