import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSimulator } from '../../src/simulator/index.js'

const KEY = { id: 'persist-key', secret: 'persist-secret-0123456789' }

async function invite (url: string, email: string): Promise<number> {
  const tok = await (await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&client_id=${KEY.id}&client_secret=${KEY.secret}` })).json() as { access_token: string }
  const res = await fetch(`${url}/projects/p1/members`, { method: 'POST', headers: { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ email, role: 'MEMBER' }) })
  return res.status
}

describe('simulator state file', () => {
  it('an invite made over HTTP survives a restart with the same user id, in a 0600 file; a new project stays', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-state-')), 'state.json')
    const first = createSimulator({ projects: ['p1'], keys: [KEY], stateFile: file })
    const url = await first.listen(0)
    expect(await invite(url, 'ada@example.com')).toBe(201)
    const before = first.control.dump('p1').projects.p1 as Array<{ user_id: string, email: string, status: string }>
    await first.close()
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).toContain('ada@example.com')

    const second = createSimulator({ projects: ['p1', 'p2'], keys: [KEY], stateFile: file })
    try {
      expect(second.control.dump('p1').projects.p1).toEqual(before)
      expect(second.control.dump('p2').projects.p2).toEqual([])
      // Inviting again is a conflict, as in Sinch: the member is known.
      await second.listen(0)
      expect(await invite(second.url, 'ada@example.com')).toBe(409)
    } finally {
      await second.close()
    }
  })

  it('a damaged file stops start-up with a clear error instead of starting empty', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-state-bad-')), 'state.json')
    writeFileSync(file, '{"format":"something-else"}')
    expect(() => createSimulator({ projects: ['p1'], keys: [KEY], stateFile: file })).toThrow(/not a simulator state file/)
  })
})
