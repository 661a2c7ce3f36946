-- Foundation schema (SQLite). Kept column-for-column in step with ../postgres/0001_foundation.sql;
-- the schema comparison test fails if they drift. Declared types use the PostgreSQL names so
-- both catalogues read alike; SQLite stores timestamps as ISO-8601 text.

CREATE TABLE division (
    code        TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county', 'township')),
    parent_code TEXT
);

CREATE TABLE jurisdiction (
    code        TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('city', 'county', 'zone', 'station')),
    parent_code TEXT REFERENCES jurisdiction (code),
    sort_order  BIGINT NOT NULL
);

CREATE TABLE jurisdiction_division (
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdiction (code),
    division_code     TEXT NOT NULL REFERENCES division (code),
    prefix            TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_code, division_code)
);

-- viewer covers covered when every division of covered lies inside a division of viewer.
CREATE VIEW jurisdiction_cover AS
SELECT v.code AS viewer, c.code AS covered
FROM jurisdiction v, jurisdiction c
WHERE NOT EXISTS (
    SELECT 1 FROM jurisdiction_division cd
    WHERE cd.jurisdiction_code = c.code
      AND NOT EXISTS (
          SELECT 1 FROM jurisdiction_division vd
          WHERE vd.jurisdiction_code = v.code AND cd.prefix LIKE vd.prefix || '%'));

CREATE TABLE app_user (
    id                  INTEGER NOT NULL PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('system_admin', 'audit_admin', 'security_admin',
                                                      'leader', 'officer', 'enterprise', 'integration')),
    jurisdiction_code   TEXT NOT NULL REFERENCES jurisdiction (code),
    password_hash       TEXT NOT NULL,
    password_changed_at TIMESTAMPTZ NOT NULL,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins       BIGINT NOT NULL DEFAULT 0,
    locked_until        TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX app_user_jurisdiction ON app_user (jurisdiction_code);

CREATE TABLE session (
    token_hash   TEXT NOT NULL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    kind         TEXT NOT NULL CHECK (kind IN ('browser', 'api')),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_by_user ON session (user_id);

-- Append-only, hash-chained. seq is assigned under the log_head row, so it has no gaps.
CREATE TABLE audit_log (
    seq                BIGINT NOT NULL PRIMARY KEY,
    at                 TIMESTAMPTZ NOT NULL,
    actor              TEXT NOT NULL,
    actor_role         TEXT NOT NULL,
    actor_jurisdiction TEXT NOT NULL,
    action             TEXT NOT NULL,
    object_type        TEXT NOT NULL,
    object_id          TEXT NOT NULL,
    jurisdiction_code  TEXT NOT NULL,
    result             TEXT NOT NULL,
    request_id         TEXT NOT NULL,
    change_digest      TEXT NOT NULL,
    hash_alg           TEXT NOT NULL,
    prev_hash          TEXT NOT NULL,
    hash               TEXT NOT NULL
);
CREATE INDEX audit_log_jurisdiction ON audit_log (jurisdiction_code, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The ordered domain event log (change feed). Append-only; seq has no gaps and commits in order.
CREATE TABLE event (
    seq               BIGINT NOT NULL PRIMARY KEY,
    at                TIMESTAMPTZ NOT NULL,
    event_type        TEXT NOT NULL,
    object_type       TEXT NOT NULL,
    object_id         TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    request_id        TEXT NOT NULL,
    audit_seq         BIGINT NOT NULL,
    payload           TEXT NOT NULL
);
CREATE INDEX event_jurisdiction ON event (jurisdiction_code, seq);

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'event is append-only'); END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN SELECT RAISE(ABORT, 'event is append-only'); END;

-- One row: the heads of the audit chain and the event log. Every write transaction locks it
-- last, which orders the audit chain and makes event sequence numbers commit in order.
CREATE TABLE log_head (
    id         BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    audit_seq  BIGINT NOT NULL,
    audit_hash TEXT NOT NULL,
    event_seq  BIGINT NOT NULL
);
INSERT INTO log_head (id, audit_seq, audit_hash, event_seq)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);

CREATE TABLE idempotency_key (
    principal    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'applied', 'done')),
    status       BIGINT,
    content_type TEXT,
    body         TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (principal, idem_key)
);

CREATE TABLE job_state (
    name         TEXT NOT NULL PRIMARY KEY,
    lease_holder TEXT,
    lease_until  TIMESTAMPTZ,
    last_run_for TEXT,
    last_run_at  TIMESTAMPTZ,
    last_result  TEXT
);
