//! `shijian keys …`: the data keys kept outside the database. `status` counts the sealed
//! values under each key; `rotate` adds a new current data key to the key file (and, with
//! every server stopped, re-encrypts at once); `reencrypt` moves every sealed value to the
//! current key (resumable, safe while servers that loaded the current key file run);
//! `reindex` recomputes the blind indexes; `retire` removes an old key nobody uses.
//!
//! The work on rows is `shijian_storage::rekey`; the key-file format and its atomic
//! replacement are `shijian_crypto`'s. Operators read Chinese; the exit status is non-zero
//! on failure (2 when `status` finds values no key in the file can open).

use crate::cli::Cli;
use anyhow::{bail, Context};
use clap::Subcommand;
use shijian_crypto::{replace_key_file, KeyId, KeySource, Keys, KEYS_ENV_VAR};
use shijian_storage::permits;
use shijian_storage::rekey::{self, BatchReport, ColumnCensus, ColumnOutcome};
use shijian_storage::{Actor, RequestCtx, Store};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Rows per write transaction unless `--batch` says otherwise.
const DEFAULT_BATCH: usize = 500;

/// How many times `reencrypt` looks again at values a server changed during a pass.
const PASSES: usize = 3;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Show the data keys, the current one, and how many sealed values each key still
    /// seals (密钥状态).
    Status,
    /// Add a new data key to the key file as the current key; older keys stay for
    /// decryption. Then restart every server and run `keys reencrypt` (轮换数据密钥).
    Rotate {
        /// Every `serve` process is stopped: re-encrypt right away (and, with --index-key,
        /// recompute the blind indexes).
        #[arg(long)]
        offline: bool,
        /// Also replace the blind-index key and recompute every blind index (needs
        /// --offline: servers hash lookups with the index key they loaded).
        #[arg(long)]
        index_key: bool,
        /// Rows per write transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH)]
        batch: usize,
        /// Rotate the link-signing key of licence and permit QR codes instead: new links
        /// are signed with a new key; links signed before keep verifying until the old key
        /// is retired (`keys retire --link-key l1`). Data keys are not touched.
        #[arg(long, conflicts_with_all = ["offline", "index_key"])]
        link_key: bool,
    },
    /// Re-encrypt every sealed value still under an older key with the current key;
    /// resumable and idempotent (重加密).
    Reencrypt {
        /// Rows per write transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH)]
        batch: usize,
    },
    /// Recompute every blind index with the current index key: after an interrupted
    /// `rotate --index-key`, or after restoring a backup older than it (重算盲索引).
    Reindex {
        /// Rows per write transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH)]
        batch: usize,
    },
    /// Remove an old data key from the key file; refused while any value uses it (退役旧密钥).
    /// With --link-key: retire a link-signing key (QR codes signed with it stop verifying).
    Retire {
        /// The key id, e.g. k1 (or l1 with --link-key).
        id: String,
        /// Retire a link-signing key, not a data key.
        #[arg(long)]
        link_key: bool,
    },
}

const NOT_CONFIGURED: &str = "未配置数据密钥：请用 --keys 指定密钥文件，或设置 SHIJIAN_DATA_KEYS（见 docs/CONFIGURATION.md）";

/// Where the keys come from, resolved as `Cli::open` does.
enum Source {
    File(PathBuf),
    Env,
    None,
}

impl Source {
    fn of(cli: &Cli) -> Self {
        if let Some(path) = &cli.keys {
            return Source::File(path.clone());
        }
        if std::env::var(KEYS_ENV_VAR).is_ok_and(|v| !v.is_empty()) {
            return Source::Env;
        }
        if cli.database.as_deref().is_some_and(|u| !u.is_empty()) {
            return Source::None;
        }
        let default = cli.data_dir.join("keys.conf");
        if default.exists() {
            Source::File(default)
        } else {
            Source::None
        }
    }

    fn describe(&self) -> String {
        match self {
            Source::File(p) => format!("密钥文件 {}", p.display()),
            Source::Env => format!("环境变量 {KEYS_ENV_VAR}"),
            Source::None => "未配置".to_owned(),
        }
    }

    fn load(&self) -> anyhow::Result<Keys> {
        match self {
            Source::File(p) => Ok(Keys::load(&KeySource::File(p.clone()))?),
            Source::Env => Ok(Keys::load(&KeySource::env())?),
            Source::None => bail!(NOT_CONFIGURED),
        }
    }

