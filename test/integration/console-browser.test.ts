import { existsSync, mkdirSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { eventually, startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Screenshots for people to look at (git-ignored). */
const ARTIFACTS = resolve(import.meta.dirname, '../artifacts')
const HAVE_BROWSER = existsSync(CHROMIUM)
const ADMIN_TOKEN = 'admin-token-for-the-console-0123456'
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
/** Each would run a script if it reached the page as markup: the test watches for all three. */
const INJECT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><svg onload="window.__pwned=3">'
const PEOPLE = 200

// CI installs Debian's chromium (.ci/run); elsewhere the suite says plainly why it did not run.
describe.skipIf(!HAVE_BROWSER)(`admin console in headless Chromium${HAVE_BROWSER ? '' : ' (skipped: no browser at ' + CHROMIUM + '; apt-get install chromium)'}`, () => {
  let t: TestBridge
  let browser: Browser
  const ids: string[] = []
  let mallory = ''
  const offboarded: string[] = []

  const create = async (i: number): Promise<string> => {
    const n = String(i).padStart(3, '0')
    const evil = i === 7
    const res = await t.scim('POST', '/Users', { schemas: [USER], userName: evil ? `mallory${INJECT}@example.com` : `person${n}@example.com`, displayName: evil ? `Mallory ${INJECT}` : `Person ${n}`, emails: [{ value: `person${n}@example.com`, primary: true }], active: true })
    expect(res.status).toBe(201)
    return res.body.id as string
  }
  const open = async (password: string): Promise<{ context: BrowserContext, page: Page, errors: string[] }> => {
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password }, viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); void d.dismiss() })
    return { context, page, errors }
  }
  /** No script ran and none of the injected elements exists as an element. */
  const untouched = async (page: Page): Promise<void> => {
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await page.locator('main script, img[src=x], main svg[onload]').count()).toBe(0)
  }
  const shot = async (page: Page, name: string, fullPage = true): Promise<void> => {
    mkdirSync(ARTIFACTS, { recursive: true })
    const file = resolve(ARTIFACTS, name)
    await page.screenshot({ path: file, fullPage })
    expect(statSync(file).size).toBeGreaterThan(10_000)
  }

  beforeAll(async () => {
    t = await startTestBridge({ env: { ADMIN_TOKEN }, bridge: { sampleMs: 250 } })
    for (let i = 0; i < PEOPLE; i += 20) ids.push(...await Promise.all(Array.from({ length: 20 }, async (_, k) => await create(i + k))))
    mallory = ids[7] ?? ''
    // Group names with markup, one of them granting ADMIN in p2 by the naming convention.
    expect((await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: `Ops ${INJECT}`, members: [{ value: mallory }] })).status).toBe(201)
    expect((await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'sinch:p2:ADMIN', members: ids.slice(0, 5).map((value) => ({ value })) })).status).toBe(201)
    // Sinch refuses removals for good: three offboardings become failed changes.
    await t.simControl.call('POST', 'faults', { route: 'remove', rate: 1, status: 403 })
    for (const id of ids.slice(10, 13)) {
      expect((await t.scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(200)
      offboarded.push(id)
    }
    await eventually(async () => (await t.bridge.store.opStateCounts()).failed >= 6)
    // An error text from Sinch with markup in it, as the store keeps it.
    await t.bridge.store.setOpState({ userId: mallory, projectId: 'p1', state: 'failed', lastError: `Sinch said: ${INJECT}`, attempts: 4, updatedAt: new Date().toISOString() })
    await eventually(() => t.bridge.sampler.samples().length >= 4)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('refuses without a token', async () => {
    const res = await fetch(`${t.url}/status`)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/)
  })

  it('overview: cards, charts and the newest failed changes, with no script from injected markup', async () => {
    const { context, page, errors } = await open(TEST_TOKEN)
    expect((await page.goto(`${t.url}/status`))?.status()).toBe(200)
    expect(await page.locator('#card-failed .value').textContent()).toBe('7')
    expect(await page.locator('#card-people .value').textContent()).toBe(String(PEOPLE))
    expect(await page.locator('#card-reconcile .value').textContent()).toBe('ok')
    expect(await page.locator('figure svg').count()).toBe(4)
    expect(await page.locator('#chart-sinch polyline').count()).toBe(3)
    // The injected text is shown as text in the failed-changes table.
    expect(await page.locator('#overview-failed').textContent()).toContain(`Sinch said: ${INJECT}`)
    expect(await page.locator('#overview-failed').textContent()).toContain(`Mallory ${INJECT}`)
    await untouched(page)
    await shot(page, 'console-overview.png')
    // What an admin sees first, without scrolling (the README shows it).
    await shot(page, 'console-overview-top.png', false)
    // A reader sees no action form anywhere.
    expect(await page.locator('form[method=post]').count()).toBe(0)
    await page.click('#card-failed')
    await page.waitForURL(/\/status\/changes#failed$/)
    expect(await page.locator('#failed tbody tr').count()).toBe(7)
    await untouched(page)
    expect(errors).toEqual([])
    await context.close()
  })

  it('person page: found by searching a name; shows identity, groups, access and its source, and the failed change', async () => {
    const { context, page, errors } = await open(TEST_TOKEN)
    await page.goto(`${t.url}/status`)
    await page.click('nav >> text=People')
    expect(await page.locator('#people-count').textContent()).toBe(`${PEOPLE} people, page 1 of 4.`)
    await page.fill('input[name=q]', 'mallory')
    await page.click('form.search button[type=submit]')
    await page.waitForURL(/q=mallory/)
    expect(await page.locator('#people tbody tr').count()).toBe(1)
    await page.click('#people tbody tr a')
    await page.waitForURL(new RegExp(`/status/people/${mallory}$`))
    expect(await page.locator('h1').textContent()).toBe(`mallory${INJECT}@example.com`)
    expect(await page.locator('#identity').textContent()).toContain(`Mallory ${INJECT}`)
    expect(await page.locator('#groups').textContent()).toContain(`Ops ${INJECT}`)
    const access = await page.locator('#access tbody tr').allTextContents()
    expect(access[0]).toContain('MEMBER')
    expect(access[0]).toContain('default projects')
    expect(await page.locator('#person-ops').textContent()).toContain(`Sinch said: ${INJECT}`)
    await untouched(page)
    await shot(page, 'console-person.png')
    expect(errors).toEqual([])
    await context.close()
  })

  it('action: an admin retries a failed change from the person page; it is queued, audited with who, and shown', async () => {
    const { context, page, errors } = await open(ADMIN_TOKEN)
    const id = offboarded[0] ?? ''
    await page.goto(`${t.url}/status/people/${id}`)
    expect(await page.locator('#person-ops tbody tr').count()).toBe(2)
    const token = await page.locator('form[action="/status/actions/retry"] input[name=csrf]').getAttribute('value')
    const removesBefore = (await t.simControl.requests()).filter((r) => r.route === 'remove').length
    await page.click('button:has-text("Retry now")')
    await page.waitForURL(new RegExp(`/status/people/${id}\\?notice=retried$`))
    expect(await page.locator('.notice').textContent()).toContain('Retry queued')
    const audit = await t.bridge.store.listAudit({ scimUserId: id, action: 'retry', limit: 10 })
    expect(audit.map((a) => a.rule)).toEqual(['console: admin', 'console: admin'])
    await eventually(async () => (await t.simControl.requests()).filter((r) => r.route === 'remove').length > removesBefore, 10_000)
    // The same form submitted a second time (a double click, a resend): recognised, nothing done twice.
    const again = await fetch(`${t.url}/status/actions/retry`, { method: 'POST', redirect: 'manual', headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: token ?? '', userId: id }).toString() })
    expect(again.headers.get('location')).toMatch(/notice=repeat$/)
    expect((await t.bridge.store.listAudit({ scimUserId: id, action: 'retry', limit: 10 }))).toHaveLength(2)
    await page.goto(`${t.url}/status/people/${id}?notice=retried`)
    expect(await page.locator('#audit').textContent()).toContain('retry now')
    await untouched(page)
    await shot(page, 'console-action.png')
    expect(errors).toEqual([])
    await context.close()
  })
})
