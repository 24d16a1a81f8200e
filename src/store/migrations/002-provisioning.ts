import type { Migration } from './types.js'

const tables = (auto: string, bool: string): string => `
CREATE TABLE known_members (
  project_id TEXT NOT NULL,
  email_lc TEXT NOT NULL,
  sinch_user_id TEXT,
  role TEXT NOT NULL,
  status TEXT NOT NULL,
  scim_user_id TEXT,
  origin TEXT,
  seen_at TEXT NOT NULL,
  PRIMARY KEY (project_id, email_lc)
);
CREATE INDEX known_members_scim_user ON known_members (scim_user_id);
CREATE INDEX known_members_email ON known_members (email_lc);
CREATE TABLE op_states (
  user_id TEXT NOT NULL,
  project_id TEXT NOT NULL,
  state TEXT NOT NULL,
  last_error TEXT,
  attempts INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (user_id, project_id)
);
CREATE INDEX op_states_state ON op_states (state);
CREATE TABLE audit (
  id ${auto},
  at TEXT NOT NULL,
  scim_user_id TEXT,
  email TEXT NOT NULL,
  project_id TEXT NOT NULL,
  action TEXT NOT NULL,
  from_role TEXT,
  to_role TEXT,
  rule TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_user ON audit (scim_user_id);
CREATE INDEX audit_project ON audit (project_id);
CREATE INDEX audit_email ON audit (email);
CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- ${bool}
`

/** What the bridge knows of Sinch, per-(user, project) outcomes, the audit log, leases, settings. */
export const m002Provisioning: Migration = {
  id: 2,
  name: 'provisioning',
  sqlite: tables('INTEGER PRIMARY KEY AUTOINCREMENT', 'sqlite'),
  postgres: tables('BIGSERIAL PRIMARY KEY', 'postgres')
}