    /// The key file a change is written to; keys from the environment cannot be changed.
    fn writable(&self) -> anyhow::Result<&PathBuf> {
        match self {
            Source::File(p) => Ok(p),
            Source::Env => bail!(
                "数据密钥来自环境变量 {KEYS_ENV_VAR}，无法改写：请把其内容写入一个权限 0600 的文件，\
                 用 --keys 指定该文件执行本命令，再用新文件的内容更新环境变量并重启服务"
            ),
            Source::None => bail!(NOT_CONFIGURED),
        }
    }
}

fn actor() -> (Actor, RequestCtx) {
    (Actor::system("keys"), RequestCtx::local("cli"))
}

/// Runs a `keys` subcommand on the store `Cli::open` opened.
pub async fn run(cli: &Cli, command: &KeysCommand, store: Store) -> anyhow::Result<ExitCode> {
    let source = Source::of(cli);
    match command {
        KeysCommand::Status => status(&store, &source).await,
        KeysCommand::Rotate { link_key: true, .. } => rotate_link_key(&store, &source).await,
        KeysCommand::Rotate {
            offline,
            index_key,
            batch,
            ..
        } => rotate(&store, &source, *offline, *index_key, *batch).await,
        KeysCommand::Reencrypt { batch } => {
            let keys = source.load()?;
            let ok = reencrypt(&store.with_keys(&keys), &keys, *batch).await?;
            Ok(exit(ok))
        }
        KeysCommand::Reindex { batch } => {
            let keys = source.load()?;
            let ok = reindex(&store.with_keys(&keys), *batch).await?;
            Ok(exit(ok))
        }
        KeysCommand::Retire { id, link_key: true } => retire_link_key(&store, id).await,
        KeysCommand::Retire { id, .. } => retire(&store, &source, id).await,
    }
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn ids(keys: &Keys) -> Vec<String> {
    keys.data_keys()
        .ids()
        .map(|id| id.as_str().to_owned())
        .collect()
}

/// Values per key id over all columns.
fn totals(census: &[ColumnCensus]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for c in census {
        for (k, n) in &c.by_key {
            *out.entry(k.clone()).or_default() += n;
        }
    }
    out
}

/// Values not under `current` (older keys, legacy plaintext, unrecognised).
fn leftovers(census: &[ColumnCensus], current: &str) -> u64 {
    census
        .iter()
        .map(|c| {
            c.by_key
                .iter()
                .filter(|(k, _)| *k != current)
                .map(|(_, n)| n)
                .sum::<u64>()
                + c.plaintext
                + c.unrecognised
        })
        .sum()
}

fn print_census(census: &[ColumnCensus], key_ids: &[String]) {
    println!("各加密字段的值数（按数据密钥）：");
    let width = census
        .iter()
        .map(|c| c.column.name().len())
        .max()
        .unwrap_or(0);
    for c in census {
        let mut parts: Vec<String> = Vec::new();
        let mut shown: Vec<&str> = key_ids.iter().map(String::as_str).collect();
        for k in c.by_key.keys() {
            if !shown.contains(&k.as_str()) {
                shown.push(k);
            }
        }
        for k in shown {
            parts.push(format!("{k} {}", c.under(k)));
        }
        if c.plaintext > 0 {
            parts.push(format!("旧版明文 {}", c.plaintext));
        }
        if c.unrecognised > 0 {
            parts.push(format!("无法识别 {}", c.unrecognised));
        }
        println!("  {:<width$}  {}", c.column.name(), parts.join("  "));
    }
}

async fn status(store: &Store, source: &Source) -> anyhow::Result<ExitCode> {
    let census = rekey::census(store).await?;
    println!("数据密钥来源：{}", source.describe());
    let keys = match source {
        Source::None => None,
        _ => Some(source.load()?),
    };
    let key_ids = keys.as_ref().map(ids).unwrap_or_default();
    if let Some(keys) = &keys {
        println!(
            "数据密钥：{}；当前密钥：{}",
            key_ids.join("、"),
            keys.data_keys().current_id()
        );
        println!("盲索引密钥校验值：{}", keys.blind_index().key_check());
    }
    print_census(&census, &key_ids);
    print_link_keys(store).await?;
    let totals = totals(&census);
    let total_line: Vec<String> = key_ids
        .iter()
        .chain(totals.keys().filter(|k| !key_ids.contains(k)))
        .map(|k| format!("{k} {} 个", totals.get(k).copied().unwrap_or(0)))
        .collect();
    println!("合计：{}", total_line.join("，"));

    let mut healthy = true;
    let unknown: Vec<(&String, &u64)> = totals
        .iter()
        .filter(|(k, n)| **n > 0 && !key_ids.contains(k))
        .collect();
    if keys.is_some() && !unknown.is_empty() {
        healthy = false;
        for (k, n) in &unknown {
            println!("错误：有 {n} 个值使用密钥文件中没有的数据密钥 {k}，无法解密：请找回含该密钥的密钥文件（离线备份）。");
        }
    }
    let unrecognised: u64 = census
        .iter()
        .map(|c| {
            c.unrecognised
                + if c.column.legacy_plaintext {
                    0
                } else {
                    c.plaintext
                }
        })
        .sum();
    if unrecognised > 0 {
        healthy = false;
        println!(
            "错误：有 {unrecognised} 个值不是本程序能识别的密文格式（或未加密），请检查数据来源。"
        );
    }
    let Some(keys) = keys else {
        println!("未配置数据密钥：无法轮换或重加密。");
        return Ok(if healthy {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        });
    };
    let current = keys.data_keys().current_id().as_str().to_owned();
    let legacy: u64 = census
        .iter()
        .filter(|c| c.column.legacy_plaintext)
        .map(|c| c.plaintext)
        .sum();
    if legacy > 0 {
        println!("有 {legacy} 个旧版未加密的动态口令密钥：shijian keys reencrypt 会把它们加密。");
    }
    let left = leftovers(&census, &current);
    if left > 0 {
        println!(
            "仍有 {left} 个值未使用当前密钥 {current}：确认所有 serve 进程都已重启、加载了当前密钥文件后，运行 shijian keys reencrypt。"
        );
    } else {
        println!("所有加密值均已使用当前密钥 {current}。");
        for k in key_ids.iter().filter(|k| **k != current) {
            println!(
                "数据密钥 {k} 已无数据使用：确认所有 serve 进程都已在轮换后重启，即可运行 shijian keys retire {k}。"
            );
        }
    }
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

async fn rotate(
    store: &Store,
    source: &Source,
    offline: bool,
    index_key: bool,
    batch: usize,
) -> anyhow::Result<ExitCode> {
    if index_key && !offline {
        bail!(
            "更换盲索引密钥须先停止所有 serve 进程（运行中的进程用已加载的旧索引密钥查找，会什么也查不到），\
             停止后用 --index-key --offline 执行"
        );
    }
    let path = source.writable()?.clone();
    let mut keys = source.load()?;
    let old_ids = ids(&keys);
    let new_id = keys.rotate_data_key();
    if index_key {
        keys.rotate_index_key();
    }
    replace_key_file(&path, &keys.to_text())
        .with_context(|| format!("未能更新密钥文件 {}，密钥未轮换", path.display()))?;
    println!(
        "已生成新的数据密钥 {new_id} 并设为当前密钥；旧密钥 {} 保留用于解密。密钥文件 {} 已原子替换（权限 0600）。",
        old_ids.join("、"),
        path.display()
    );
    if index_key {
        println!(
            "盲索引密钥已更换，新的校验值：{}。",
            keys.blind_index().key_check()
        );
        println!(
            "注意：证照二维码的链接签名密钥由盲索引密钥派生，此前印制的营业执照和许可证二维码将无法核验，须重新制发。"
        );
    }
    let (actor, ctx) = actor();
    let mut details = serde_json::json!({
        "new_key": new_id.as_str(),
        "keys": ids(&keys),
        "index_key_rotated": index_key,
    });
    if index_key {
        details["index_key_check"] = keys.blind_index().key_check().into();
    }
    rekey::record_key_change(store, &actor, &ctx, "keys.rotate", details)
        .await
        .context("密钥文件已更新，但未能写入审计记录")?;
    let store = store.clone().with_keys(&keys);
    if !offline {
        let census = rekey::census(&store).await?;
        let left = leftovers(&census, new_id.as_str());
        println!("下一步：");
        println!(
            "  1. 重启所有 serve 进程（每台服务器换用这份新密钥文件），使其加载新密钥。未重启的进程仍用旧密钥加密新数据，且读不出已重加密到 {new_id} 的值。"
        );
        println!(
            "  2. 运行 shijian keys reencrypt，把旧密钥下的 {left} 个值重加密到 {new_id}（服务运行时可执行，中断后重跑即可继续）。"
        );
        println!(
            "  3. shijian keys status 显示旧密钥下剩余 0 个值后，运行 {}。",
            retire_commands(&old_ids)
        );
        println!("在重加密完成之前，请离线保存一份新密钥文件的副本。");
        return Ok(ExitCode::SUCCESS);
    }
    let mut ok = reencrypt(&store, &keys, batch).await?;
    if index_key {
        ok &= reindex(&store, batch).await?;
    }
    if ok {
        println!(
            "轮换完成。启动服务时使用密钥文件 {}；旧密钥可用 {} 退役。",
            path.display(),
            retire_commands(&old_ids)
        );
    }
    Ok(exit(ok))
}

fn retire_commands(ids: &[String]) -> String {
    ids.iter()
        .map(|k| format!("shijian keys retire {k}"))
        .collect::<Vec<_>>()
        .join("、")
}

fn print_outcome(outcomes: &[ColumnOutcome], verb: &str) -> bool {
    let mut ok = true;
    for o in outcomes {
        let from: Vec<String> = o
            .done
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, n)| {
                let k = if k == "plaintext" { "旧版明文" } else { k };
                format!("{k} {n}")
            })
            .collect();
        let from = if from.is_empty() {
            String::new()
        } else {
            format!("（来自 {}）", from.join("、"))
        };
        let name = match o.column.index {
            Some(i) if verb == "重算" => format!("{}.{}", o.column.table, i.column),
            _ => o.column.name(),
        };
        println!(
            "  {name}：检查 {} 个，{verb} {} 个{from}",
            o.examined,
            o.total_done()
        );
        for f in &o.failed {
            ok = false;
            println!(
                "  错误：{name} 中主键为 {} 的值无法处理（{}）",
                f.row, f.code
            );
        }
    }
    ok
}

