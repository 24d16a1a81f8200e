import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

/**
 * In sandbox mode the "Sinch" a CLI command must talk to is the simulator inside the running
 * bridge; a fresh one is empty and would make `reconcile` re-invite everyone (issue 16). The
 * serving process leaves its simulator's address here and removes it when it exits.
 */
export const SIMULATOR_LINK_FILE = 'sandbox-simulator.json'

const LinkSchema = z.object({ url: z.string().url(), pid: z.number().int().positive() })

export function publishSimulator (dataDir: string, url: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, SIMULATOR_LINK_FILE)
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify({ url, pid: process.pid })}\n`, { mode: 0o600 })
  renameSync(tmp, path)
  // 'exit' runs on every orderly end (signal handlers call process.exit); only sync work is allowed there.
  process.once('exit', () => { withdrawSimulator(dataDir) })
}

/** Removes the link if it is this process's (another bridge on the same DATA_DIR may have replaced it). */
export function withdrawSimulator (dataDir: string): void {
  const path = join(dataDir, SIMULATOR_LINK_FILE)
  try {
    const link = LinkSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
    if (link.pid === process.pid) unlinkSync(path)
  } catch {
    // Absent or unreadable: nothing of ours to remove.
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as { code?: unknown }).code === 'EPERM'
  }
}

/** The running bridge's simulator URL, or null when no bridge is serving (or its link is stale). */
export async function findRunningSimulator (dataDir: string): Promise<string | null> {
  const path = join(dataDir, SIMULATOR_LINK_FILE)
  if (!existsSync(path)) return null
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return null
  }
  const parsed = LinkSchema.safeParse(raw)
  if (!parsed.success || !alive(parsed.data.pid)) return null
  try {
    // The control plane answers only on the simulator; a port reused by something else does not.
    const res = await fetch(`${parsed.data.url}/__sim/requests?since=${Number.MAX_SAFE_INTEGER}`, { signal: AbortSignal.timeout(2000) })
    await res.body?.cancel()
    return res.ok ? parsed.data.url : null
  } catch {
    return null
  }
}

export const NO_RUNNING_SANDBOX = 'sandbox mode (no Sinch key): this command needs the simulator of a running bridge, and none answers.\n' +
  'Start the bridge first ("sinch-scim-bridge serve" with the same DATA_DIR), or set SINCH_KEY_ID/SINCH_KEY_SECRET for a real Sinch.\n' +
  'A fresh simulator would be empty: the bridge would re-invite every user.\n'
