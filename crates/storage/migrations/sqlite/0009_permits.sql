-- Permits (证照分离, 国发〔2021〕7号) and signed licence links. Same SQL on both backends;
-- dates are ISO text (YYYY-MM-DD).

-- The permit-item catalogue: what this bureau issues, by whom, under which reform mode,
-- for how long. Maintained as data by system administrators (audited). `note` says what is
-- still to be checked against the official list (待核实). `validity_years` NULL: no expiry.
CREATE TABLE permit_item (
    code            TEXT NOT NULL PRIMARY KEY,
    name            TEXT NOT NULL,
    department      TEXT NOT NULL,
    reform_mode     TEXT NOT NULL CHECK (reform_mode IN ('abolished', 'filing', 'commitment', 'approval')),
    validity_years  BIGINT CHECK (validity_years IS NULL OR validity_years BETWEEN 1 AND 50),
    legal_basis     TEXT NOT NULL,
    note            TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    sort_order      BIGINT NOT NULL,
    updated_at      TIMESTAMPTZ
);

INSERT INTO permit_item (code, name, department, reform_mode, validity_years, legal_basis, note, active, sort_order) VALUES
('food_business', '食品经营许可证', '市、县（市、区）市场监督管理局', 'approval', 5,
 '《食品安全法》第三十五条；《食品经营许可和备案管理办法》（总局令第78号）第八条', '', TRUE, 10),
('prepackaged_food_filing', '仅销售预包装食品备案', '县（市、区）市场监督管理局', 'filing', NULL,
 '《食品安全法》第三十五条（2021年修正）；《食品经营许可和备案管理办法》（总局令第78号）第五章', '备案长期有效；备案事项变化须重新备案', TRUE, 20),
('food_production', '食品生产许可证', '市、县（市、区）市场监督管理局', 'approval', 5,
 '《食品安全法》第三十五条；《食品生产许可管理办法》（总局令第24号）第四十三条', '特殊食品（保健食品、特殊医学用途配方食品、婴幼儿配方食品）由省局许可，待核实湖北分级目录', TRUE, 30),
('food_workshop_registration', '食品小作坊登记证', '县（市、区）市场监督管理局', 'approval', 3,
 '《湖北省食品小作坊小餐饮小摊贩管理条例》', '待核实：条例名称、条款与有效期（3年）以湖北省人大公布文本为准', TRUE, 40),
('small_catering_registration', '小餐饮经营许可证（登记）', '县（市、区）市场监督管理局', 'approval', 3,
 '《湖北省食品小作坊小餐饮小摊贩管理条例》', '待核实：湖北小餐饮为许可还是登记、有效期', TRUE, 50),
('special_equipment_use_registration', '特种设备使用登记证', '市市场监督管理局', 'approval', NULL,
 '《特种设备安全法》第三十三条；《特种设备使用管理规则》（TSG 08-2017）', '随设备登记，无固定有效期；定期检验另行管理', TRUE, 60),
('industrial_product_production', '工业产品生产许可证（省局下放部分）', '市市场监督管理局（受省局委托或下放）', 'commitment', 5,
 '《工业产品生产许可证管理条例》第二十三条；《工业产品生产许可证管理条例实施办法》', '待核实：湖北省局下放市级实施的产品目录；部分产品实行告知承诺', TRUE, 70),
('drug_retail', '药品经营许可证（零售）', '县（市、区）市场监督管理局', 'approval', 5,
 '《药品管理法》第五十二条；《药品经营和使用质量监督管理办法》（总局令第84号）', '待核实：零售连锁总部由省局许可', TRUE, 80),
('class3_device_business', '第三类医疗器械经营许可证', '市市场监督管理局', 'approval', 5,
 '《医疗器械监督管理条例》第五十二条；《医疗器械经营监督管理办法》（总局令第54号）', '', TRUE, 90),
('class2_device_business_filing', '第二类医疗器械经营备案', '市市场监督管理局', 'filing', NULL,
 '《医疗器械监督管理条例》第五十一条；《医疗器械经营监督管理办法》（总局令第54号）', '', TRUE, 100),
('inspection_body_accreditation', '检验检测机构资质认定', '湖北省市场监督管理局', 'commitment', 6,
 '《检验检测机构资质认定管理办法》（总局令第38号，2021年修改）', '待核实：省局实施，市局仅受理或核查；列入目录便于登记本地机构证书', TRUE, 110),
('measuring_instrument_type_approval', '计量器具型式批准', '湖北省市场监督管理局', 'approval', NULL,
 '《计量法》第十三条；《计量器具新产品管理办法》', '待核实：是否仍属许可、由哪级实施（近年改革中有调整）', FALSE, 120),
('measuring_instrument_manufacture', '制造、修理计量器具许可证', '市市场监督管理局', 'abolished', NULL,
 '《计量法》（2017年修正删除制造、修理计量器具许可）', '已直接取消审批，保留以便查询历史证件', FALSE, 130);

-- Permits per entity. `status` is as stored; a valid permit past `valid_until` (the last
-- valid day) reads as expired from that day on, and the daily job marks it so.
CREATE TABLE permit (
    id            TEXT NOT NULL PRIMARY KEY,
    number        TEXT NOT NULL,
    item_code     TEXT NOT NULL REFERENCES permit_item (code),
    uscc          TEXT NOT NULL REFERENCES entity (uscc),
    issued_on     TEXT NOT NULL,
    valid_until   TEXT,
    status        TEXT NOT NULL CHECK (status IN ('valid', 'expired', 'revoked', 'cancelled')),
    scope         TEXT NOT NULL,
    remarks       TEXT NOT NULL,
    ended_on      TEXT,
    end_reason    TEXT NOT NULL,
    version       BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (item_code, number)
);
CREATE INDEX permit_entity ON permit (uscc);
CREATE INDEX permit_expiry ON permit (status, valid_until);

-- The days before the last valid day at which an expiry warning is recorded (data, not
-- constants in code).
CREATE TABLE permit_warning_threshold (
    days  BIGINT NOT NULL PRIMARY KEY CHECK (days BETWEEN 1 AND 3660)
);
INSERT INTO permit_warning_threshold (days) VALUES (90), (30);

-- One warning per permit, threshold and validity (a renewal starts afresh).
CREATE TABLE permit_warning (
    permit_id       TEXT NOT NULL REFERENCES permit (id),
    threshold_days  BIGINT NOT NULL,
    valid_until     TEXT NOT NULL,
    warned_on       TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (permit_id, threshold_days, valid_until)
);
CREATE INDEX permit_warning_day ON permit_warning (warned_on);

-- Link-signing keys (QR codes of licences and permits): only their ids and state. The key
-- material is derived from the key file's index key (shijian_crypto::links) and never
-- stored. New links are signed with the newest key not retired; links verify with any key
-- not retired. `l1` exists from the start, so every installation can sign.
CREATE TABLE link_key (
    id          TEXT NOT NULL PRIMARY KEY,
    created_at  TIMESTAMPTZ,
    retired_at  TIMESTAMPTZ
);
INSERT INTO link_key (id) VALUES ('l1');
