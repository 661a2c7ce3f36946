//! The search projection of market entities: an in-memory [`shijian_search::Index`] that
//! every server process builds from the `entity` table at start-up and then keeps current by
//! following the event log (a change made through any server is indexed by every other
//! within the follow interval). It is derived data only: dropping it loses nothing, and
//! `shijian reindex` records a `search.reindex` event that makes every follower rebuild.
//!
//! The name-check projection ([`crate::name_index::NameIndex`], reached through
//! [`EntityIndex::names`]) is built and followed with it: every entity event re-reads that
//! entity's blocking names too.
//!
//! Invariant: the index reflects the tables as of event `applied_seq()`. The build reads the
//! log head *before* loading the rows, so an entity changed during the load is re-read when
//! its event is followed; re-reading is idempotent (upsert by credit code).

use crate::actor::authorize;
use crate::jurisdictions::division_scope_filter;
use crate::name_index::NameIndex;
use crate::{entities, Actor, AuditResult, Change, RequestCtx, Result, Store};
use shijian_domain::role::Permission;
use shijian_search::{Cursor, Index, Page, Query};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Events read per round trip while following the log.
const FOLLOW_BATCH: i64 = 5000;

/// A search request as the API and the UI give it.
#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub q: String,
    /// A division code or prefix (a county's six digits, a township's nine).
    pub division: Option<String>,
    pub entity_type: Option<String>,
    pub status: Option<String>,
    pub industry: Option<String>,
    /// `abnormal`, `dishonesty` or `none`.
    pub listing: Option<String>,
    pub limit: usize,
    pub cursor: Option<String>,
}

/// The search projection of one process.
pub struct EntityIndex {
    index: RwLock<Index>,
    applied: AtomicI64,
    scopes: Mutex<HashMap<String, Arc<HashSet<String>>>>,
    names: NameIndex,
}

impl EntityIndex {
    /// Builds the index from the tables, then applies what the log recorded meanwhile.
    pub async fn build(store: &Store) -> Result<Arc<Self>> {
        let this = Arc::new(Self {
            index: RwLock::new(Index::new()),
            applied: AtomicI64::new(0),
            scopes: Mutex::new(HashMap::new()),
            names: NameIndex::new(store).await?,
        });
        this.rebuild(store).await?;
        Ok(this)
    }

    async fn rebuild(&self, store: &Store) -> Result<()> {
        let head = event_head(store).await?;
        let mut fresh = Index::new();
        let mut docs = Vec::with_capacity(20_000);
        entities::load_search_docs(store, |d| docs.push(d)).await?;
        fresh.extend(docs);
        *self.index.write().expect("index lock") = fresh;
        self.names.rebuild(store).await?;
        self.applied.store(head, Ordering::SeqCst);
        self.catch_up(store).await?;
        Ok(())
    }

    /// The name-check projection, current as of [`EntityIndex::applied_seq`].
    #[must_use]
    pub fn names(&self) -> &NameIndex {
        &self.names
    }

