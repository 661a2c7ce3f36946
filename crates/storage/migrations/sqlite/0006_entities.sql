-- Market entities, first slice: the registered facts an import from an existing system
-- brings, with the legal representative's ID number and the phone number sealed at rest
-- (AES-256-GCM, keys outside the database) and found through a keyed hash (blind index).
-- The registry issues extend this table. Same SQL on both backends.
CREATE TABLE entity (
    uscc                  TEXT NOT NULL PRIMARY KEY,
    name                  TEXT NOT NULL,
    entity_type           TEXT NOT NULL CHECK (entity_type IN ('enterprise', 'individual_business', 'cooperative')),
    legal_rep             TEXT NOT NULL,
    legal_rep_id_sealed   TEXT,
    legal_rep_id_index    TEXT,
    phone_sealed          TEXT,
    phone_index           TEXT,
    division_code         TEXT NOT NULL,
    established_on        TEXT,
    status                TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX entity_division ON entity (division_code);
CREATE INDEX entity_legal_rep_id ON entity (legal_rep_id_index);
CREATE INDEX entity_phone ON entity (phone_index);
