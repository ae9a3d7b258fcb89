-- Up Migration
-- Documents as logs of Yjs updates, the change feed's global sequence and each document's last write.
-- feed_head holds the last sequence number handed out. An append takes its row lock (UPDATE … RETURNING) and
-- holds it until COMMIT, so sequence numbers become visible in the order they were handed out: a reader of the
-- change feed can never see seq N+1 before seq N has committed. (A plain SEQUENCE does not give that.)
CREATE TABLE feed_head (
	id SMALLINT PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL
);
INSERT INTO feed_head (id, seq) VALUES (1, 0);

-- Compaction rewrites a document's last row with the merged update and deletes the rows it merged, by seq
-- (pg-store.ts); docs.rows and docs.bytes are running counts of the document's rows, so no query sums the log.
CREATE TABLE updates (
	seq BIGINT PRIMARY KEY,
	doc TEXT NOT NULL,
	data BYTEA NOT NULL
);
CREATE INDEX updates_doc ON updates (doc, seq);

CREATE TABLE docs (
	name TEXT PRIMARY KEY,
	community TEXT NOT NULL,
	kind TEXT NOT NULL,
	last_seq BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	rows INTEGER NOT NULL DEFAULT 0,
	bytes BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX docs_last_seq ON docs (last_seq);

-- Down Migration
DROP TABLE docs;
DROP TABLE updates;
DROP TABLE feed_head;
