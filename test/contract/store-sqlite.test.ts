import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStore } from '../../src/store/index.js'
import { storeContract } from './store-contract.js'
import { storeWritesContract } from './store-writes-contract.js'

storeContract('sqlite', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'store-')), 'bridge.db')
  return { store: await createStore(`sqlite:${file}`) }
})

storeWritesContract('sqlite', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'store-')), 'bridge.db')
  return { store: await createStore(`sqlite:${file}`) }
})
