-- Market entity registry, part 1: the registered and filed items of 市场主体登记管理条例
-- Art.8–9, every version of them with its effective date, the lifecycle's own records
-- (dormancy periods, simplified deregistration notices and objections, bars of 细则 Art.48,
-- succession links). Same SQL on both backends; dates are ISO text (YYYY-MM-DD).
ALTER TABLE entity ADD COLUMN enterprise_type TEXT;
ALTER TABLE entity ADD COLUMN domicile TEXT NOT NULL DEFAULT '';
ALTER TABLE entity ADD COLUMN additional_premises TEXT NOT NULL DEFAULT '[]';
ALTER TABLE entity ADD COLUMN registered_capital_fen BIGINT;
ALTER TABLE entity ADD COLUMN capital_currency TEXT NOT NULL DEFAULT 'CNY';
ALTER TABLE entity ADD COLUMN subscribed_capital_fen BIGINT;
ALTER TABLE entity ADD COLUMN paid_in_capital_fen BIGINT;
ALTER TABLE entity ADD COLUMN contribution_deadline TEXT;
ALTER TABLE entity ADD COLUMN business_scope TEXT NOT NULL DEFAULT '';
ALTER TABLE entity ADD COLUMN industry_code TEXT NOT NULL DEFAULT '';
ALTER TABLE entity ADD COLUMN registration_authority TEXT NOT NULL DEFAULT '';
ALTER TABLE entity ADD COLUMN parent_uscc TEXT;
ALTER TABLE entity ADD COLUMN listing TEXT NOT NULL DEFAULT '';
ALTER TABLE entity ADD COLUMN dormant_until TEXT;
ALTER TABLE entity ADD COLUMN received_at TIMESTAMPTZ;
ALTER TABLE entity ADD COLUMN issued_at TIMESTAMPTZ;
ALTER TABLE entity ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
CREATE INDEX entity_parent ON entity (parent_uscc);
CREATE INDEX entity_status ON entity (status);

-- Every version of an entity's registered items: `snapshot` is the JSON after-image with
-- personal data masked (the sealed values live only in `entity`); `effective_on` is the day
-- the change took legal effect, so `as_of` picks the last version effective on or before it.
CREATE TABLE entity_version (
    uscc          TEXT NOT NULL REFERENCES entity (uscc),
    version       BIGINT NOT NULL,
    effective_on  TEXT NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    action        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    snapshot      TEXT NOT NULL,
    PRIMARY KEY (uscc, version)
);
CREATE INDEX entity_version_effective ON entity_version (uscc, effective_on);

-- Dormancy periods (歇业, 条例 Art.30): `ends_on` as filed (extensions move it), `ended_on`
-- once business resumed (early, or automatically at the end by the job).
CREATE TABLE entity_dormancy (
    uscc        TEXT NOT NULL REFERENCES entity (uscc),
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    ended_on    TEXT,
    reason      TEXT NOT NULL,
    PRIMARY KEY (uscc, starts_on)
);

-- Simplified deregistration (简易注销, 条例 Art.33, 细则 Art.47–49): the public notice and
-- its outcome. `state`: notice (running), refused, deregistered, withdrawn.
CREATE TABLE simplified_deregistration (
    id            TEXT NOT NULL PRIMARY KEY,
    uscc          TEXT NOT NULL REFERENCES entity (uscc),
    notice_starts_on TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('notice', 'refused', 'deregistered', 'withdrawn')),
    decided_on    TEXT,
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX simplified_deregistration_entity ON simplified_deregistration (uscc);

CREATE TABLE deregistration_objection (
    id              TEXT NOT NULL PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES simplified_deregistration (id),
    objector_kind   TEXT NOT NULL CHECK (objector_kind IN ('department', 'creditor', 'other')),
    objector        TEXT NOT NULL,
    content         TEXT NOT NULL,
    received_on     TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX deregistration_objection_application ON deregistration_objection (application_id);

-- The other bars of 细则 Art.48 recorded against an entity (frozen equity, investigation,
-- litigation, unexecuted fines …); a bar holds while `lifted_at` is NULL.
CREATE TABLE entity_bar (
    id          TEXT NOT NULL PRIMARY KEY,
    uscc        TEXT NOT NULL REFERENCES entity (uscc),
    bar         TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMPTZ NOT NULL,
    lifted_at   TIMESTAMPTZ
);
CREATE INDEX entity_bar_entity ON entity_bar (uscc);

-- Succession (个转企, merger, split): history follows the entity from predecessor to successor.
CREATE TABLE entity_link (
    predecessor   TEXT NOT NULL REFERENCES entity (uscc),
    successor     TEXT NOT NULL REFERENCES entity (uscc),
    kind          TEXT NOT NULL CHECK (kind IN ('individual_to_enterprise', 'merger', 'split')),
    effective_on  TEXT NOT NULL,
    PRIMARY KEY (predecessor, successor)
);
CREATE INDEX entity_link_successor ON entity_link (successor);
