import { expect } from 'vitest'
import type { SimStyle } from '../../src/simulator/index.js'
import { API_STYLE_SETTING } from '../../src/main.js'
import type { TestBridge } from './bridge.js'

/** Each journey runs against both simulator styles, told the style, and once detecting it. */
export const JOURNEY_STYLES: Array<{ sim: SimStyle, client: 'auto' | SimStyle }> = [
  { sim: 'guide', client: 'guide' },
  { sim: 'v1', client: 'v1' },
  { sim: 'guide', client: 'auto' },
  { sim: 'v1', client: 'auto' }
]

/**
 * The bridge used the simulator's style: every Sinch call the simulator served is under that
 * style's paths; with `auto`, the only miss is the read-only probe, it came before any write, the
 * style is kept in the store and exported as a metric.
 */
export async function expectStyleSpoken (t: TestBridge, sim: SimStyle, client: 'auto' | SimStyle): Promise<void> {
  expect(t.bridge.sinch.apiStyle()).toBe(sim)
  const calls = (await t.simControl.requests()).filter((r) => r.route !== 'token')
  const misses = calls.filter((r) => r.route === 'unmatched')
  expect(misses.every((r) => r.method === 'GET' && /[?&]pageSize=1(&|$)/.test(r.path))).toBe(true)
  expect(misses).toHaveLength(client === 'auto' && sim === 'guide' ? 1 : 0)
  const firstWrite = calls.findIndex((r) => r.method !== 'GET')
  expect(firstWrite).toBeGreaterThan(-1)
  expect(calls.slice(0, firstWrite).some((r) => r.route === 'list' && r.status === 200)).toBe(true)
  const prefix = sim === 'v1' ? '/v1/projects/' : '/projects/'
  expect(calls.filter((r) => r.route !== 'unmatched').every((r) => r.path.startsWith(prefix))).toBe(true)
  if (client === 'auto') expect(await t.bridge.store.getSetting(API_STYLE_SETTING)).toBe(sim)
  const metrics = await (await fetch(`${t.url}/metrics`)).text()
  expect(metrics).toContain(`bridge_sinch_api_style{style="${sim}"} 1`)
}