fn progress(r: &BatchReport) {
    eprintln!(
        "  {}：本批 {} 个，累计 {} 个",
        r.column, r.changed, r.column_total
    );
}

/// Re-encrypts under the current key, looking again at values servers changed meanwhile;
/// prints what it did and what is left. Whether everything succeeded.
async fn reencrypt(store: &Store, keys: &Keys, batch: usize) -> anyhow::Result<bool> {
    let current: &KeyId = keys.data_keys().current_id();
    println!("正在把加密值重加密到当前密钥 {current}（每批 {batch} 行）……");
    let (actor, ctx) = actor();
    let mut ok = true;
    for pass in 1..=PASSES {
        let outcomes = rekey::reencrypt(store, &actor, &ctx, batch, progress).await?;
        ok &= print_outcome(&outcomes, "重加密");
        let changed: u64 = outcomes.iter().map(|o| o.changed_meanwhile).sum();
        if changed == 0 || pass == PASSES {
            if changed > 0 {
                println!("有 {changed} 个值在处理期间被服务修改，稍后请再运行一次 shijian keys reencrypt。");
            }
            break;
        }
        println!("有 {changed} 个值在处理期间被服务修改，再检查一遍……");
    }
    let census = rekey::census(store).await?;
    let left = leftovers(&census, current.as_str());
    let totals = totals(&census);
    if left == 0 {
        println!(
            "完成：全部 {} 个加密值均已使用当前密钥 {current}。",
            totals.values().sum::<u64>()
        );
    } else {
        println!(
            "仍有 {left} 个值未使用当前密钥 {current}（见 shijian keys status）：若有 serve 进程尚未重启，它们仍在用旧密钥写入；重启后再运行本命令。"
        );
    }
    Ok(ok)
}

