export async function simulateCommand (_args: string[]): Promise<number> {
  process.stderr.write('simulate: not built yet\n')
  return 1
}
