import type { Migration } from './types.js'

/** The tables a document is rendered from, each with the column naming the user a row belongs to. */
const SOURCES = [['users', 'id'], ['group_members', 'user_id'], ['known_members', 'scim_user_id'], ['op_states', 'user_id']] as const

/** On every insert, update and delete of a source row: the documents of the user(s) it names go. */
const sourceTriggers = SOURCES.map(([table, user]) => `
CREATE TRIGGER user_documents_${table}_insert AFTER INSERT ON ${table} BEGIN
  DELETE FROM user_documents WHERE user_id = NEW.${user};
END;
CREATE TRIGGER user_documents_${table}_update AFTER UPDATE ON ${table} BEGIN
  DELETE FROM user_documents WHERE user_id IN (OLD.${user}, NEW.${user});
END;
CREATE TRIGGER user_documents_${table}_delete AFTER DELETE ON ${table} BEGIN
  DELETE FROM user_documents WHERE user_id = OLD.${user};
END;`).join('')

// A group's name and external id show in its members' documents; its delete, BEFORE the members go.
const sqlite = `
CREATE TABLE user_documents (
  user_id TEXT PRIMARY KEY,
  render_key TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL
);${sourceTriggers}
CREATE TRIGGER user_documents_group_update AFTER UPDATE ON groups BEGIN
  DELETE FROM user_documents WHERE user_id IN (SELECT user_id FROM group_members WHERE group_id IN (OLD.id, NEW.id));
END;
CREATE TRIGGER user_documents_group_delete BEFORE DELETE ON groups BEGIN
  DELETE FROM user_documents WHERE user_id IN (SELECT user_id FROM group_members WHERE group_id = OLD.id);
END;
`

/**
 * A user's SCIM representation kept ready to send (SQLite only; see the SQLite directory's
 * userDocument): written by the read that first renders it, and removed by triggers the moment
 * anything it was rendered from changes: the user row, its group memberships, the names of its
 * groups, its known Sinch members or its op states. The triggers live in the database, so every
 * writer, whichever module or process, keeps the documents true without knowing about them.
 * `render_key` names the renderer (rules included): a document rendered under other rules is not
 * served. PostgreSQL keeps reading the view (its migration is empty, so numbering stays shared).
 */
export const m004UserDocuments: Migration = { id: 4, name: 'user-documents', sqlite, postgres: 'SELECT 1;' }
