//! Start-up accounts: the demo accounts of `serve --demo` (every role in the city and in
//! each county and functional zone) and, without `--demo`, the first system administrator.
//! Later issues add demo data to the same switch, one section per module.

use anyhow::Context;
use shijian_domain::password::PasswordPolicy;
use shijian_domain::role::Role;
use shijian_storage::users::{self, NewUser};
use shijian_storage::{Actor, RequestCtx, Store};

/// The password of every demo account (also listed in the README).
pub const DEMO_PASSWORD: &str = "Demo@2026jm";

/// The second-factor (TOTP) secret of the demo accounts whose role requires one (also in
/// the README; any authenticator app, or `oathtool --totp -b SECRET`, gives the code).
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// (username prefix, jurisdiction code, Chinese name) of the jurisdictions that get demo accounts.
pub const DEMO_JURISDICTIONS: [(&str, &str, &str); 9] = [
    ("jingmen", "420800", "荆门市"),
    ("dongbao", "420802", "东宝区"),
    ("duodao", "420804", "掇刀区"),
    ("shayang", "420822", "沙洋县"),
    ("zhongxiang", "420881", "钟祥市"),
    ("jingshan", "420882", "京山市"),
    ("zhanghe", "zhanghe", "漳河新区"),
    ("qujialing", "qujialing", "屈家岭管理区"),
    ("gaoxin", "gaoxin", "荆门高新区"),
];

/// The demo username for a jurisdiction prefix and role, e.g. `zhongxiang.officer`.
#[must_use]
pub fn demo_username(prefix: &str, role: Role) -> String {
    format!("{prefix}.{}", role.as_str())
}

/// Creates the demo accounts if the database has no accounts yet. Returns the usernames
/// created (empty if accounts already existed).
pub async fn ensure_demo_accounts(
    store: &Store,
    totp_roles: &[Role],
) -> anyhow::Result<Vec<String>> {
    if users::any_exist(store).await? {
        return Ok(Vec::new());
    }
    let actor = Actor::system("demo");
    let ctx = RequestCtx::local("demo");
    let policy = PasswordPolicy::default();
    let mut created = Vec::new();
    for (prefix, code, name) in DEMO_JURISDICTIONS {
        for role in Role::ALL {
            let new = NewUser {
                username: demo_username(prefix, role),
                display_name: format!("{name}{}（演示）", role.label()),
                role,
                jurisdiction: code.to_owned(),
                password: DEMO_PASSWORD.to_owned(),
            };
            let u = users::create(store, &actor, &ctx, new, &policy)
                .await
                .with_context(|| format!("creating demo account {prefix}.{role}"))?;
            if totp_roles.contains(&role) {
                shijian_storage::totp::enrol_known_secret(
                    store,
                    &actor,
                    &ctx,
                    u.id,
                    DEMO_TOTP_SECRET,
                )
                .await?;
            }
            created.push(u.username);
        }
    }
    Ok(created)
}

/// Creates the first system administrator `admin` if there are no accounts. The password
/// comes from `SHIJIAN_ADMIN_PASSWORD` or is generated; returns it when generated so the
/// caller prints it once.
pub async fn ensure_first_admin(
    store: &Store,
    policy: &PasswordPolicy,
) -> anyhow::Result<Option<String>> {
    if users::any_exist(store).await? {
        return Ok(None);
    }
    let (password, generated) = match std::env::var("SHIJIAN_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (generate_password(), true),
    };
    let new = NewUser {
        username: "admin".into(),
        display_name: "系统管理员".into(),
        role: Role::SystemAdmin,
        jurisdiction: shijian_domain::division::CITY_CODE.into(),
        password: password.clone(),
    };
    users::create(store, &Actor::system("bootstrap"), &RequestCtx::local("bootstrap"), new, policy)
        .await
        .context("creating the first administrator (check SHIJIAN_ADMIN_PASSWORD against the password policy)")?;
    Ok(generated.then_some(password))
}

/// A random password that satisfies the default policy (four classes, 20 characters).
fn generate_password() -> String {
    use rand::seq::SliceRandom;
    use rand::Rng;
    const SETS: [&[u8]; 4] = [
        b"abcdefghijkmnpqrstuvwxyz",
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"23456789",
        b"-_.@#%+=",
    ];
    let mut rng = rand::rngs::OsRng;
    let mut chars: Vec<u8> = SETS.iter().map(|s| s[rng.gen_range(0..s.len())]).collect();
    let all: Vec<u8> = SETS.concat();
    while chars.len() < 20 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_meet_the_policy() {
        for _ in 0..200 {
            let p = generate_password();
            assert!(PasswordPolicy::default().check("admin", &p).is_ok(), "{p}");
        }
    }

    #[test]
    fn demo_password_meets_the_policy() {
        for (prefix, _, _) in DEMO_JURISDICTIONS {
            for role in Role::ALL {
                assert!(PasswordPolicy::default()
                    .check(&demo_username(prefix, role), DEMO_PASSWORD)
                    .is_ok());
            }
        }
    }
}

/// Options of `shijian demo`. (Being written: issue #7.)
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {}

/// `shijian demo`: fills an empty database with the synthetic city. (Being written: issue #7.)
pub async fn run_command(_store: &Store, _args: &DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("尚未实现")
}

/// Called by `serve --demo` after the accounts: generates the demo data on an empty
/// registry. (Being written: issue #7.)
pub async fn ensure_demo_data(_store: &Store) -> anyhow::Result<()> {
    Ok(())
}
