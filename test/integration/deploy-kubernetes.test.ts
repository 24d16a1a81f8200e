import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { z } from 'zod'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { loadConfig } from '../../src/config/load.js'
import { EnvSchema } from '../../src/config/schema.js'
import { SECRET_FILE_KEYS } from '../../src/config/secret-files.js'
import { startTestBridge, type TestBridge } from '../support/bridge.js'

const DIR = resolve(import.meta.dirname, '../../deploy/kubernetes')
const SETTINGS = new Set<string>([...Object.keys(EnvSchema.shape), ...Object.values(SECRET_FILE_KEYS)])
const SECRET_KEYS = new Set<string>(Object.keys(SECRET_FILE_KEYS))

/** Each kind the manifests use, with the model that validates it against the Kubernetes schema. */
const MODELS: Record<string, new (data: never) => { validate: () => void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget
}

const Kustomization = z.object({ kind: z.literal('Kustomization'), resources: z.array(z.string()) })

interface Doc { file: string, apiVersion: string, kind: string, metadata: { name: string }, [k: string]: unknown }

function manifests (): Doc[] {
  const out: Doc[] = []
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
      expect(doc.errors, file).toEqual([])
      const value = doc.toJS() as Doc | null
      if (value !== null) out.push({ ...value, file })
    }
  }
  return out
}

const docs = manifests()
const one = <T>(kind: string): T & Doc => {
  const found = docs.filter((d) => d.kind === kind)
  expect(found, kind).toHaveLength(1)
  return found[0] as T & Doc
}

interface Container {
  ports: Array<{ name: string, containerPort: number }>
  env: Array<{ name: string, value?: string }>
  envFrom: Array<{ configMapRef: { name: string } }>
  livenessProbe: { httpGet: { path: string, port: string | number } }
  readinessProbe: { httpGet: { path: string, port: string | number } }
  resources: { requests: { memory: string }, limits: { memory: string } }
  securityContext: { readOnlyRootFilesystem: boolean, allowPrivilegeEscalation: boolean }
  volumeMounts: Array<{ name: string, mountPath: string, readOnly?: boolean }>
}
interface DeploymentDoc {
  spec: {
    replicas: number
    template: { spec: { securityContext: { runAsNonRoot: boolean, runAsUser: number }, containers: Container[], volumes: Array<{ name: string, secret?: { secretName: string } }> } }
  }
}
const deployment = one<DeploymentDoc>('Deployment')
const container = deployment.spec.template.spec.containers[0] as Container
const configMap = one<{ data: Record<string, string> }>('ConfigMap')
const secret = one<{ stringData: Record<string, string> }>('Secret')

/** The environment a pod gets: the image's ENV lines, then the ConfigMap, then the container's env. */
function podEnv (secretDir: string): Record<string, string> {
  const image: Record<string, string> = {}
  for (const line of readFileSync(resolve(DIR, '../../Dockerfile'), 'utf8').split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const [k, v] = pair.split('=') as [string, string]
      image[k] = v
    }
  }
  const env: Record<string, string> = { ...image, ...configMap.data, SINCH_KEY_ID: 'key-id', SINCH_PROJECT_IDS: 'p1,p2' }
  const mount = container.volumeMounts.find((m) => m.name === 'secrets')?.mountPath ?? '(none)'
  for (const e of container.env) env[e.name] = (e.value ?? '').replace(mount, secretDir)
  return env
}

describe('deploy/kubernetes', () => {
  it('kustomization.yaml lists every manifest, and each document is valid for its Kubernetes model', () => {
    const k = Kustomization.parse(parseAllDocuments(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))[0]?.toJS())
    expect([...k.resources].sort()).toEqual(readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort())
    expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Secret', 'Service'])
    for (const { file, ...doc } of docs) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`]
      expect(Model, `${file}: ${doc.apiVersion} ${doc.kind}`).toBeDefined()
      expect(() => { new Model!(doc as never).validate() }, file).not.toThrow()
    }
  })

  it('the model check can fail: a string port is refused', () => {
    const broken = structuredClone(deployment) as unknown as { file?: string, spec: { template: { spec: { containers: Array<{ ports: Array<{ containerPort: unknown }> }> } } } }
    delete broken.file
    broken.spec.template.spec.containers[0]!.ports[0]!.containerPort = 'eighty'
    expect(() => { new Deployment(broken as never).validate() }).toThrow(/containerPort/)
  })

  it('two non-root replicas with a read-only root, a PDB of one, sized resources', () => {
    expect(deployment.spec.replicas).toBe(2)
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 })
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false })
    expect(one<{ spec: { minAvailable: number } }>('PodDisruptionBudget').spec.minAvailable).toBe(1)
    expect(container.resources.requests.memory).toMatch(/^\d+Mi$/)
    expect(container.resources.limits.memory).toMatch(/^\d+Mi$/)
  })

  it('every variable the manifests set is a setting of the bridge, and no secret is a value', () => {
    const names = [...Object.keys(configMap.data), ...container.env.map((e) => e.name)]
    expect(names.filter((n) => !SETTINGS.has(n))).toEqual([])
    for (const e of container.env) {
      // DATABASE_URL may only be blanked (to unset the image's SQLite default).
      if (SECRET_KEYS.has(e.name)) expect(e.value, e.name).toBe('')
    }
    expect(Object.keys(configMap.data).filter((n) => SECRET_KEYS.has(n))).toEqual([])
    for (const [key, fileKey] of Object.entries(SECRET_FILE_KEYS)) {
      if (key === 'METRICS_TOKEN') continue
      expect(container.env.find((e) => e.name === fileKey)?.value, fileKey).toMatch(/^\/run\/secrets\/bridge\//)
    }
    const mount = container.volumeMounts.find((m) => m.name === 'secrets')
    expect(mount?.readOnly).toBe(true)
    expect(deployment.spec.template.spec.volumes.find((v) => v.name === 'secrets')?.secret?.secretName).toBe(secret.metadata.name)
    expect(container.envFrom[0]?.configMapRef.name).toBe(configMap.metadata.name)
  })

  it('the pod environment (image ENV, ConfigMap, env, secret files) is accepted and runs on PostgreSQL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-secrets-'))
    for (const [name, value] of Object.entries(secret.stringData)) writeFileSync(join(dir, name), value)
    const r = loadConfig(podEnv(dir), '/nonexistent/.env')
    expect(r.ok ? [] : r.problems).toEqual([])
    if (!r.ok) return
    expect(r.config.sandbox).toBe(false)
    expect(r.config.databaseUrl).toBe(secret.stringData.database_url)
    expect(r.config.scimTokens).toEqual([secret.stringData.scim_bearer_token])
    expect(r.config.port).toBe(container.ports[0]?.containerPort)
  })

  describe('probes against a running bridge', () => {
    let t: TestBridge
    beforeAll(async () => { t = await startTestBridge() })
    afterAll(async () => { await t.close() })

    it('probe paths are the bridge routes, on the named port, which is the default port', async () => {
      const http = container.ports.find((p) => p.name === 'http')
      expect(http?.containerPort).toBe(EnvSchema.shape.PORT.parse(undefined))
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' })
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        expect((await fetch(`${t.url}${probe.httpGet.path}`)).status, probe.httpGet.path).toBe(200)
      }
      const service = one<{ spec: { ports: Array<{ targetPort: string }> } }>('Service')
      expect(service.spec.ports[0]?.targetPort).toBe('http')
    })
  })
})
