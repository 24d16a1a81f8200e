import type { Migration } from './types.js'

/**
 * A user's SCIM representation kept ready to send (SQLite only; see the SQLite directory's
 * userDocument): written by the read that first renders it, and removed by triggers the moment
 * anything it was rendered from changes: the user row, its group memberships, the names of its
 * groups, its known Sinch members or its op states. The triggers live in the database, so every
 * writer, whichever module or process, keeps the documents true without knowing about them.
 * `render_key` names the renderer (rules included): a document rendered under other rules is not
 * served. PostgreSQL keeps reading the view (its migration is empty, so numbering stays shared).
 */
const sqlite = `
CREATE TABLE user_documents (
  user_id TEXT PRIMARY KEY,
  render_key TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TRIGGER user_documents_user_update AFTER UPDATE ON users BEGIN
  DELETE FROM user_documents WHERE user_id IN (OLD.id, NEW.id);
END;
CREATE TRIGGER user_documents_user_delete AFTER DELETE ON users BEGIN
  DELETE FROM user_documents WHERE user_id = OLD.id;
END;
CREATE TRIGGER user_documents_membership_insert AFTER INSERT ON group_members BEGIN
  DELETE FROM user_documents WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER user_documents_membership_update AFTER UPDATE ON group_members BEGIN
  DELETE FROM user_documents WHERE user_id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER user_documents_membership_delete AFTER DELETE ON group_members BEGIN
  DELETE FROM user_documents WHERE user_id = OLD.user_id;
END;
CREATE TRIGGER user_documents_group_update AFTER UPDATE ON groups BEGIN
  DELETE FROM user_documents WHERE user_id IN (SELECT user_id FROM group_members WHERE group_id IN (OLD.id, NEW.id));
END;
CREATE TRIGGER user_documents_group_delete BEFORE DELETE ON groups BEGIN
  DELETE FROM user_documents WHERE user_id IN (SELECT user_id FROM group_members WHERE group_id = OLD.id);
END;
CREATE TRIGGER user_documents_member_insert AFTER INSERT ON known_members BEGIN
  DELETE FROM user_documents WHERE user_id = NEW.scim_user_id;
END;
CREATE TRIGGER user_documents_member_update AFTER UPDATE ON known_members BEGIN
  DELETE FROM user_documents WHERE user_id IN (OLD.scim_user_id, NEW.scim_user_id);
END;
CREATE TRIGGER user_documents_member_delete AFTER DELETE ON known_members BEGIN
  DELETE FROM user_documents WHERE user_id = OLD.scim_user_id;
END;
CREATE TRIGGER user_documents_op_insert AFTER INSERT ON op_states BEGIN
  DELETE FROM user_documents WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER user_documents_op_update AFTER UPDATE ON op_states BEGIN
  DELETE FROM user_documents WHERE user_id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER user_documents_op_delete AFTER DELETE ON op_states BEGIN
  DELETE FROM user_documents WHERE user_id = OLD.user_id;
END;
`

export const m004UserDocuments: Migration = { id: 4, name: 'user-documents', sqlite, postgres: 'SELECT 1;' }
