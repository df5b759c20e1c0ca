//! Who may change the facts: a pure rule, so it can be tested without Discord and enforced in
//! code even when Discord's `default_member_permissions` hides the commands already.
//!
//! A member may moderate with the Manage Messages or Manage Server permission (Administrator
//! implies both), or with one of the roles listed in `STRIKEFACTS_MODERATOR_ROLES`.

use serde::{Deserialize, Serialize};

/// Discord's permission bits (see Discord's "Permissions" reference).
pub const ADMINISTRATOR: u64 = 1 << 3;
pub const MANAGE_GUILD: u64 = 1 << 5;
pub const MANAGE_MESSAGES: u64 = 1 << 13;

/// The environment variable with the extra moderator role ids, comma-separated.
pub const ROLES_ENV: &str = "STRIKEFACTS_MODERATOR_ROLES";

/// Whether a member with these permission bits and roles may moderate.
pub fn may_moderate(permissions_bits: u64, roles: &[u64], allowed_roles: &[u64]) -> bool {
    permissions_bits & (MANAGE_MESSAGES | MANAGE_GUILD | ADMINISTRATOR) != 0
        || roles.iter().any(|r| allowed_roles.contains(r))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{ROLES_ENV} must be role ids separated by commas; {0:?} is not a role id")]
pub struct RolesError(pub String);

/// Parses `"123, 456"`; empty parts are ignored so a trailing comma is harmless.
pub fn parse_role_ids(text: &str) -> Result<Vec<u64>, RolesError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u64>().map_err(|_| RolesError(s.to_string())))
        .collect()
}

/// The moderator roles from the environment (none when unset).
pub fn roles_from_env() -> Result<Vec<u64>, RolesError> {
    match std::env::var(ROLES_ENV) {
        Ok(v) => parse_role_ids(&v),
        Err(_) => Ok(Vec::new()),
    }
}

/// Who is making a change: recorded in the audit log and in `retired.by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// A display name (Discord) or a user name (shell).
    pub name: String,
    /// The Discord user id, when the change comes from Discord.
    pub id: Option<u64>,
}

impl Actor {
    pub fn new(name: impl Into<String>) -> Actor {
        Actor {
            name: name.into(),
            id: None,
        }
    }

    pub fn discord(id: u64, name: impl Into<String>) -> Actor {
        Actor {
            name: name.into(),
            id: Some(id),
        }
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_and_roles() {
        assert!(may_moderate(MANAGE_MESSAGES, &[], &[]));
        assert!(may_moderate(MANAGE_GUILD | 1, &[], &[]));
        assert!(may_moderate(ADMINISTRATOR, &[], &[]));
        assert!(!may_moderate(1 << 11, &[5], &[6]));
        assert!(may_moderate(0, &[5, 6], &[6]));
        assert!(!may_moderate(0, &[], &[6]));
        assert_eq!(parse_role_ids(" 1, 2,,"), Ok(vec![1, 2]));
        assert!(parse_role_ids("1,x").is_err());
    }
}
