// bench/filter-parse: what one IdP lookup's filter costs before the store is asked — guard,
// string extraction, SCIMMY's parse (once per shape) and the index terms. Prints µs per filter.
const { parseFilter, toWhere } = await import('../dist/scim/filter.js')
const N = Number(process.env.BENCH_N ?? 50000)
function time (name, f) {
  for (let i = 0; i < 2000; i++) f(i) // warm-up: JIT, and the shape parsed once
  const t = process.hrtime.bigint()
  for (let i = 0; i < N; i++) f(i)
  console.log(`${name.padEnd(34)} ${(Number(process.hrtime.bigint() - t) / 1e3 / N).toFixed(2)} µs per filter`)
}
time('userName eq "…"', (i) => toWhere(parseFilter(`userName eq "user${i}@bench.example"`), 'user'))
time('externalId eq "…" and active eq true', (i) => toWhere(parseFilter(`externalId eq "ext-${i}" and active eq true`), 'user'))
time('emails[type eq "work" and value eq …]', (i) => toWhere(parseFilter(`emails[type eq "work" and value eq "u${i}@bench.example"]`), 'user'))
