import { parseArgs } from 'node:util'
import { createSimulator } from '../simulator/index.js'
import { hostOption, portOption, UsageError } from './common.js'

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
    strict: true,
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
  const port = portOption(values.port) ?? 8090
  const host = hostOption(values.host) ?? '127.0.0.1'
  const num = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined
    if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new UsageError(`${flag}: "${v}" is not a positive number`)
    return Number(v)
  }
  const autoAcceptMs = values['auto-accept-ms'] === '0' ? 0 : num(values['auto-accept-ms'], '--auto-accept-ms')
  const rate = num(values.rate, '--rate')
  const burst = num(values.burst, '--burst') ?? rate
  const sim = createSimulator({
    projects: values.projects.split(',').map((p) => p.trim()).filter((p) => p !== ''),
    keys: [{ id: values['key-id'], secret: values['key-secret'], ownerCapable: true }],
    apiStyle,
    ...(autoAcceptMs === undefined ? {} : { autoAcceptMs: Math.round(autoAcceptMs) }),
    ...(rate === undefined ? {} : { bucket: { capacity: burst ?? rate, refillPerSec: rate } })
  })
  let url: string
  try {
    url = await sim.listen(port, host)
  } catch (err) {
    await sim.close()
    process.stderr.write(`simulate: cannot listen on ${host}:${port}: ${(err as Error).message}\n`)
    return 1
  }
  process.stdout.write(`Sinch simulator (${apiStyle} API style) listening on ${url}\n  SINCH_API_URL=${url}\n  SINCH_AUTH_URL=${url}/oauth2/token\n  SINCH_KEY_ID=${values['key-id']} (secret as given with --key-secret)\n  control plane: ${url}/__sim/\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await sim.close()
  return 0
}
