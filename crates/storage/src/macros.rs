//! The macros that run one piece of SQL on whichever backend a store uses. The body is
//! compiled once per backend, so each instantiation is type-checked against its driver.

/// Runs `$body` with `$c` bound to the read pool of whichever backend `$store` uses.
macro_rules! on_pool {
    ($store:expr, $c:ident => $body:expr) => {
        match &$store.backend {
            $crate::db::Backend::Sqlite { read, .. } => {
                let $c = read;
                $body
            }
            $crate::db::Backend::Postgres(pool) => {
                let $c = pool;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the open transaction of a [`crate::WriteTx`].
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::write::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::write::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to a pool that may write, for the few statements that are
/// bookkeeping rather than changes of record (session liveness, idempotency reservations,
/// job leases) and so run outside a [`crate::WriteTx`].
macro_rules! on_writer {
    ($store:expr, $c:ident => $body:expr) => {
        match &$store.backend {
            $crate::db::Backend::Sqlite { write, .. } => {
                let $c = write;
                $body
            }
            $crate::db::Backend::Postgres(pool) => {
                let $c = pool;
                $body
            }
        }
    };
}
