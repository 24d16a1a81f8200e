import { parseArgs } from 'node:util'
import { createSimulator } from '../simulator/index.js'

const HELP = `Usage: sinch-scim-bridge simulate [--port N] [--host H] [--projects a,b] [--auto-accept-ms N]
                                  [--rate R] [--burst B] [--key-id ID] [--key-secret S]
                                  [--api-style guide|v1]

Runs the bundled Sinch simulator alone: the member API, the token endpoint (/oauth2/token) and the
/__sim/ control plane (seed, dump, request log, faults, knobs). Nothing leaves this machine.
  --rate R, --burst B   per key-and-project token bucket (default 10/s, burst 30)
  --api-style S         guide (shared/sinch-api.md) or v1 (Sinch's published /v1 house style);
                        (default guide; sandbox mode reads SIMULATOR_API_STYLE)
`

export async function simulateCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      help: { type: 'boolean', short: 'h' },
      port: { type: 'string', default: '8090' },
      host: { type: 'string', default: '127.0.0.1' },
      projects: { type: 'string', default: 'demo-project' },
      'auto-accept-ms': { type: 'string' },
      rate: { type: 'string' },
      burst: { type: 'string' },
      'key-id': { type: 'string', default: 'sandbox-key' },
      'key-secret': { type: 'string', default: 'sandbox-secret' },
      'api-style': { type: 'string' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const apiStyle = values['api-style'] ?? 'guide'
  if (apiStyle !== 'guide' && apiStyle !== 'v1') {
    process.stderr.write(`--api-style must be guide or v1, not "${apiStyle}"\n`)
    return 2
  }
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v))
  const rate = num(values.rate)
  const burst = num(values.burst) ?? rate
  const sim = createSimulator({
    projects: values.projects.split(',').map((p) => p.trim()).filter((p) => p !== ''),
    keys: [{ id: values['key-id'], secret: values['key-secret'], ownerCapable: true }],
    apiStyle,
    ...(values['auto-accept-ms'] === undefined ? {} : { autoAcceptMs: Number(values['auto-accept-ms']) }),
    ...(rate === undefined ? {} : { bucket: { capacity: burst ?? rate, refillPerSec: rate } })
  })
  const url = await sim.listen(Number(values.port), values.host)
  process.stdout.write(`Sinch simulator (${apiStyle} API style) listening on ${url}\n  SINCH_API_URL=${url}\n  SINCH_AUTH_URL=${url}/oauth2/token\n  SINCH_KEY_ID=${values['key-id']} (secret as given with --key-secret)\n  control plane: ${url}/__sim/\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await sim.close()
  return 0
}
