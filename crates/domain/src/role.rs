//! Roles and the permission matrix, including the separation of duties (三员分立).
//!
//! This is the one place that says which role may do what. Handlers ask
//! [`Role::can`]; the matrix below is tested row by row.
//!
//! - `system_admin` (系统管理员) manages accounts' lifecycle and configuration, never the
//!   audit trail, and cannot grant roles.
//! - `security_admin` (安全管理员) assigns roles and jurisdictions.
//! - `audit_admin` (审计管理员) reads the audit trail and changes nothing.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role. The identifiers are the ones used in the CLI, the API and the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    AuditAdmin,
    SecurityAdmin,
    Leader,
    Officer,
    Enterprise,
    Integration,
}

/// Something a role may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the staff home page and the module navigation.
    UseStaffPortal,
    /// List and read user accounts.
    ReadUsers,
    /// Create accounts of non-administrator roles.
    CreateUser,
    /// Disable and enable accounts, reset passwords.
    ManageAccountLifecycle,
    /// Change another user's role or jurisdiction, or create administrators.
    AssignRoles,
    /// Read the audit trail.
    ReadAudit,
    /// Read the event log (change feed).
    ReadEvents,
    /// Change configuration and reference data, run jobs by hand.
    ManageConfiguration,
    /// Find and read market entities (inside the jurisdiction).
    ReadEntities,
    /// Register entities and carry out their lifecycle (establish, amend, dormancy,
    /// deregistration, revocation …).
    RegisterEntities,
    /// Bulk-import entities from an existing system.
    ImportEntities,
    /// Export entity lists.
    ExportEntities,
}

impl Role {
    /// Every role, in the order they are shown.
    pub const ALL: [Role; 7] = [
        Role::SystemAdmin,
        Role::AuditAdmin,
        Role::SecurityAdmin,
        Role::Leader,
        Role::Officer,
        Role::Enterprise,
        Role::Integration,
    ];

    /// The identifier used in the CLI, API and database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::AuditAdmin => "audit_admin",
            Role::SecurityAdmin => "security_admin",
            Role::Leader => "leader",
            Role::Officer => "officer",
            Role::Enterprise => "enterprise",
            Role::Integration => "integration",
        }
    }

    /// The Chinese name shown to people.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::AuditAdmin => "审计管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::Leader => "局领导",
            Role::Officer => "执法人员",
            Role::Enterprise => "企业用户",
            Role::Integration => "系统对接",
        }
    }

    /// Whether this is one of the three separated administrator roles.
    #[must_use]
    pub fn is_administrator(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::AuditAdmin | Role::SecurityAdmin
        )
    }

    /// Whether this role signs in to the staff web portal.
    #[must_use]
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Enterprise | Role::Integration)
    }

    /// The permission matrix.
    #[must_use]
    pub fn can(self, p: Permission) -> bool {
        use Permission as P;
        match self {
            Role::SystemAdmin => matches!(
                p,
                P::UseStaffPortal
                    | P::ReadUsers
                    | P::CreateUser
                    | P::ManageAccountLifecycle
                    | P::ReadEvents
                    | P::ManageConfiguration
                    | P::ImportEntities
            ),
            Role::SecurityAdmin => matches!(p, P::UseStaffPortal | P::ReadUsers | P::AssignRoles),
            Role::AuditAdmin => matches!(p, P::UseStaffPortal | P::ReadAudit),
            Role::Leader => matches!(p, P::UseStaffPortal | P::ReadEntities | P::ExportEntities),
            Role::Officer => matches!(
                p,
                P::UseStaffPortal
                    | P::ReadEntities
                    | P::RegisterEntities
                    | P::ImportEntities
                    | P::ExportEntities
            ),
            Role::Enterprise => false,
            Role::Integration => matches!(p, P::ReadEvents | P::ReadEntities),
        }
    }

    /// Whether an actor of this role may create an account with role `new_role`.
    /// Administrators are created only by the security administrator, who grants roles.
    #[must_use]
    pub fn may_create(self, new_role: Role) -> bool {
        (self.can(Permission::CreateUser) && !new_role.is_administrator())
            || self.can(Permission::AssignRoles)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string is not a role identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知角色：{0}（可选：system_admin、audit_admin、security_admin、leader、officer、enterprise、integration）")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission as P;

    const PERMS: [Permission; 12] = [
        P::UseStaffPortal,
        P::ReadUsers,
        P::CreateUser,
        P::ManageAccountLifecycle,
        P::AssignRoles,
        P::ReadAudit,
        P::ReadEvents,
        P::ManageConfiguration,
        P::ReadEntities,
        P::RegisterEntities,
        P::ImportEntities,
        P::ExportEntities,
    ];

    /// The full matrix, written out so a change to it is a visible change to this table.
    /// Columns follow `PERMS`.
    #[test]
    fn permission_matrix() {
        let expected: [(Role, [bool; 12]); 7] = [
            (
                Role::SystemAdmin,
                [
                    true, true, true, true, false, false, true, true, false, false, true, false,
                ],
            ),
            (
                Role::AuditAdmin,
                [
                    true, false, false, false, false, true, false, false, false, false, false,
                    false,
                ],
            ),
            (
                Role::SecurityAdmin,
                [
                    true, true, false, false, true, false, false, false, false, false, false, false,
                ],
            ),
            (
                Role::Leader,
                [
                    true, false, false, false, false, false, false, false, true, false, false, true,
                ],
            ),
            (
                Role::Officer,
                [
                    true, false, false, false, false, false, false, false, true, true, true, true,
                ],
            ),
            (Role::Enterprise, [false; 12]),
            (
                Role::Integration,
                [
                    false, false, false, false, false, false, true, false, true, false, false,
                    false,
                ],
            ),
        ];
        for (role, row) in expected {
            for (p, want) in PERMS.iter().zip(row) {
                assert_eq!(role.can(*p), want, "{role} {p:?}");
            }
        }
    }

    #[test]
    fn separation_of_duties() {
        // No role both administers and audits.
        for r in Role::ALL {
            assert!(
                !(r.can(P::ReadAudit) && r.can(P::ManageConfiguration)),
                "{r}"
            );
            assert!(!(r.can(P::ReadAudit) && r.can(P::AssignRoles)), "{r}");
            assert!(
                !(r.can(P::AssignRoles) && r.can(P::ManageConfiguration)),
                "{r}"
            );
        }
        assert!(!Role::SystemAdmin.may_create(Role::AuditAdmin));
        assert!(Role::SystemAdmin.may_create(Role::Officer));
        assert!(Role::SecurityAdmin.may_create(Role::AuditAdmin));
        assert!(!Role::AuditAdmin.may_create(Role::Officer));
    }

    #[test]
    fn identifiers_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
