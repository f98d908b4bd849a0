-- Knowledge base, trainings and webinars, release notes. Instants are timestamptz.

CREATE TABLE kb_categories (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_pl TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL
);

-- One article, in one or two languages (kb_translations). `visibility` decides who reads it
-- (public: everyone, customers: logged-in customers, internal: vendor staff); only a
-- published article reaches anyone outside the vendor.
CREATE TABLE kb_articles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    category_id BIGINT REFERENCES kb_categories(id),
    product_id BIGINT REFERENCES products(id),
    module TEXT,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'customers', 'internal')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    helpful_yes BIGINT NOT NULL DEFAULT 0,
    helpful_no BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES people(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX kb_articles_category ON kb_articles(category_id);
CREATE INDEX kb_articles_product ON kb_articles(product_id);

-- `search_words` holds the folded, distinct words of title and body (the same cut as the
-- ticket search), matched word by word as prefixes.
CREATE TABLE kb_translations (
    article_id BIGINT NOT NULL REFERENCES kb_articles(id),
    language TEXT NOT NULL CHECK (language IN ('pl', 'en')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    search_words TEXT NOT NULL,
    updated_by BIGINT REFERENCES people(id),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, language)
);

-- Every saved text of a translation, with its author: the revision history.
CREATE TABLE kb_revisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES kb_articles(id),
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id BIGINT REFERENCES people(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX kb_revisions_article ON kb_revisions(article_id, id);

-- Images and attachments of an article; the bytes live in `blobs`, like a ticket's.
CREATE TABLE kb_files (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES kb_articles(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX kb_files_article ON kb_files(article_id);

-- One answer to "was this helpful?" per reader and article (a person, or a browser for
-- visitors without a login): answering again changes the answer, it does not add one.
CREATE TABLE kb_votes (
    article_id BIGINT NOT NULL REFERENCES kb_articles(id),
    voter TEXT NOT NULL,
    helpful BOOLEAN NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, voter)
);

-- Which articles a ticket was shown (suggested) and which an agent linked in a reply (used).
CREATE TABLE kb_ticket_articles (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    article_id BIGINT NOT NULL REFERENCES kb_articles(id),
    suggested_at TIMESTAMPTZ,
    suggested_by BIGINT REFERENCES people(id),
    used_at TIMESTAMPTZ,
    used_by BIGINT REFERENCES people(id),
    PRIMARY KEY (ticket_id, article_id)
);
CREATE INDEX kb_ticket_articles_article ON kb_ticket_articles(article_id);

-- "This solved my problem": a request that did not become a ticket.
CREATE TABLE kb_deflections (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES kb_articles(id),
    person_id BIGINT REFERENCES people(id),
    subject TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX kb_deflections_created ON kb_deflections(created_at);

CREATE TABLE trainings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    product_id BIGINT REFERENCES products(id),
    starts_at TIMESTAMPTZ NOT NULL,
    time_zone TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    online_url TEXT,
    capacity BIGINT NOT NULL,
    waiting_list BOOLEAN NOT NULL DEFAULT TRUE,
    recording_url TEXT,
    materials TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX trainings_starts ON trainings(starts_at);

-- One row per person and training; cancelling keeps the row (status `cancelled`).
CREATE TABLE training_registrations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    training_id BIGINT NOT NULL REFERENCES trainings(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    status TEXT NOT NULL CHECK (status IN ('registered', 'waiting', 'cancelled')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (training_id, person_id)
);
CREATE INDEX training_registrations_queue ON training_registrations(training_id, status, updated_at, id);

CREATE TABLE product_versions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id),
    version TEXT NOT NULL,
    released_on TEXT NOT NULL,
    notes TEXT NOT NULL,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (product_id, version)
);
