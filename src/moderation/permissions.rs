//! Who may change the facts: a pure rule, so it can be tested without Discord and enforced in
//! code even when Discord's `default_member_permissions` hides the commands already.
//!
//! The fact base is shared by every server the bot is in, so rights in *a* server are not enough:
//! only the home servers listed in `STRIKEFACTS_MODERATOR_GUILDS` own the facts. In a home server
//! a member may moderate with the Manage Messages or Manage Server permission (Administrator
//! implies both), or with one of the roles listed in `STRIKEFACTS_MODERATOR_ROLES`.

use serde::{Deserialize, Serialize};

/// Discord's permission bits (see Discord's "Permissions" reference).
pub const ADMINISTRATOR: u64 = 1 << 3;
pub const MANAGE_GUILD: u64 = 1 << 5;
pub const MANAGE_MESSAGES: u64 = 1 << 13;

/// The environment variable with the extra moderator role ids, comma-separated.
pub const ROLES_ENV: &str = "STRIKEFACTS_MODERATOR_ROLES";
/// The environment variable with the home servers' guild ids, comma-separated.
pub const GUILDS_ENV: &str = "STRIKEFACTS_MODERATOR_GUILDS";

/// Whether a member with these permission bits and roles may moderate (in a home server).
pub fn may_moderate(permissions_bits: u64, roles: &[u64], allowed_roles: &[u64]) -> bool {
    permissions_bits & (MANAGE_MESSAGES | MANAGE_GUILD | ADMINISTRATOR) != 0
        || roles.iter().any(|r| allowed_roles.contains(r))
}

/// Where a moderator command, button or form came from, as far as moderation is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A server listed in `STRIKEFACTS_MODERATOR_GUILDS`.
    Home,
    /// Another server: its admins may not change the shared facts.
    OtherServer,
    /// A direct message: there is no server whose moderator this could be.
    Direct,
    /// No home server is configured: moderation from Discord is off.
    NoHomes,
}

/// Classifies a guild (none in a DM) against the home servers.
pub fn place_of(guild: Option<u64>, home_guilds: &[u64]) -> Place {
    match guild {
        _ if home_guilds.is_empty() => Place::NoHomes,
        None => Place::Direct,
        Some(g) if home_guilds.contains(&g) => Place::Home,
        Some(_) => Place::OtherServer,
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var} must be ids separated by commas; {value:?} is not an id")]
pub struct IdsError {
    pub var: &'static str,
    pub value: String,
}

/// Parses `"123, 456"` (ids of `var`); empty parts are ignored so a trailing comma is harmless.
pub fn parse_ids(var: &'static str, text: &str) -> Result<Vec<u64>, IdsError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<u64>().map_err(|_| IdsError {
                var,
                value: s.to_string(),
            })
        })
        .collect()
}

/// The ids in environment variable `var` (none when unset).
pub fn ids_from_env(var: &'static str) -> Result<Vec<u64>, IdsError> {
    match std::env::var(var) {
        Ok(v) => parse_ids(var, &v),
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
        assert_eq!(parse_ids(ROLES_ENV, " 1, 2,,"), Ok(vec![1, 2]));
        assert!(parse_ids(ROLES_ENV, "1,x").is_err());
    }

    #[test]
    fn only_home_servers_may_moderate() {
        assert_eq!(place_of(Some(7), &[7, 8]), Place::Home);
        assert_eq!(place_of(Some(9), &[7, 8]), Place::OtherServer);
        assert_eq!(place_of(None, &[7]), Place::Direct);
        assert_eq!(place_of(Some(7), &[]), Place::NoHomes);
        assert_eq!(place_of(None, &[]), Place::NoHomes);
    }
}
