-- Up Migration
-- The access database: devices, invitations (only the SHA-256 of a code is stored) and the revocations log that
-- every relay process polls (`seq > last seen`). revocation_head holds the last log position handed out; a
-- revocation takes its row lock (UPDATE … RETURNING) and holds it until COMMIT, so log entries become visible in
-- seq order and a poller never skips one that commits late. (A plain SEQUENCE does not give that.)
CREATE TABLE devices (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	grant_json JSONB NOT NULL,
	community TEXT NOT NULL,
	invitation_id TEXT,
	jti TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen BIGINT,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT
);
CREATE INDEX devices_community ON devices (community, created_at, id);

CREATE TABLE invitations (
	id TEXT PRIMARY KEY,
	code_hash TEXT NOT NULL UNIQUE,
	grant_json JSONB NOT NULL,
	community TEXT NOT NULL,
	label TEXT NOT NULL,
	expires_at BIGINT NOT NULL,
	max_uses INTEGER NOT NULL,
	uses INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX invitations_community ON invitations (community, created_at, id);

CREATE TABLE revocation_head (
	id SMALLINT PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL
);
INSERT INTO revocation_head (id, seq) VALUES (1, 0);

CREATE TABLE revocations (
	seq BIGINT PRIMARY KEY,
	device_id TEXT NOT NULL,
	at BIGINT NOT NULL
);

-- Down Migration
DROP TABLE revocations;
DROP TABLE revocation_head;
DROP TABLE invitations;
DROP TABLE devices;
