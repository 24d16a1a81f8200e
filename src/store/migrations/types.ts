/** A numbered migration, written once per dialect so both stores keep the same numbering. */
export interface Migration {
  id: number
  name: string
  sqlite: string
  postgres: string
}
