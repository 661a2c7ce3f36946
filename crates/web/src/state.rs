//! The state every handler shares: the store and the web configuration.

use crate::metrics::Metrics;
use shijian_domain::password::PasswordPolicy;
use shijian_storage::sessions::SessionPolicy;
use shijian_storage::Store;
use std::sync::Arc;

/// Settings the web layer needs.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    pub session_policy: SessionPolicy,
    pub password_policy: PasswordPolicy,
    /// Mark cookies `Secure` and use the `__Host-` prefix (set when served behind TLS).
    pub secure_cookies: bool,
    /// Enables `/__test/*` routes used by the test suite (never in production).
    pub test_hooks: bool,
    pub rate_limits: crate::limits::RateLimits,
    /// The address the public reaches the disclosure portal at (e.g.
    /// `https://gs.jingmen.example`), used in the signed links of licence QR codes.
    pub public_base_url: String,
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// This process's entity search projection, kept current from the event log.
    pub entity_index: Arc<shijian_storage::entity_index::EntityIndex>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    pub limiter: Arc<crate::limits::Limiter>,
}

impl AppState {
    #[must_use]
    pub fn new(
        store: Store,
        config: WebConfig,
        entity_index: Arc<shijian_storage::entity_index::EntityIndex>,
    ) -> Self {
        Self {
            store,
            entity_index,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            limiter: Arc::new(crate::limits::Limiter::default()),
        }
    }

    /// The pre-sign-in CSRF cookie's name (`__Host-` prefixed behind TLS).
    #[must_use]
    pub fn login_csrf_cookie(&self) -> &'static str {
        if self.config.secure_cookies {
            "__Host-shijian_login_csrf"
        } else {
            "shijian_login_csrf"
        }
    }

    /// The session cookie's name (`__Host-` prefixed behind TLS).
    #[must_use]
    pub fn session_cookie(&self) -> &'static str {
        if self.config.secure_cookies {
            "__Host-shijian_session"
        } else {
            "shijian_session"
        }
    }
}
