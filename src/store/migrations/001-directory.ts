import type { Migration } from './types.js'

/**
 * Users, their emails (indexed for lookups), groups and memberships, and the provisioning queue.
 * Frozen text, one per engine: a shipped migration never changes with the live code.
 */
export const m001Directory: Migration = {
  id: 1,
  name: 'directory',
  sqlite: `
CREATE TABLE users (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  user_name TEXT NOT NULL,
  user_name_lc TEXT NOT NULL,
  external_id TEXT,
  display_name TEXT,
  display_name_lc TEXT,
  active INTEGER NOT NULL,
  emails TEXT NOT NULL,
  resource TEXT NOT NULL,
  version INTEGER NOT NULL,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  deleted_at TEXT
);
CREATE UNIQUE INDEX users_user_name_live ON users (user_name_lc) WHERE deleted_at IS NULL;
CREATE INDEX users_external_id ON users (external_id);
CREATE INDEX users_display_name ON users (display_name_lc);
CREATE INDEX users_last_modified ON users (last_modified);
CREATE TABLE user_emails (
  user_id TEXT NOT NULL,
  value_lc TEXT NOT NULL,
  type_lc TEXT
);
CREATE INDEX user_emails_value ON user_emails (value_lc);
CREATE INDEX user_emails_user ON user_emails (user_id);
CREATE TABLE groups (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  display_name_lc TEXT NOT NULL UNIQUE,
  external_id TEXT,
  resource TEXT NOT NULL,
  version INTEGER NOT NULL,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL
);
CREATE INDEX groups_external_id ON groups (external_id);
CREATE TABLE group_members (
  group_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE provision_queue (
  user_id TEXT PRIMARY KEY,
  generation INTEGER NOT NULL,
  enqueued_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  claimed_by TEXT,
  claimed_until TEXT
);
CREATE INDEX provision_queue_due ON provision_queue (due_at);
`,
  postgres: `
CREATE TABLE users (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  user_name TEXT NOT NULL,
  user_name_lc TEXT NOT NULL,
  external_id TEXT,
  display_name TEXT,
  display_name_lc TEXT,
  active BOOLEAN NOT NULL,
  emails TEXT NOT NULL,
  resource TEXT NOT NULL,
  version INTEGER NOT NULL,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  deleted_at TEXT
);
CREATE UNIQUE INDEX users_user_name_live ON users (user_name_lc) WHERE deleted_at IS NULL;
CREATE INDEX users_external_id ON users (external_id);
CREATE INDEX users_display_name ON users (display_name_lc);
CREATE INDEX users_last_modified ON users (last_modified);
CREATE TABLE user_emails (user_id TEXT NOT NULL, value_lc TEXT NOT NULL, type_lc TEXT);
CREATE INDEX user_emails_value ON user_emails (value_lc);
CREATE INDEX user_emails_user ON user_emails (user_id);
CREATE TABLE groups (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  display_name_lc TEXT NOT NULL UNIQUE,
  external_id TEXT,
  resource TEXT NOT NULL,
  version INTEGER NOT NULL,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL
);
CREATE INDEX groups_external_id ON groups (external_id);
CREATE TABLE group_members (group_id TEXT NOT NULL, user_id TEXT NOT NULL, seq BIGSERIAL, PRIMARY KEY (group_id, user_id));
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE provision_queue (
  user_id TEXT PRIMARY KEY,
  generation BIGINT NOT NULL,
  enqueued_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  claimed_by TEXT,
  claimed_until TEXT
);
CREATE INDEX provision_queue_due ON provision_queue (due_at);
`
}
