CREATE TABLE places (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES places (id),
    level     TEXT NOT NULL CHECK (level IN ('county', 'township', 'village', 'group')),
    name      TEXT NOT NULL,
    path      TEXT NOT NULL UNIQUE
);
CREATE INDEX places_parent ON places (parent_id);

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    dry_run     INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    committed   INTEGER NOT NULL CHECK (committed IN (0, 1)),
    summary     TEXT NOT NULL
);
CREATE INDEX imports_sha ON imports (sha256);

CREATE TABLE households (
    id                 INTEGER PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    place_id           INTEGER NOT NULL REFERENCES places (id),
    township           TEXT NOT NULL,
    village            TEXT NOT NULL,
    grp                TEXT NOT NULL,
    head_name          TEXT NOT NULL,
    head_id_number     TEXT NOT NULL,
    size               INTEGER NOT NULL,
    household_type     TEXT NOT NULL,
    category           TEXT NOT NULL,
    identified_ym      TEXT,
    risks              TEXT NOT NULL,
    risk_eliminated    INTEGER NOT NULL CHECK (risk_eliminated IN (0, 1)),
    elimination_method TEXT NOT NULL,
    eliminated_on      DATE,
    phone              TEXT NOT NULL,
    address            TEXT NOT NULL,
    housing_unsafe     INTEGER NOT NULL CHECK (housing_unsafe IN (0, 1)),
    water_unsafe       INTEGER NOT NULL CHECK (water_unsafe IN (0, 1)),
    education_gap      INTEGER NOT NULL CHECK (education_gap IN (0, 1)),
    medical_gap        INTEGER NOT NULL CHECK (medical_gap IN (0, 1)),
    no_labor_support   INTEGER NOT NULL CHECK (no_labor_support IN (0, 1)),
    note               TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX households_place ON households (place_id);
CREATE INDEX households_village ON households (township, village);

CREATE TABLE members (
    id              INTEGER PRIMARY KEY,
    household_id    INTEGER NOT NULL REFERENCES households (id),
    id_number       TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    relation        TEXT NOT NULL,
    sex             TEXT NOT NULL,
    birth_date      DATE,
    health          TEXT NOT NULL,
    labor_skill     TEXT NOT NULL,
    school_status   TEXT NOT NULL,
    work_months     INTEGER NOT NULL,
    medical_insured INTEGER NOT NULL CHECK (medical_insured IN (0, 1)),
    missing         INTEGER NOT NULL CHECK (missing IN (0, 1)),
    position        INTEGER NOT NULL
);
CREATE INDEX members_household ON members (household_id);

CREATE TABLE incomes (
    household_id     INTEGER NOT NULL REFERENCES households (id),
    year             INTEGER NOT NULL,
    wage             INTEGER NOT NULL,
    business         INTEGER NOT NULL,
    property         INTEGER NOT NULL,
    transfer         INTEGER NOT NULL,
    business_cost    INTEGER NOT NULL,
    net              INTEGER NOT NULL,
    per_capita       INTEGER NOT NULL,
    medical_oop      INTEGER NOT NULL,
    insurance_payout INTEGER NOT NULL,
    PRIMARY KEY (household_id, year)
);

CREATE TABLE changes (
    id             INTEGER PRIMARY KEY,
    at             TIMESTAMP NOT NULL,
    actor          TEXT NOT NULL,
    import_id      INTEGER REFERENCES imports (id),
    household_code TEXT NOT NULL,
    entity         TEXT NOT NULL CHECK (entity IN ('household', 'member', 'income')),
    entity_key     TEXT NOT NULL,
    field          TEXT NOT NULL,
    old_value      TEXT NOT NULL,
    new_value      TEXT NOT NULL
);
CREATE INDEX changes_household ON changes (household_code);
CREATE INDEX changes_import ON changes (import_id);
