import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readOrCreateToken } from '../../../src/config/token-file.js'
import { createStore } from '../../../src/store/index.js'

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8)

describe('the SQLite directory and the data folder are readable by the bridge user only', () => {
  it('a new database: folder 0700, database, -wal and -shm 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'modes-'))
    const file = join(root, 'data', 'nested', 'bridge.db')
    const store = await createStore(`sqlite:${file}`)
    try {
      await store.createUser({ userName: 'm@x.io', externalId: null, displayName: null, active: true, emails: [], resource: {} })
      expect(mode(join(root, 'data'))).toBe('700')
      expect(mode(join(root, 'data', 'nested'))).toBe('700')
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe('600')
    } finally {
      await store.close()
    }
  })

  it('a database file left world-readable by an older version is narrowed to 0600 when opened', async () => {
    const root = mkdtempSync(join(tmpdir(), 'modes-'))
    const file = join(root, 'bridge.db')
    writeFileSync(file, '')
    chmodSync(file, 0o644)
    const store = await createStore(`sqlite:${file}`)
    await store.close()
    expect(mode(file)).toBe('600')
  })

  it('the data folder the sandbox token is written to is created 0700, the token 0600', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'modes-')), 'data')
    const { path } = readOrCreateToken(dir)
    expect(mode(dir)).toBe('700')
    expect(mode(path)).toBe('600')
  })
})
