import { open, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { DurableSync } from './batch.js'

export interface WalSync {
  sync: DurableSync
  close: () => Promise<void>
}

/**
 * fdatasync of the database's `-wal` file through libuv's threadpool (FileHandle.datasync), so
 * the event loop goes on while the disk flushes. One descriptor is kept for the life of the
 * connection: SQLite reuses the same file (a checkpoint restarts writing at its start, and
 * journal_size_limit or wal_checkpoint(TRUNCATE) shorten it in place, same inode) and deletes it
 * only when the last connection closes, which cannot happen while ours is open. It is opened
 * after the first commit, when the file certainly exists. SQLite creates the file with a note to
 * fsync its directory at its first sync, which with synchronous=NORMAL comes only at a
 * checkpoint: the directory is synced here once, before the first commit is reported durable.
 * Checkpoints need nothing from here: with synchronous=NORMAL SQLite syncs the WAL before copying
 * it into the database and the database before the WAL is reused.
 */
export function createWalSync (dbFile: string, openFile: typeof open = open): WalSync {
  let handle: Promise<FileHandle> | null = null
  const openWal = async (): Promise<FileHandle> => {
    const wal = await openFile(`${dbFile}-wal`, 'r')
    // Best effort, as SQLite does its own directory sync (os_unix.c, unixSync ignores its
    // outcome): some platforms and filesystems cannot open or fsync a directory at all.
    try {
      const dir = await openFile(dirname(dbFile), 'r')
      try { await dir.sync() } finally { await dir.close() }
    } catch { /* nothing better to do there, and SQLite itself would go on */ }
    return wal
  }
  return {
    sync: async () => {
      handle ??= openWal().catch((err: unknown) => { handle = null; throw err })
      await (await handle).datasync()
    },
    close: async () => {
      const h = handle
      handle = null
      if (h !== null) await (await h.catch(() => null))?.close()
    }
  }
}
