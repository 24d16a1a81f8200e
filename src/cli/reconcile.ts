import { parseArgs } from 'node:util'
import { createBridge } from '../main.js'
import { dryRunReconcile, formatDryRun } from '../reconciler/dry-run.js'
import { configOrExit } from './common.js'
import { cliLogger, logFormatOption } from './log-output.js'
import { createProgressLine } from './progress.js'
import { findRunningSimulator, NO_RUNNING_SANDBOX } from './sandbox-link.js'

const HELP = `Usage: sinch-scim-bridge reconcile [--dry-run] [--json] [--log-format json|pretty]

Lists every managed project, refreshes what the bridge knows of Sinch, and converges Sinch to the
directory once, then exits. With --dry-run it prints the changes it would make and changes nothing.
  --dry-run            print the changes it would make; change nothing
  --json               print the report as JSON (on standard output)
  --log-format F       json or pretty: the form of the log lines on standard error (default:
                       pretty on a terminal, JSON otherwise; LOG_LEVEL sets how many)
On a terminal, a progress line (projects and members listed, members/s, elapsed time) stands on
standard error while Sinch is listed, and is cleared before the report.
In sandbox mode it uses the simulator of the running bridge (same DATA_DIR) and refuses (exit 2)
when no bridge is serving: a fresh simulator is empty.
`

export async function reconcileCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { help: { type: 'boolean', short: 'h' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, 'log-format': { type: 'string' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const logFormat = logFormatOption(values['log-format'], process.stderr.isTTY)
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
  // Logs go to standard error, beside the progress line: standard output holds the report alone.
  const progress = createProgressLine(process.stderr)
  const logger = cliLogger(config.logLevel, logFormat, { write: (text: string) => { progress.write(text) } })
  const bridge = await createBridge(config, { logger, ...(simulatorUrl === undefined ? {} : { sandboxSimulatorUrl: simulatorUrl }) })
  try {
    if (values['dry-run'] === true) {
      const result = await dryRunReconcile({ store: bridge.store, sinch: bridge.sinch, rules: bridge.rules })
      process.stdout.write(values.json === true ? JSON.stringify(result, null, 2) + '\n' : formatDryRun(result))
      return 0
    }
    const report = await bridge.reconciler.runOnce(undefined, { onProgress: (p) => { progress.update(p) } })
    progress.done()
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
    progress.done()
    await bridge.close()
  }
}
