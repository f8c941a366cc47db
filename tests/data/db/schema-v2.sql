-- A pcmon database of schema version 2 (before the labeling loop),
-- dumped with Python's iterdump: three items of tests/feeds/rss20-basic.xml
-- and labels as v2 allowed them (one labeler twice on an item, rows
-- without a labeler).  0709-label-migrate.test loads it and sets
-- PRAGMA application_id and user_version = 2.
BEGIN TRANSACTION;
CREATE TABLE alerts (  id INTEGER PRIMARY KEY,  series TEXT NOT NULL,  period TEXT NOT NULL,  count INTEGER,  expected REAL,  score REAL,  model_version TEXT,  created_at INTEGER,  delivered_at INTEGER,  payload TEXT,  UNIQUE (series, period));
CREATE TABLE feed_tags (  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,  tag TEXT NOT NULL,  PRIMARY KEY (feed_id, tag)) WITHOUT ROWID;
CREATE TABLE feeds (  id INTEGER PRIMARY KEY,  url TEXT UNIQUE NOT NULL,  name TEXT,  lang TEXT,  local INTEGER NOT NULL DEFAULT 0,  added_at INTEGER NOT NULL,  etag TEXT,  last_modified TEXT,  last_fetch_at INTEGER,  last_success_at INTEGER,  next_fetch_at INTEGER,  interval INTEGER,  fail_count INTEGER NOT NULL DEFAULT 0,  status INTEGER NOT NULL DEFAULT 0,  last_error TEXT,  site_link TEXT,  title TEXT,  redirect_url TEXT,  redirect_count INTEGER NOT NULL DEFAULT 0, no_conditional INTEGER NOT NULL DEFAULT 0, last_probe_at INTEGER, ttl INTEGER, last_body_sha256 TEXT, not_modified INTEGER NOT NULL DEFAULT 0, last_item_at INTEGER, quiet_since INTEGER, fail_since INTEGER);
INSERT INTO "feeds" VALUES(1,'https://one.example/rss',NULL,NULL,0,1795888432,NULL,NULL,1795888432,1795888432,NULL,NULL,0,0,NULL,'https://news.example.com/border/','Border Watch Daily',NULL,0,0,NULL,NULL,NULL,0,NULL,NULL,NULL);
CREATE TABLE fetch_log (  id INTEGER PRIMARY KEY,  feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,  url TEXT,  started_at INTEGER NOT NULL,  duration_ms INTEGER,  http_status INTEGER,  bytes_wire INTEGER,  bytes_body INTEGER,  items_seen INTEGER NOT NULL DEFAULT 0,  items_new INTEGER NOT NULL DEFAULT 0,  error TEXT);
INSERT INTO "fetch_log" VALUES(1,1,'file:///work/main/tests/feeds/rss20-basic.xml',1795888432,0,0,1561,1561,3,3,NULL);
CREATE TABLE items (  id INTEGER PRIMARY KEY,  feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,  fetch_id INTEGER REFERENCES fetch_log(id) ON DELETE SET NULL,  ident TEXT NOT NULL,  guid TEXT,  link TEXT,  canonical_link TEXT,  title TEXT,  summary TEXT,  author TEXT,  lang TEXT,  published INTEGER,  updated INTEGER,  first_seen INTEGER NOT NULL,  date_flag INTEGER NOT NULL DEFAULT 0,  story_id INTEGER,  UNIQUE (feed_id, ident));
INSERT INTO "items" VALUES(1,1,1,'https://news.example.com/border/2026/03/task-force','https://news.example.com/border/2026/03/task-force','https://news.example.com/border/2026/03/task-force','https://news.example.com/border/2026/03/task-force','Joint task force arrests 12 in smuggling probe','Officers from three countries took part.','Maria Lopes','en',1772439300,NULL,1795888432,0,NULL);
INSERT INTO "items" VALUES(2,1,1,'border-2026-0302-b','border-2026-0302-b','https://news.example.com/border/2026/03/notice','https://news.example.com/border/2026/03/notice','Interpol notice issued for fugitive banker','The red notice was published on Monday. Wanted in two countries Last seen in March','Tom Berg','en',1772434800,NULL,1795888432,0,NULL);
INSERT INTO "items" VALUES(3,1,1,'border-2026-0301-c','border-2026-0301-c',NULL,NULL,'Quote "marks" and back\slash survive',NULL,NULL,'en',1772438399,NULL,1795888432,0,NULL);
CREATE TABLE labels (  id INTEGER PRIMARY KEY,  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,  label TEXT NOT NULL,  themes TEXT,  labeled_by TEXT,  labeled_at INTEGER,  guideline TEXT);
INSERT INTO "labels" VALUES(1,1,'0',NULL,'alice',100,'1');
INSERT INTO "labels" VALUES(2,1,'1','["patrols"]','alice',200,'1');
INSERT INTO "labels" VALUES(3,1,'1',NULL,'bob',150,'1');
INSERT INTO "labels" VALUES(4,2,'0',NULL,'alice',120,'1');
INSERT INTO "labels" VALUES(5,2,'0',NULL,'alice',120,'1');
INSERT INTO "labels" VALUES(6,3,'1',NULL,NULL,90,NULL);
INSERT INTO "labels" VALUES(7,3,'0',NULL,NULL,95,NULL);
CREATE TABLE meta (  key TEXT PRIMARY KEY,  value TEXT);
CREATE TABLE predictions (  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,  model_version TEXT NOT NULL,  label TEXT,  score REAL,  themes TEXT,  countries TEXT,  scored_at INTEGER,  PRIMARY KEY (item_id, model_version));
CREATE TABLE raw_bodies (  id INTEGER PRIMARY KEY,  feed_id INTEGER REFERENCES feeds(id) ON DELETE CASCADE,  fetch_id INTEGER REFERENCES fetch_log(id) ON DELETE SET NULL,  fetched_at INTEGER,  url TEXT,  content_type TEXT,  sha256 TEXT,  size INTEGER,  body BLOB);
CREATE INDEX feeds_next_fetch ON feeds(next_fetch_at);
CREATE INDEX feed_tags_tag ON feed_tags(tag);
CREATE INDEX fetch_log_started ON fetch_log(started_at);
CREATE INDEX fetch_log_feed ON fetch_log(feed_id, started_at);
CREATE UNIQUE INDEX items_canonical ON items(canonical_link)  WHERE canonical_link IS NOT NULL;
CREATE INDEX items_first_seen ON items(first_seen);
CREATE INDEX items_published ON items(published);
CREATE INDEX items_effective ON items(  (CASE WHEN date_flag = 0 THEN published ELSE first_seen END));
CREATE INDEX items_fetch ON items(fetch_id);
CREATE INDEX items_story ON items(story_id) WHERE story_id IS NOT NULL;
CREATE INDEX raw_bodies_feed ON raw_bodies(feed_id, id);
CREATE INDEX raw_bodies_fetch ON raw_bodies(fetch_id);
CREATE INDEX labels_item ON labels(item_id);
CREATE INDEX predictions_model ON predictions(model_version, label);
CREATE INDEX alerts_undelivered ON alerts(created_at)  WHERE delivered_at IS NULL;
CREATE INDEX items_feed_effective ON items(feed_id,  (CASE WHEN date_flag = 0 THEN published ELSE first_seen END));
COMMIT;
