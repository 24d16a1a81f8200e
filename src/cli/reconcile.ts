import { parseArgs } from 'node:util'
import { createBridge } from '../main.js'
import { createLogger } from '../observability/logger.js'
import { dryRunReconcile, formatDryRun } from '../reconciler/dry-run.js'
import { configOrExit } from './common.js'
import { findRunningSimulator, NO_RUNNING_SANDBOX } from './sandbox-link.js'

const HELP = `Usage: sinch-scim-bridge reconcile [--dry-run] [--json]

Lists every managed project, refreshes what the bridge knows of Sinch, and converges Sinch to the
directory once, then exits. With --dry-run it prints the changes it would make and changes nothing.
  --dry-run   print the changes it would make; change nothing
  --json      print the report as JSON
In sandbox mode it uses the simulator of the running bridge (same DATA_DIR) and refuses (exit 2)
when no bridge is serving: a fresh simulator is empty.
`

export async function reconcileCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { help: { type: 'boolean', short: 'h' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const config = configOrExit()
  if (typeof config === 'number') return config
  let simulatorUrl: string | undefined
  if (config.sandbox) {
    const found = await findRunningSimulator(config.dataDir)
    if (found === null) {
      process.stderr.write(NO_RUNNING_SANDBOX)
      return 2
    }
    simulatorUrl = found
    if (values.json !== true) process.stderr.write(`sandbox mode: using the running bridge's simulator at ${found}\n`)
  }
  const bridge = await createBridge(config, { logger: createLogger(values.json === true ? 'silent' : 'warn'), ...(simulatorUrl === undefined ? {} : { sandboxSimulatorUrl: simulatorUrl }) })
  try {
    if (values['dry-run'] === true) {
      const result = await dryRunReconcile({ store: bridge.store, sinch: bridge.sinch, rules: bridge.rules })
      process.stdout.write(values.json === true ? JSON.stringify(result, null, 2) + '\n' : formatDryRun(result))
      return 0
    }
    const report = await bridge.reconciler.runOnce()
    await bridge.provisioner.drain()
    const depth = await bridge.store.queueDepth()
    if (values.json === true) {
      process.stdout.write(JSON.stringify({ ...report, queueDepthAfter: depth.depth }, null, 2) + '\n')
    } else {
      for (const p of report.projects) {
        process.stdout.write(`${p.projectId}: ${p.members} members, ${p.managed} managed, ${p.unmanagedCount} not managed, ${p.changedByHand} changed by hand, ${p.accepted} invites accepted\n`)
      }
      process.stdout.write(`${report.ok ? 'reconcile ok' : `reconcile failed: ${report.error}`} in ${report.durationMs} ms; ${depth.depth} user(s) still queued for retry\n`)
    }
    return report.ok ? 0 : 1
  } finally {
    await bridge.close()
  }
}
