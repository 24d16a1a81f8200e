import { z } from 'zod'

const Exchange = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().startsWith('/'),
  query: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  /** Dotted paths into the answer whose values later steps use as {{name}}. */
  capture: z.record(z.string(), z.string()).optional()
})

const Expectation = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Deep subset: every key given must match; arrays element by element, in order. */
  body: z.unknown().optional(),
  /** Dotted paths that must not exist in the answer. */
  absent: z.array(z.string()).optional(),
  bodyEmpty: z.boolean().optional()
})

/** One real exchange between an IdP and the bridge, with the setup it needs (test/fixtures/idp/README.md). */
export const FixtureSchema = z.object({
  idp: z.enum(['okta', 'entra']),
  description: z.string().min(20),
  auth: z.enum(['token', 'none', 'wrong']).optional(),
  setup: z.array(Exchange).optional(),
  request: Exchange,
  expect: Expectation,
  expectAfter: z.object({ request: Exchange, expect: Expectation }).optional()
}).strict()

export type Fixture = z.infer<typeof FixtureSchema>
export type FixtureExchange = z.infer<typeof Exchange>
export type FixtureExpectation = z.infer<typeof Expectation>
