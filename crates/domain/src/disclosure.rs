//! The disclosure policy of the public portal: which registered items of each kind of
//! entity are shown to the public, masked or withheld, and on what legal basis. Every
//! public page and public API answer applies this table; nothing public reads an item
//! that is not in it.
//!
//! Sources: 市场主体登记管理条例 Art.8–9 and 35 (registered items are public through the
//! national credit information publicity system); 企业信息公示暂行条例 Art.6 (registration
//! information the bureau generates is public); 个人信息保护法 Art.13, 27–28 (a natural
//! person's information that is not a registered public item of an enterprise is
//! protected; ID numbers are sensitive personal information); 个体工商户条例 (the operator
//! of an individual business is a private person).

use crate::entity::EntityKind;
use crate::masking;

/// How an item appears in public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// As registered.
    Full,
    /// Through the shared masking function for its kind of value.
    Masked,
    /// Not at all.
    Withheld,
}

/// An item of the registry as the public portal treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Stable key, e.g. `legal_rep`.
    pub key: &'static str,
    /// Chinese label for the public page.
    pub label_zh: &'static str,
    pub shown: Shown,
    /// The legal basis of showing or withholding it, in Chinese.
    pub basis: &'static str,
}

const REGISTERED: &str =
    "《市场主体登记管理条例》第八条、第三十五条；《企业信息公示暂行条例》第六条";
const PERSONAL: &str =
    "《个人信息保护法》第十三条、第二十八条：个体工商户经营者为自然人，其姓名仅作去标识化展示";
const SENSITIVE: &str =
    "《个人信息保护法》第二十八条：身份证件号码、联系电话为敏感或可识别个人信息，不予公开";

const fn item(
    key: &'static str,
    label_zh: &'static str,
    shown: Shown,
    basis: &'static str,
) -> Item {
    Item {
        key,
        label_zh,
        shown,
        basis,
    }
}

/// Enterprises and farmers' cooperatives: the registered items are public, including the
/// legal representative (a registered item); personal identifiers are not.
pub const ENTERPRISE: &[Item] = &[
    item("name", "名称", Shown::Full, REGISTERED),
    item("uscc", "统一社会信用代码", Shown::Full, REGISTERED),
    item("enterprise_type", "类型", Shown::Full, REGISTERED),
    item("legal_rep", "法定代表人", Shown::Full, REGISTERED),
    item("domicile", "住所", Shown::Full, REGISTERED),
    item("registered_capital", "注册资本", Shown::Full, REGISTERED),
    item("established_on", "成立日期", Shown::Full, REGISTERED),
    item("business_scope", "经营范围", Shown::Full, REGISTERED),
    item(
        "registration_authority",
        "登记机关",
        Shown::Full,
        REGISTERED,
    ),
    item("status", "登记状态", Shown::Full, REGISTERED),
    item(
        "legal_rep_id",
        "法定代表人身份证件号码",
        Shown::Withheld,
        SENSITIVE,
    ),
    item("phone", "联系电话", Shown::Withheld, SENSITIVE),
];

/// Individual businesses: the operator is a private person, shown masked (张*); the
/// business premises are often the operator's home and are masked too.
pub const INDIVIDUAL_BUSINESS: &[Item] = &[
    item("name", "名称", Shown::Full, REGISTERED),
    item("uscc", "统一社会信用代码", Shown::Full, REGISTERED),
    item("enterprise_type", "组成形式", Shown::Full, REGISTERED),
    item("legal_rep", "经营者", Shown::Masked, PERSONAL),
    item("domicile", "经营场所", Shown::Masked, PERSONAL),
    item("registered_capital", "资金数额", Shown::Withheld, PERSONAL),
    item("established_on", "注册日期", Shown::Full, REGISTERED),
    item("business_scope", "经营范围", Shown::Full, REGISTERED),
    item(
        "registration_authority",
        "登记机关",
        Shown::Full,
        REGISTERED,
    ),
    item("status", "登记状态", Shown::Full, REGISTERED),
    item(
        "legal_rep_id",
        "经营者身份证件号码",
        Shown::Withheld,
        SENSITIVE,
    ),
    item("phone", "联系电话", Shown::Withheld, SENSITIVE),
];

/// The policy for an entity of `kind`.
#[must_use]
pub fn policy(kind: EntityKind) -> &'static [Item] {
    match kind {
        EntityKind::Enterprise | EntityKind::Cooperative => ENTERPRISE,
        EntityKind::IndividualBusiness => INDIVIDUAL_BUSINESS,
    }
}

/// The public form of `value` of item `key` for an entity of `kind`, or `None` when the
/// item is withheld (or not in the policy at all).
#[must_use]
pub fn disclose(kind: EntityKind, key: &str, value: &str) -> Option<String> {
    let item = policy(kind).iter().find(|i| i.key == key)?;
    match item.shown {
        Shown::Full => Some(value.to_owned()),
        Shown::Withheld => None,
        Shown::Masked => Some(match key {
            "legal_rep" => masking::mask_name(value),
            "domicile" => masking::mask_address(value),
            _ => masking::mask_text_personal(value),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enterprise_shows_its_legal_representative_and_an_individual_business_masks_its_operator()
    {
        assert_eq!(
            disclose(EntityKind::Enterprise, "legal_rep", "张三丰").as_deref(),
            Some("张三丰")
        );
        assert_eq!(
            disclose(EntityKind::IndividualBusiness, "legal_rep", "张三丰").as_deref(),
            Some("张**")
        );
    }

    #[test]
    fn identifiers_are_never_disclosed_and_unknown_items_are_withheld() {
        for kind in EntityKind::ALL {
            assert_eq!(disclose(kind, "legal_rep_id", "420802199001011234"), None);
            assert_eq!(disclose(kind, "phone", "13800001234"), None);
            assert_eq!(disclose(kind, "anything_else", "x"), None);
            for i in policy(kind) {
                assert!(i.basis.contains('《'), "{} has no basis", i.key);
            }
        }
    }
}
