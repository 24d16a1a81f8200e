import { existsSync, mkdirSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser } from 'playwright-core'
import { startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const OUT = resolve(import.meta.dirname, '../../test-output')

const HAVE_BROWSER = existsSync(CHROMIUM)

// CI installs Debian's chromium (.ci/run); elsewhere the suite says plainly why it did not run.
describe.skipIf(!HAVE_BROWSER)(`status page in headless Chromium${HAVE_BROWSER ? '' : ' (skipped: no browser at ' + CHROMIUM + '; apt-get install chromium)'}`, () => {
  let t: TestBridge
  let browser: Browser
  beforeAll(async () => {
    t = await startTestBridge()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('refuses without the token', async () => {
    const res = await fetch(`${t.url}/status`)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/)
  })

  it('shows a user created through SCIM within a few seconds, with no console errors, and is searchable', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: TEST_TOKEN } })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
    page.on('pageerror', (e) => errors.push(e.message))
    // The page is open before the IdP creates the user: what it shows next must come from that request.
    const res = await page.goto(`${t.url}/status`)
    expect(res?.status()).toBe(200)
    expect(await page.locator('h2', { hasText: 'Project p1' }).textContent()).toContain('0 managed member')
    expect(await page.getByText('grace@example.com').count()).toBe(0)
    const created = await t.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'grace@example.com', active: true })
    expect(created.status).toBe(201)
    const started = Date.now()
    // Reload as an admin would, until the user is there; a few seconds at most.
    while (await page.getByText('grace@example.com').count() === 0) {
      if (Date.now() - started > 5_000) throw new Error('grace@example.com did not appear on the status page within 5 s')
      await new Promise((r) => setTimeout(r, 200))
      expect((await page.reload())?.status()).toBe(200)
    }
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(await page.locator('h2', { hasText: 'Project p1' }).textContent()).toContain('1 managed member')
    expect(await page.locator('tr', { hasText: 'grace@example.com' }).first().textContent()).toContain('PENDING')
    await page.fill('input[name=q]', 'nobody-matches')
    await page.click('button[type=submit]')
    await page.getByText('No managed member matches.').first().waitFor({ timeout: 5_000 })
    await page.fill('input[name=q]', 'grace@')
    await page.click('button[type=submit]')
    await page.waitForURL(/q=grace%40/, { timeout: 5_000 })
    expect(await page.locator('tr', { hasText: 'grace@example.com' }).count()).toBeGreaterThan(0)
    mkdirSync(OUT, { recursive: true })
    const shot = resolve(OUT, 'status-page.png')
    await page.goto(`${t.url}/status`)
    await page.screenshot({ path: shot, fullPage: true })
    expect(statSync(shot).size).toBeGreaterThan(5_000)
    expect(errors).toEqual([])
    await context.close()
  })
})