async fn reindex(store: &Store, batch: usize) -> anyhow::Result<bool> {
    println!("正在用当前盲索引密钥重算盲索引（每批 {batch} 行）……");
    let (actor, ctx) = actor();
    let outcomes = rekey::reindex(store, &actor, &ctx, batch, progress).await?;
    let ok = print_outcome(&outcomes, "重算");
    if ok {
        println!("完成：盲索引均与当前盲索引密钥一致。");
    }
    Ok(ok)
}

async fn retire(store: &Store, source: &Source, id: &str) -> anyhow::Result<ExitCode> {
    let path = source.writable()?.clone();
    let mut keys = source.load()?;
    if keys.data_keys().get(id).is_none() {
        bail!(
            "密钥文件中没有数据密钥“{id}”（现有：{}）",
            ids(&keys).join("、")
        );
    }
    // The current key is refused before anything is counted.
    keys.clone().retire_data_key(id)?;
    let census = rekey::census(store).await?;
    let in_use: Vec<String> = census
        .iter()
        .filter(|c| c.under(id) > 0)
        .map(|c| format!("{} {} 个", c.column.name(), c.under(id)))
        .collect();
    if !in_use.is_empty() {
        println!(
            "拒绝退役数据密钥 {id}：仍有值使用它（{}）。请确认所有 serve 进程已重启并加载当前密钥文件，运行 shijian keys reencrypt 后再试。",
            in_use.join("，")
        );
        return Ok(ExitCode::FAILURE);
    }
    keys.retire_data_key(id)?;
    replace_key_file(&path, &keys.to_text())
        .with_context(|| format!("未能更新密钥文件 {}，密钥未退役", path.display()))?;
    let (actor, ctx) = actor();
    rekey::record_key_change(
        store,
        &actor,
        &ctx,
        "keys.retire",
        serde_json::json!({ "retired_key": id, "keys": ids(&keys) }),
    )
    .await
    .context("密钥文件已更新，但未能写入审计记录")?;
    println!(
        "已从密钥文件 {} 删除数据密钥 {id}；现有数据密钥：{}。",
        path.display(),
        ids(&keys).join("、")
    );
    println!(
        "请重启所有 serve 进程。提醒：此前的数据库备份中仍有用 {id} 加密的值，在这些备份全部过期之前，请离线保存一份含 {id} 的旧密钥文件。"
    );
    Ok(ExitCode::SUCCESS)
}

