-- Registry part 2 (issue #6): annual reports, the abnormal operations list and the serious
-- dishonesty list, removal applications, and numbered decision documents.

-- The issuing bureau of each jurisdiction: its full name on documents, the prefix of its
-- document numbers (荆市监异列〔2026〕1号) and the body that hears an administrative review
-- of its decisions. Data, editable; the values below are this bureau's best knowledge.
ALTER TABLE jurisdiction ADD COLUMN bureau_name TEXT NOT NULL DEFAULT '';
ALTER TABLE jurisdiction ADD COLUMN document_prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE jurisdiction ADD COLUMN review_body TEXT NOT NULL DEFAULT '';
UPDATE jurisdiction SET bureau_name = '荆门市市场监督管理局', document_prefix = '荆市监', review_body = '荆门市人民政府' WHERE code = '420800';
UPDATE jurisdiction SET bureau_name = '荆门市东宝区市场监督管理局', document_prefix = '东市监', review_body = '荆门市东宝区人民政府' WHERE code = '420802';
UPDATE jurisdiction SET bureau_name = '荆门市掇刀区市场监督管理局', document_prefix = '掇市监', review_body = '荆门市掇刀区人民政府' WHERE code = '420804';
UPDATE jurisdiction SET bureau_name = '沙洋县市场监督管理局', document_prefix = '沙市监', review_body = '沙洋县人民政府' WHERE code = '420822';
UPDATE jurisdiction SET bureau_name = '钟祥市市场监督管理局', document_prefix = '钟市监', review_body = '钟祥市人民政府' WHERE code = '420881';
UPDATE jurisdiction SET bureau_name = '京山市市场监督管理局', document_prefix = '京市监', review_body = '京山市人民政府' WHERE code = '420882';
UPDATE jurisdiction SET bureau_name = '荆门市市场监督管理局漳河新区分局', document_prefix = '荆市监漳', review_body = '荆门市人民政府' WHERE code = 'zhanghe';
UPDATE jurisdiction SET bureau_name = '荆门市市场监督管理局屈家岭管理区分局', document_prefix = '荆市监屈', review_body = '荆门市人民政府' WHERE code = 'qujialing';
UPDATE jurisdiction SET bureau_name = '荆门市市场监督管理局高新区分局', document_prefix = '荆市监高', review_body = '荆门市人民政府' WHERE code = 'gaoxin';

-- An enterprise account acts for one entity (its annual reports, its removal applications).
ALTER TABLE app_user ADD COLUMN entity_uscc TEXT;

-- Annual reports (企业信息公示暂行条例 Art.8-9, 细则 Art.63). One row per filing; a
-- correction before 30 June is a new revision and both stay visible (Art.12).
CREATE TABLE annual_report (
    id            TEXT NOT NULL PRIMARY KEY,
    uscc          TEXT NOT NULL REFERENCES entity (uscc),
    report_year   BIGINT NOT NULL,
    revision      BIGINT NOT NULL,
    filed_on      TEXT NOT NULL,
    filed_at      TIMESTAMPTZ NOT NULL,
    filed_by      TEXT NOT NULL,
    -- JSON: the report's sections; the contact phone inside is sealed.
    content       TEXT NOT NULL,
    -- JSON array of the optional sections the filer made public.
    public_parts  TEXT NOT NULL,
    late          BOOLEAN NOT NULL,
    UNIQUE (uscc, report_year, revision)
);
CREATE INDEX annual_report_year ON annual_report (report_year, uscc);

-- Entries of the abnormal operations list (list = 'abnormal'), the abnormal status mark of
-- individual businesses ('abnormal_mark') and the serious dishonesty list ('dishonesty').
-- An entry is removed, never deleted.
CREATE TABLE list_entry (
    id                   TEXT NOT NULL PRIMARY KEY,
    uscc                 TEXT NOT NULL REFERENCES entity (uscc),
    list                 TEXT NOT NULL CHECK (list IN ('abnormal', 'abnormal_mark', 'dishonesty')),
    ground               TEXT NOT NULL,
    report_year          BIGINT NOT NULL DEFAULT 0,
    reason               TEXT NOT NULL,
    listed_on            TEXT NOT NULL,
    listed_by            TEXT NOT NULL,
    authority_code       TEXT NOT NULL REFERENCES jurisdiction (code),
    listing_document_id  TEXT,
    removed_on           TEXT,
    removal_reason       TEXT,
    removal_document_id  TEXT,
    escalation_flagged_on TEXT,
    created_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX list_entry_entity ON list_entry (uscc);
CREATE INDEX list_entry_open ON list_entry (list, removed_on, listed_on);
CREATE UNIQUE INDEX list_entry_once ON list_entry (uscc, list, ground, report_year) WHERE removed_on IS NULL;

-- Applications to be removed from a list once the ground is cured, and their decision.
CREATE TABLE removal_application (
    id              TEXT NOT NULL PRIMARY KEY,
    list_entry_id   TEXT NOT NULL REFERENCES list_entry (id),
    uscc            TEXT NOT NULL REFERENCES entity (uscc),
    cure            TEXT NOT NULL,
    statement       TEXT NOT NULL,
    applied_on      TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
    decided_on      TEXT,
    decided_by      TEXT,
    decision_note   TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX removal_application_entry ON removal_application (list_entry_id);
CREATE INDEX removal_application_pending ON removal_application (state, due_on);

-- Numbered documents. The number is allocated once per bureau, kind and year; the fields
-- and the exact template text they were issued with are kept, so a document renders the
-- same years later even after the template file changes.
CREATE TABLE document_template (
    digest      TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    first_used  TIMESTAMPTZ NOT NULL
);

CREATE TABLE document_counter (
    authority_code TEXT NOT NULL,
    kind           TEXT NOT NULL,
    year           BIGINT NOT NULL,
    last_seq       BIGINT NOT NULL,
    PRIMARY KEY (authority_code, kind, year)
);

CREATE TABLE document (
    id              TEXT NOT NULL PRIMARY KEY,
    kind            TEXT NOT NULL,
    number          TEXT NOT NULL UNIQUE,
    authority_code  TEXT NOT NULL REFERENCES jurisdiction (code),
    year            BIGINT NOT NULL,
    seq             BIGINT NOT NULL,
    uscc            TEXT REFERENCES entity (uscc),
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    template_digest TEXT NOT NULL REFERENCES document_template (digest),
    fields          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX document_entity ON document (uscc);
CREATE INDEX document_object ON document (object_type, object_id);
