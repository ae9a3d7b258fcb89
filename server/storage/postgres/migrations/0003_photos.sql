-- Up Migration
-- Photo metadata (server/storage/photo-meta.ts); the bytes are in a blob store (disk or S3-compatible).
-- sha and doc sort bytewise (COLLATE "C") so the collector's (doc, sha) cursor walks the index the same way
-- whatever the database's locale. removing_since is set while a removal deletes the bytes; links wait for it.
CREATE TABLE photos (
	sha TEXT COLLATE "C" PRIMARY KEY,
	type TEXT NOT NULL,
	size BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	device TEXT,
	community TEXT,
	removing_since BIGINT
);
CREATE INDEX photos_device ON photos (device);
CREATE INDEX photos_community ON photos (community);

-- A link never outlives its photo: a removal begins only on a photo without links.
CREATE TABLE photo_links (
	sha TEXT COLLATE "C" NOT NULL REFERENCES photos (sha),
	doc TEXT COLLATE "C" NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (sha, doc)
);
CREATE INDEX photo_links_doc ON photo_links (doc, sha);

-- Down Migration
DROP TABLE photo_links;
DROP TABLE photos;