/// The link-signing keys of licence and permit QR codes (their material is derived from the
/// index key; the database lists their ids and state).
async fn print_link_keys(store: &Store) -> anyhow::Result<()> {
    let keys = permits::link_keys(store).await?;
    let active: Vec<&str> = keys
        .iter()
        .filter(|k| k.retired_at.is_none())
        .map(|k| k.id.as_str())
        .collect();
    let retired: Vec<&str> = keys
        .iter()
        .filter(|k| k.retired_at.is_some())
        .map(|k| k.id.as_str())
        .collect();
    println!(
        "链接签名密钥（证照二维码）：可核验 {}；签发新链接使用 {}{}",
        if active.is_empty() {
            "无".to_owned()
        } else {
            active.join("、")
        },
        active.last().copied().unwrap_or("无"),
        if retired.is_empty() {
            String::new()
        } else {
            format!("；已退役 {}", retired.join("、"))
        }
    );
    Ok(())
}

async fn rotate_link_key(store: &Store, source: &Source) -> anyhow::Result<ExitCode> {
    // The link keys derive from the index key: without the key file nothing can be signed.
    let keys = source.load()?;
    let store = store.clone().with_keys(&keys);
    let (actor, ctx) = actor();
    let id = permits::rotate_link_key(&store, &actor, &ctx).await?;
    println!("已新增链接签名密钥 {id}：此后生成的证照二维码使用 {id} 签名。");
    println!(
        "此前印制的二维码仍可核验；确需作废旧二维码时（例如怀疑旧密钥泄露），执行 shijian keys retire --link-key <旧标识>。"
    );
    print_link_keys(&store).await?;
    Ok(ExitCode::SUCCESS)
}

async fn retire_link_key(store: &Store, id: &str) -> anyhow::Result<ExitCode> {
    let (actor, ctx) = actor();
    permits::retire_link_key(store, &actor, &ctx, id).await?;
    println!(
        "已退役链接签名密钥 {id}：用它签名的证照二维码从现在起显示“链接签名无效”，请重新制发。"
    );
    print_link_keys(store).await?;
    Ok(ExitCode::SUCCESS)
}
