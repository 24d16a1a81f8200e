import type { Bridge } from '../main.js'

/** What a newcomer needs after `npm start`: where SCIM lives, the token, the page, a curl to try. */
export function banner (bridge: Bridge, address: string): string {
  const url = new URL(address)
  if (url.hostname === '0.0.0.0' || url.hostname === '::') url.hostname = '127.0.0.1'
  const base = `${url.origin}${bridge.config.scimBasePath}`
  const token = bridge.scimTokens[0] ?? ''
  const lines = [
    '',
    bridge.config.sandbox ? '  sinch-scim-bridge — SANDBOX MODE: the bundled Sinch simulator answers; nothing is sent to Sinch.' : '  sinch-scim-bridge',
    '',
    `  SCIM base URL   ${base}`,
    bridge.config.sandbox ? `  SCIM token      ${token}   (saved in ${bridge.config.dataDir}/scim-token)` : '  SCIM token      from SCIM_BEARER_TOKEN, SCIM_BEARER_TOKEN_FILE or <DATA_DIR>/scim-token (sinch-scim-bridge token)',
    `  Status page     ${url.origin}/status   (any user name; the SCIM token as password)`,
    `  Managed         ${bridge.config.projects.managed.join(', ')}`,
    ''
  ]
  if (bridge.config.sandbox) {
    lines.push(
      '  Try it:',
      `  curl -s -X POST ${base}/Users \\`,
      `    -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/scim+json' \\`,
      `    -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"value":"ada@example.com","type":"work","primary":true}],"active":true}'`,
      '',
      `  Then open the status page: the user is invited (PENDING) and accepted after ~${Math.round(bridge.config.sandboxAutoAcceptMs / 1000)} s.`,
      ''
    )
  }
  return lines.join('\n') + '\n'
}
