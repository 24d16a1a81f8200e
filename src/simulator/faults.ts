import { z } from 'zod'

export const ROUTES = ['token', 'list', 'invite', 'update', 'remove', 'access-keys'] as const
export type Route = typeof ROUTES[number]
const RouteOrAny = z.enum([...ROUTES, 'any'])

export const FaultSchema = z.union([
  z.object({ route: RouteOrAny, status: z.number().int().min(400).max(599), count: z.number().int().positive() }).strict(),
  z.object({ route: RouteOrAny, drop: z.number().int().positive() }).strict(),
  z.object({ route: RouteOrAny, rate: z.number().min(0).max(1), status: z.number().int().min(400).max(599) }).strict(),
  z.object({ latencyMs: z.number().int().min(0).max(60_000) }).strict()
])
export type Fault = z.infer<typeof FaultSchema>

export type FaultDecision = { kind: 'status', status: number } | { kind: 'drop' } | null

/** Mulberry32: a tiny seeded PRNG, so a random-rate fault run repeats exactly. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class Faults {
  private counted: Array<{ route: string, status: number, left: number }> = []
  private drops: Array<{ route: string, left: number }> = []
  private rates: Array<{ route: string, rate: number, status: number }> = []
  latencyMs = 0
  private random: () => number

  constructor (private readonly seed: number) {
    this.random = prng(seed)
  }

  add (f: Fault): void {
    if ('latencyMs' in f) this.latencyMs = f.latencyMs
    else if ('drop' in f) this.drops.push({ route: f.route, left: f.drop })
    else if ('rate' in f) this.rates.push({ route: f.route, rate: f.rate, status: f.status })
    else this.counted.push({ route: f.route, status: f.status, left: f.count })
  }

  clear (): void {
    this.counted = []
    this.drops = []
    this.rates = []
    this.latencyMs = 0
    this.random = prng(this.seed)
  }

  /** Faults that refuse the call before it is applied. */
  before (route: Route): FaultDecision {
    const c = this.counted.find((f) => f.left > 0 && (f.route === route || f.route === 'any'))
    if (c !== undefined) {
      c.left--
      return { kind: 'status', status: c.status }
    }
    for (const r of this.rates) {
      if ((r.route === route || r.route === 'any') && this.random() < r.rate) return { kind: 'status', status: r.status }
    }
    return null
  }

  /** Faults that apply the call and then lose the answer (the connection is reset). */
  after (route: Route): FaultDecision {
    const d = this.drops.find((f) => f.left > 0 && (f.route === route || f.route === 'any'))
    if (d === undefined) return null
    d.left--
    return { kind: 'drop' }
  }
}
