import type { Logger } from 'pino'
import { API_STYLES, STYLES, type ApiStyle, type ApiStyleName, type ApiStyleSetting } from './api-style.js'
import { SinchError } from './errors.js'

/** Where the detected style is kept across restarts (the store's settings table, via main.ts). */
export interface StylePersistence {
  load (): Promise<string | null>
  save (style: ApiStyleName): Promise<void>
}

/** What one read-only probe saw: 'ok' = 2xx with a parsable page; 'absent' = 404/405 or 2xx unparsable. */
export interface ProbeOutcome { style: ApiStyleName, outcome: 'ok' | 'absent', status: number | null }
export type Probe = (style: ApiStyle, projectId: string) => Promise<ProbeOutcome>

export interface StyleResolverOptions {
  setting: ApiStyleSetting
  probe: Probe
  persistence?: StylePersistence
  logger: Logger
  onChosen?: (style: ApiStyleName, how: 'configured' | 'stored' | 'probed') => void
}

/**
 * Decides which API style to speak (issue 13, item 2). A configured style is used as is. With
 * `auto`, the style kept in the store is used; without one, the first call of the process probes
 * the member listing of its project with the smallest page, `v1` first, then `guide`, and keeps
 * the style that answered 2xx with a parsable page. Every call, writes included, waits for this,
 * so no write is sent before a style is known. One probe runs at a time.
 */
export class StyleResolver {
  private chosen: ApiStyle | null = null
  private how: 'configured' | 'stored' | 'probed' | null = null
  private inflight: Promise<ApiStyle> | null = null
  /** The probes of the last detection, for doctor and the logs. */
  lastProbes: ProbeOutcome[] = []

  constructor (private readonly o: StyleResolverOptions) {
    if (o.setting !== 'auto') this.choose(STYLES[o.setting], 'configured')
  }

  get current (): ApiStyleName | null { return this.chosen?.name ?? null }
  get source (): 'configured' | 'stored' | 'probed' | null { return this.how }

  async get (projectId: string): Promise<ApiStyle> {
    if (this.chosen !== null) return this.chosen
    this.inflight ??= this.detect(projectId, true).finally(() => { this.inflight = null })
    return await this.inflight
  }

  /**
   * The listing under a stored style answered 404/405: the account may have moved to the other
   * shape. Probe again (never for a configured style, and never for one probed in this process).
   */
  async reconsider (projectId: string): Promise<boolean> {
    if (this.how !== 'stored') return false
    this.chosen = null
    this.how = null
    this.inflight ??= this.detect(projectId, false).finally(() => { this.inflight = null })
    await this.inflight
    return true
  }

  private async detect (projectId: string, useStored: boolean): Promise<ApiStyle> {
    if (useStored && this.o.persistence !== undefined) {
      const stored = await this.o.persistence.load().catch(() => null)
      if (stored !== null && (API_STYLES as readonly string[]).includes(stored)) return this.choose(STYLES[stored as ApiStyleName], 'stored')
    }
    this.lastProbes = []
    for (const name of API_STYLES) {
      const r = await this.o.probe(STYLES[name], projectId)
      this.lastProbes.push(r)
      if (r.outcome === 'ok') {
        await this.o.persistence?.save(name).catch((err: Error) => this.o.logger.warn({ err: err.message }, 'could not keep the detected Sinch API style; it will be probed again after a restart'))
        return this.choose(STYLES[name], 'probed')
      }
    }
    const seen = this.lastProbes.map((p) => `${p.style}: ${p.status ?? 'no answer'}`).join(', ')
    throw new SinchError({ code: 'SINCH_STYLE_UNKNOWN', message: `neither Sinch API style answered the member listing of project ${projectId} (${seen}); check the project id, SINCH_REGION / SINCH_API_URL, or set SINCH_API_STYLE`, operation: 'list', status: this.lastProbes.at(-1)?.status ?? null, projectId })
  }

  private choose (style: ApiStyle, how: 'configured' | 'stored' | 'probed'): ApiStyle {
    this.chosen = style
    this.how = how
    this.o.logger.info({ apiStyle: style.name, how }, 'sinch API style chosen')
    this.o.onChosen?.(style.name, how)
    return style
  }
}
