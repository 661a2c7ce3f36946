//! The command line. Every subcommand works on an empty data directory: opening the store
//! creates and migrates it. `serve` and the other commands may run at the same time
//! against the same database.

use crate::config::Config;
use crate::serve::{self, ServeOptions};
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use shijian_crypto::{KeySource, Keys};
use shijian_domain::clock::{Clock, FixedClock, SystemClock};
use shijian_domain::role::Role;
use shijian_storage::jobs;
use shijian_storage::users::{self, NewUser};
use shijian_storage::{audit, backup, checkpoint, Actor, DatabaseConfig, RequestCtx, Store};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "shijian",
    version,
    about = "市监 shijian：荆门市场监管一张网平台 / the open platform of a city market supervision bureau"
)]
pub struct Cli {
    /// Data directory for the embedded SQLite database (数据目录).
    #[arg(
        long,
        global = true,
        default_value = "./shijian-data",
        env = "SHIJIAN_DATA_DIR"
    )]
    pub data_dir: PathBuf,
    /// PostgreSQL URL; when set, used instead of SQLite (PostgreSQL 连接串).
    #[arg(long, global = true, env = "SHIJIAN_DATABASE_URL")]
    pub database: Option<String>,
    /// Data key file for fields encrypted at rest (default: `SHIJIAN_DATA_KEYS` if set,
    /// else DATA_DIR/keys.conf, created with a new SQLite data directory).
    #[arg(long, global = true, env = "SHIJIAN_KEYS_FILE")]
    pub keys: Option<PathBuf>,
    /// Configuration file (default: DATA_DIR/shijian.toml if it exists).
    #[arg(long, global = true, env = "SHIJIAN_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web UI, the API and the scheduled jobs (启动服务).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<String>,
        /// On an empty database, create the demo accounts (演示模式).
        #[arg(long)]
        demo: bool,
        /// Also serve the public disclosure portal alone on this address, e.g.
        /// 0.0.0.0:8081, so the staff UI can stay on the intranet (公示网站单独监听).
        #[arg(long)]
        public_listen: Option<String>,
        /// Log format: text or json.
        #[arg(long)]
        log_format: Option<String>,
    },
    /// Create and migrate the database, then exit.
    Migrate,
    /// User accounts (用户).
    #[command(subcommand)]
    User(UserCommand),
    /// The audit trail (审计).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Scheduled jobs (定时任务).
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Copy the database to a new file while the server runs (在线备份).
    Backup {
        /// The backup file to create (never overwritten). SQLite: a database file;
        /// PostgreSQL: a `pg_dump --format=custom` archive.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into an empty data directory, or with `--database` into an empty
    /// PostgreSQL database (恢复备份).
    Restore {
        /// The backup file made by `shijian backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// The working-day calendar (工作日历).
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Import from existing systems (从现有系统导入).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export from the registry (导出).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Ask every running server to rebuild its search index from the tables, and check
    /// that a fresh build works here (重建检索索引).
    Reindex,
    /// Fill an empty database with a synthetic city shaped like Jingmen (生成演示数据).
    Demo(crate::demo::DemoArgs),
    /// Data keys of the fields sealed at rest: status, rotation, re-encryption,
    /// retirement (数据密钥).
    #[command(subcommand)]
    Keys(crate::keys::KeysCommand),
    /// Check a file of codes, one per line, and write a CSV report to standard output
    /// (批量校验统一社会信用代码或身份证号码).
    Validate {
        /// `uscc` or `id-number`.
        kind: crate::validate::Kind,
        /// The file to read; `-` or nothing for standard input.
        file: Option<PathBuf>,
        /// `auto`, `utf-8` or `gbk`.
        #[arg(long, default_value = "auto")]
        encoding: crate::validate::InputEncoding,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Market entities from an export of an existing system: CSV (UTF-8, UTF-8 with BOM,
    /// GBK/GB18030, UTF-16) or XLSX. Valid rows are upserted by credit code; refused rows
    /// are listed with row number, column, code and reason (导入市场主体).
    Entities {
        file: PathBuf,
        /// Write the reject report (CSV) here instead of standard output.
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Check only; store nothing (试运行).
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Market entities in the import's column set, ordered by credit code (导出市场主体).
    Entities {
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// `csv` (UTF-8 with BOM, for Excel) or `xlsx`.
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// Print the deadline N working days or N calendar days after DATE.
    Deadline {
        date: NaiveDate,
        /// N working days (the start day is not counted).
        #[arg(long, conflicts_with = "days", required_unless_present = "days")]
        working_days: Option<u32>,
        /// N calendar days (an end on a rest day moves to the next working day).
        #[arg(long)]
        days: Option<u32>,
        /// Excluded intervals START..END, comma-separated (time that does not count).
        #[arg(long)]
        exclude: Option<String>,
    },
    /// Import a year's holidays and adjusted working days (`date,kind,name` CSV).
    Import {
        file: PathBuf,
        /// The year the file completes.
        #[arg(long)]
        year: i32,
        /// Where the schedule comes from (e.g. the State Council notice).
        #[arg(long, default_value = "国务院办公厅部分节假日安排通知")]
        source: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add an account; the password is read from standard input.
    Add {
        name: String,
        #[arg(long)]
        role: String,
        /// Jurisdiction code or Chinese name, e.g. 420881 or 钟祥市.
        #[arg(long)]
        jurisdiction: String,
        /// Display name (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the hash chain and check signed checkpoints; exits 2 naming the first
    /// broken record.
    Verify {
        /// A checkpoint file (JSON lines from `audit checkpoint`) to check the database
        /// against: catches a removed tail and a recomputed chain.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// A trusted public key (64 hex digits, or a file with hex or PEM); every
        /// checkpoint must be signed by one of them. Repeatable.
        #[arg(long, requires = "checkpoint")]
        public_key: Vec<String>,
    },
    /// Create an Ed25519 key pair for signing checkpoints (PKCS#8 PEM, mode 0600) and
    /// print the public key (生成检查点签名密钥).
    Keygen {
        /// The key file to create (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify the chain, sign its head and append the checkpoint to a file (签署检查点).
    Checkpoint {
        /// The private key file from `audit keygen`.
        #[arg(long)]
        key: PathBuf,
        /// The checkpoint file to append to (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum JobsCommand {
    /// List the jobs and when each last ran.
    List,
    /// Run a job now.
    Run {
        name: String,
        /// The date it runs for (default: today in Beijing time).
        #[arg(long)]
        as_of: Option<NaiveDate>,
    },
}

/// The program's one clock: the system clock, or a fixed instant from `SHIJIAN_NOW`
/// (RFC 3339; for tests and drills only).
fn clock() -> anyhow::Result<Arc<dyn Clock>> {
    match std::env::var("SHIJIAN_NOW") {
        Ok(v) if !v.is_empty() => {
            let t = chrono::DateTime::parse_from_rfc3339(&v)
                .with_context(|| format!("SHIJIAN_NOW 无效：{v}"))?;
            Ok(Arc::new(FixedClock::new(t.with_timezone(&chrono::Utc))))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

impl Cli {
    fn database(&self) -> DatabaseConfig {
        match &self.database {
            Some(url) if !url.is_empty() => DatabaseConfig::Postgres { url: url.clone() },
            _ => DatabaseConfig::Sqlite {
                dir: self.data_dir.clone(),
            },
        }
    }

    async fn open(&self) -> anyhow::Result<Store> {
        let db = self.database();
        // A brand-new embedded installation gets its own key file beside the database.
        let fresh_sqlite =
            matches!(&db, DatabaseConfig::Sqlite { dir } if !dir.join("shijian.db").exists());
        let store = Store::open(&db, clock()?)
            .await
            .with_context(|| match &db {
                DatabaseConfig::Sqlite { dir } => format!("无法打开数据目录 {}", dir.display()),
                DatabaseConfig::Postgres { .. } => "无法连接 PostgreSQL 数据库".to_owned(),
            })?;
        Ok(match self.data_keys(fresh_sqlite)? {
            Some(keys) => store.with_keys(&keys),
            None => store,
        })
    }

    /// The data keys: `--keys FILE`, else `SHIJIAN_DATA_KEYS`, else DATA_DIR/keys.conf
    /// (created for a fresh SQLite data directory). `None` when none is configured, in
    /// which case encrypted fields cannot be used and say so.
    fn data_keys(&self, fresh_sqlite: bool) -> anyhow::Result<Option<Keys>> {
        if let Some(path) = &self.keys {
            return Ok(Some(Keys::load(&KeySource::File(path.clone()))?));
        }
        if std::env::var(shijian_crypto::KEYS_ENV_VAR).is_ok_and(|v| !v.is_empty()) {
            return Ok(Some(Keys::load(&KeySource::env())?));
        }
        if self.database.as_deref().is_some_and(|u| !u.is_empty()) {
            return Ok(None);
        }
        let default = self.data_dir.join("keys.conf");
        if fresh_sqlite && !default.exists() {
            shijian_crypto::create_key_file(&default, &Keys::generate())?;
            eprintln!(
                "已生成数据密钥文件 {}（权限 0600）。生产环境请将其移到数据目录之外、单独备份，并用 --keys 指定。",
                default.display()
            );
        }
        Ok(if default.exists() {
            Some(Keys::load(&KeySource::File(default))?)
        } else {
            None
        })
    }
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Runs the program and maps the outcome to an exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut config = Config::load(cli.config.as_deref(), &cli.data_dir.join("shijian.toml"))?;
    match &cli.command {
        Command::Serve {
            listen,
            demo,
            public_listen,
            log_format,
        } => {
            if let Some(l) = listen {
                config.listen.clone_from(l);
            }
            if let Some(l) = public_listen {
                config.public.listen = Some(l.clone());
            }
            if let Some(f) = log_format {
                config.log_format.clone_from(f);
            }
            init_logging(&config.log_format);
            let store = cli.open().await?;
            let opts = ServeOptions {
                demo: *demo,
                test_hooks: std::env::var("SHIJIAN_TEST_HOOKS").is_ok_and(|v| v == "1"),
            };
            serve::run(store, &config, &opts).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let store = cli.open().await?;
            println!("数据库已就绪（{}）", store.backend_name());
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Add {
            name,
            role,
            jurisdiction,
            display_name,
            ..
        }) => {
            let role: Role = role.parse()?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("无法从标准输入读取密码")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let store = cli.open().await?;
            let new = NewUser {
                username: name.clone(),
                display_name: display_name.clone().unwrap_or_else(|| name.clone()),
                role,
                jurisdiction: jurisdiction.clone(),
                password,
            };
            let u = users::create(
                &store,
                &Actor::system("user-add"),
                &RequestCtx::local("cli"),
                new,
                &config.password,
            )
            .await?;
            println!(
                "已创建用户 {}（id {}，角色 {}，辖区 {}）",
                u.username, u.id, u.role, u.jurisdiction_code
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify {
            checkpoint: file,
            public_key,
        }) => {
            let trusted = public_key
                .iter()
                .map(|k| checkpoint::load_public_key(k))
                .collect::<Result<Vec<_>, _>>()?;
            let store = cli.open().await?;
            let report = audit::verify(&store).await?;
            let mut intact = match &report.first_broken {
                None => {
                    println!("审计日志完整：{} 条记录，哈希链校验通过。", report.records);
                    true
                }
                Some(b) => {
                    print_broken(b);
                    false
                }
            };
            if let Some(file) = file {
                let r = checkpoint::verify_file(&store, file, &trusted).await?;
                match &r.first_problem {
                    None => println!(
                        "检查点校验通过：{} 个检查点，最新覆盖到第 {} 条记录，签名密钥 {}。",
                        r.checkpoints,
                        r.latest_seq.unwrap_or(0),
                        r.key_ids.join("、")
                    ),
                    Some(p) => {
                        intact = false;
                        print_checkpoint_problem(file, p);
                        if r.problems > 1 {
                            println!("（共 {} 个检查点不符）", r.problems);
                        }
                    }
                }
                if trusted.is_empty() {
                    println!("提示：未用 --public-key 指定受信任公钥，只核对了检查点文件自带的公钥；请核对上面的密钥标识。");
                }
            }
            Ok(if intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Audit(AuditCommand::Keygen { out }) => {
            let public = checkpoint::generate_key_file(out)?;
            println!(
                "已生成检查点签名密钥：{}（PKCS#8 PEM，权限 0600）",
                out.display()
            );
            println!("公钥：{}", checkpoint::public_key_hex(&public));
            println!("密钥标识：{}", checkpoint::key_id(&public));
            println!(
                "请把私钥交审计管理员离线保管，公钥另行登记，用于 audit verify --public-key。"
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Checkpoint { key, out }) => {
            let key = checkpoint::load_signing_key(key)?;
            let store = cli.open().await?;
            let actor = Actor::system("audit-checkpoint");
            let ctx = RequestCtx::local("cli");
            match checkpoint::sign_verified(&store, &actor, &ctx, &key, out).await? {
                Ok(cp) => {
                    println!(
                        "已签署检查点：第 {} 条记录，哈希 {}，密钥 {}，已追加到 {}",
                        cp.seq,
                        cp.head_hash,
                        cp.key_id,
                        out.display()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(refusal) => {
                    match &refusal {
                        checkpoint::Refusal::Chain(b) => print_broken(b),
                        checkpoint::Refusal::Checkpoint(p) => print_checkpoint_problem(out, p),
                    }
                    println!("未签署新的检查点。");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Backup { to } => {
            let store = cli.open().await?;
            let actor = Actor::system("backup");
            let ctx = RequestCtx::local("cli");
            let r = backup::backup(&store, &actor, &ctx, &cli.database(), to).await?;
            println!(
                "备份完成：{}（{} 字节，用时 {:.2} 秒，含审计记录至第 {} 条）",
                r.file.display(),
                r.bytes,
                r.elapsed.as_secs_f64(),
                r.audit_seq
            );
            println!("SHA-256：{}（已记入审计日志）", r.sha256);
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from } => {
            let actor = Actor::system("restore");
            let ctx = RequestCtx::local("cli");
            let r = backup::restore(&cli.database(), &actor, &ctx, from, clock()?).await?;
            println!(
                "恢复完成（用时 {:.2} 秒）：完整性检查 {}，备份中审计记录 {} 条，备份文件 SHA-256 {}。",
                r.elapsed.as_secs_f64(),
                r.integrity,
                r.audit.records,
                r.sha256
            );
            match &r.audit.first_broken {
                None => {
                    println!("审计日志哈希链校验通过。");
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    print_broken(b);
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Import(ImportCommand::Entities {
            file,
            rejects,
            dry_run,
        }) => {
            let store = cli.open().await?;
            let actor = Actor::system("import");
            let started = std::time::Instant::now();
            let opts = crate::import::ImportOptions { dry_run: *dry_run };
            let summary = match rejects {
                Some(path) => {
                    let mut f = std::fs::File::create(path)
                        .with_context(|| format!("无法写入 {}", path.display()))?;
                    crate::import::import_entities(&store, &actor, file, opts, &mut f).await?
                }
                None => {
                    let mut out = std::io::stdout().lock();
                    crate::import::import_entities(&store, &actor, file, opts, &mut out).await?
                }
            };
            eprintln!(
                "{}",
                crate::import::summary_line(&summary, started.elapsed().as_secs_f64())
            );
            if summary.rejected > 0 {
                if let Some(path) = rejects {
                    eprintln!("被拒绝的行见 {}", path.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(ExportCommand::Entities { out, format }) => {
            let xlsx = match format.as_str() {
                "csv" => false,
                "xlsx" => true,
                other => anyhow::bail!("未知的导出格式 {other}（可选 csv、xlsx）"),
            };
            let store = cli.open().await?;
            let actor = Actor::system("export");
            let ctx = RequestCtx::local("cli");
            let n = match out {
                Some(path) => {
                    let f = std::fs::File::create(path)
                        .with_context(|| format!("无法写入 {}", path.display()))?;
                    let mut w = std::io::BufWriter::new(f);
                    let n = shijian_web::api::entities::write_export(
                        &store, &actor, &ctx, None, xlsx, &mut w,
                    )
                    .await?;
                    std::io::Write::flush(&mut w)?;
                    n
                }
                None => {
                    let mut w = std::io::BufWriter::new(std::io::stdout());
                    let n = shijian_web::api::entities::write_export(
                        &store, &actor, &ctx, None, xlsx, &mut w,
                    )
                    .await?;
                    std::io::Write::flush(&mut w)?;
                    n
                }
            };
            eprintln!("已导出 {n} 个市场主体");
            Ok(ExitCode::SUCCESS)
        }
        Command::Reindex => {
            let store = cli.open().await?;
            let actor = Actor::system("reindex");
            let started = std::time::Instant::now();
            let index = shijian_storage::entity_index::EntityIndex::build(&store).await?;
            println!(
                "检索索引重建完成：{} 个市场主体，用时 {:.1} 秒",
                index.len(),
                started.elapsed().as_secs_f64()
            );
            shijian_storage::entity_index::request_reindex(
                &store,
                &actor,
                &RequestCtx::local("cli"),
            )
            .await?;
            println!("已通知所有运行中的服务重建其检索索引（事件 search.reindex）");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => {
            let store = cli.open().await?;
            crate::demo::run_command(&store, args).await?;
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys(command) => {
            let store = cli.open().await?;
            crate::keys::run(&cli, command, store).await
        }
        Command::Validate {
            kind,
            file,
            encoding,
        } => {
            let store = cli.open().await?;
            let known = shijian_storage::reference::known_divisions(&store).await?;
            let today = store.clock().today();
            store.close().await;
            let input: Box<dyn Read> = match file {
                Some(p) if p.as_os_str() != "-" => Box::new(
                    std::fs::File::open(p).with_context(|| format!("无法读取 {}", p.display()))?,
                ),
                _ => Box::new(std::io::stdin().lock()),
            };
            let stdout = std::io::stdout().lock();
            let summary = crate::validate::validate_stream(
                *kind,
                input,
                *encoding,
                stdout,
                today,
                &|c: &str| known.accepts(c),
            )?;
            eprintln!(
                "共 {} 行：有效 {}，无效 {}",
                summary.lines, summary.valid, summary.invalid
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar(CalendarCommand::Deadline {
            date,
            working_days,
            days,
            exclude,
        }) => {
            let store = cli.open().await?;
            let cal = shijian_storage::reference::calendar(&store).await?;
            let excluded = shijian_domain::calendar::DateRange::parse_list(
                exclude.as_deref().unwrap_or_default(),
            )?;
            let r = match (working_days, days) {
                (Some(n), _) => cal.add_working_days(*date, *n, &excluded),
                (None, Some(n)) => cal.add_calendar_days(*date, *n, &excluded),
                (None, None) => anyhow::bail!("须给出 --working-days 或 --days"),
            };
            match r {
                Ok(d) => {
                    println!("{d}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("错误：{e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Calendar(CalendarCommand::Import { file, year, source }) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("无法读取 {}", file.display()))?;
            let store = cli.open().await?;
            let actor = Actor::system("calendar-import");
            let n = shijian_storage::reference::import_calendar_year(
                &store,
                &actor,
                &RequestCtx::local("cli"),
                *year,
                &text,
                source,
            )
            .await?;
            println!("已导入 {year} 年节假日安排：{n} 行");
            Ok(ExitCode::SUCCESS)
        }
        Command::Jobs(JobsCommand::List) => {
            let store = cli.open().await?;
            for (spec, state) in jobs::list(&store).await? {
                let last = state
                    .as_ref()
                    .and_then(|s| s.last_run_for.clone())
                    .unwrap_or_else(|| "从未运行".to_owned());
                let result = state.and_then(|s| s.last_result).unwrap_or_default();
                println!(
                    "{:<22} 每日  最近执行日期 {:<10}  {}  {}",
                    spec.name, last, spec.description, result
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Jobs(JobsCommand::Run { name, as_of }) => {
            let store = cli.open().await?;
            let as_of = as_of.unwrap_or_else(|| store.clock().today());
            let jc = config.job_context();
            let holder = format!("cli-{}", std::process::id());
            let result = jobs::run_now(&store, name, as_of, &holder, &jc).await?;
            println!("任务 {name}（{as_of}）已执行：{result}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_broken(b: &audit::Broken) {
    println!(
        "审计日志被篡改：第 {} 条记录（{}）：{}",
        b.seq, b.kind, b.detail
    );
}

fn print_checkpoint_problem(file: &std::path::Path, p: &checkpoint::Problem) {
    let seq = p
        .seq
        .map(|s| format!("第 {s} 条记录，"))
        .unwrap_or_default();
    println!(
        "审计日志与检查点不符：{} 第 {} 行（{}{}）：{}",
        file.display(),
        p.line,
        seq,
        p.kind,
        p.detail
    );
}
