//! The command line. Every subcommand works on an empty data directory: opening the store
//! creates and migrates it. `serve` and the other commands may run at the same time
//! against the same database.

use crate::config::Config;
use crate::serve::{self, ServeOptions};
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use shijian_domain::clock::{Clock, FixedClock, SystemClock};
use shijian_domain::role::Role;
use shijian_storage::jobs::{self, JobContext};
use shijian_storage::users::{self, NewUser};
use shijian_storage::{audit, Actor, DatabaseConfig, RequestCtx, Store};
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
    /// The working-day calendar (工作日历).
    #[command(subcommand)]
    Calendar(CalendarCommand),
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
    /// Recompute the hash chain; exits non-zero naming the first broken record.
    Verify,
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
        Store::open(&db, clock()?).await.with_context(|| match &db {
            DatabaseConfig::Sqlite { dir } => format!("无法打开数据目录 {}", dir.display()),
            DatabaseConfig::Postgres { .. } => "无法连接 PostgreSQL 数据库".to_owned(),
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
            log_format,
        } => {
            if let Some(l) = listen {
                config.listen.clone_from(l);
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
        Command::Audit(AuditCommand::Verify) => {
            let store = cli.open().await?;
            let report = audit::verify(&store).await?;
            match report.first_broken {
                None => {
                    println!("审计日志完整：{} 条记录，哈希链校验通过。", report.records);
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!(
                        "审计日志被篡改：第 {} 条记录（{}）：{}",
                        b.seq, b.kind, b.detail
                    );
                    Ok(ExitCode::from(2))
                }
            }
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
            let jc = JobContext {
                session_policy: config.session.policy(),
            };
            let holder = format!("cli-{}", std::process::id());
            let result = jobs::run_now(&store, name, as_of, &holder, &jc).await?;
            println!("任务 {name}（{as_of}）已执行：{result}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