    /// The last event seq the index reflects.
    #[must_use]
    pub fn applied_seq(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Number of indexed entities.
    #[must_use]
    pub fn len(&self) -> usize {
        self.index.read().expect("index lock").len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Applies the events after `applied_seq()`; returns how many entities were re-read.
    pub async fn catch_up(&self, store: &Store) -> Result<usize> {
        let mut touched = 0;
        loop {
            let after = self.applied_seq();
            let rows: Vec<(i64, String, String, String)> = on_pool!(store, c => sqlx::query_as(
                "SELECT seq, event_type, object_type, object_id FROM event WHERE seq > $1 \
                 ORDER BY seq LIMIT $2")
                .bind(after).bind(FOLLOW_BATCH).fetch_all(c).await)?;
            let Some(last) = rows.last().map(|r| r.0) else {
                return Ok(touched);
            };
            if rows.iter().any(|r| r.1 == "search.reindex") {
                Box::pin(self.rebuild(store)).await?;
                return Ok(touched + self.len());
            }
            let mut usccs: Vec<&str> = rows
                .iter()
                .filter(|r| r.2 == "entity")
                .map(|r| r.3.as_str())
                .collect();
            usccs.sort_unstable();
            usccs.dedup();
            for &uscc in &usccs {
                let doc = entities::search_doc(store, uscc).await?;
                let mut index = self.index.write().expect("index lock");
                match doc {
                    Some(d) => index.upsert(d),
                    None => {
                        index.remove(uscc);
                    }
                }
                touched += 1;
            }
            self.names.refresh(store, &usccs).await?;
            self.applied.store(last, Ordering::SeqCst);
        }
    }

    /// Follows the log every `interval` until the process ends.
    pub fn spawn_follower(
        self: &Arc<Self>,
        store: Store,
        interval: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = this.catch_up(&store).await {
                    tracing::warn!(error = %e, "search index follow failed; retrying");
                }
            }
        })
    }

    /// The divisions inside a jurisdiction (cached; the division table is reference data).
    async fn scope(&self, store: &Store, jurisdiction: &str) -> Result<Arc<HashSet<String>>> {
        if let Some(s) = self.scopes.lock().expect("scope lock").get(jurisdiction) {
            return Ok(Arc::clone(s));
        }
        let sql = format!(
            "SELECT code FROM division WHERE {}",
            division_scope_filter("division.code", 1)
        );
        let codes: Vec<String> =
            on_pool!(store, c => sqlx::query_scalar(&sql).bind(jurisdiction).fetch_all(c).await)?;
        let set = Arc::new(codes.into_iter().collect::<HashSet<_>>());
        self.scopes
            .lock()
            .expect("scope lock")
            .insert(jurisdiction.to_owned(), Arc::clone(&set));
        Ok(set)
    }

    /// Searches inside the actor's jurisdiction. Staff queries also match the legal
    /// representative's name. Returns the page and the indexed documents of its hits.
    pub async fn search(
        &self,
        store: &Store,
        actor: &Actor,
        ctx: &RequestCtx,
        p: &SearchParams,
    ) -> Result<(Page, Vec<shijian_search::Doc>)> {
        authorize(store, actor, ctx, Permission::ReadEntities, "entity.search").await?;
        let scope = self.scope(store, &actor.jurisdiction).await?;
        let divisions: HashSet<String> = match &p.division {
            Some(prefix) => scope
                .iter()
                .filter(|c| c.starts_with(prefix.as_str()))
                .cloned()
                .collect(),
            None => (*scope).clone(),
        };
        let query = Query {
            text: p.q.clone(),
            include_legal_rep: actor.role.is_staff(),
            divisions: Some(divisions),
            entity_type: p.entity_type.clone(),
            status: p.status.clone(),
            industry_prefix: p.industry.clone(),
            listing: p.listing.clone(),
            limit: p.limit.clamp(1, 200),
            after: p.cursor.as_deref().and_then(Cursor::decode),
        };
        let index = self.index.read().expect("index lock");
        let page = index.search(&query);
        let docs = page
            .hits
            .iter()
            .filter_map(|h| index.get(&h.uscc).map(|d| d.to_doc()))
            .collect();
        Ok((page, docs))
    }

    /// Every credit code matching the search (for exporting search results), in no
    /// particular order; bounded by `max`.
    pub async fn all_matches(
        &self,
        store: &Store,
        actor: &Actor,
        ctx: &RequestCtx,
        p: &SearchParams,
        max: usize,
    ) -> Result<Vec<String>> {
        let mut p = p.clone();
        p.limit = 200;
        p.cursor = None;
        let mut out = Vec::new();
        loop {
            let (page, _) = self.search(store, actor, ctx, &p).await?;
            out.extend(page.hits.into_iter().map(|h| h.uscc));
            match page.next {
                Some(next) if out.len() < max => p.cursor = Some(next.encode()),
                _ => return Ok(out),
            }
        }
    }
}

async fn event_head(store: &Store) -> Result<i64> {
    Ok(
        on_pool!(store, c => sqlx::query_scalar("SELECT event_seq FROM log_head WHERE id = 1")
            .fetch_one(c).await)?,
    )
}

/// Asks every server to rebuild its search index from the tables (`shijian reindex`):
/// records a `search.reindex` event, audited.
pub async fn request_reindex(store: &Store, actor: &Actor, ctx: &RequestCtx) -> Result<()> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ManageConfiguration,
        "search.reindex",
    )
    .await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    tx.record(Change {
        action: "search.reindex",
        object_type: "search_index",
        object_id: "entity".to_owned(),
        jurisdiction_code: actor.jurisdiction.clone(),
        result: AuditResult::Ok,
        after: Some(serde_json::json!({ "index": "entity" })),
    })
    .await?;
    tx.commit().await
}
