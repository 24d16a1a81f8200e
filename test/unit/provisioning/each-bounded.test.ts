import { describe, expect, it } from 'vitest'
import { eachBounded } from '../../../src/provisioning/each-bounded.js'

const tick = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

describe('eachBounded', () => {
  it('never runs more than the limit at once, and runs every item', async () => {
    let running = 0
    let most = 0
    const done: number[] = []
    const left = await eachBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++
      most = Math.max(most, running)
      await tick(5 + (n % 3))
      done.push(n)
      running--
    })
    expect(most).toBe(3)
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(left).toEqual([])
  })

  it('once halted nothing new starts, what runs finishes, and the items never started come back', async () => {
    let stop = false
    const finished: number[] = []
    const left = await eachBounded([1, 2, 3, 4, 5], 2, async (n) => {
      await tick(n === 1 ? 1 : 10)
      if (n === 1) stop = true
      finished.push(n)
    }, () => stop)
    expect(finished.sort()).toEqual([1, 2])
    expect(left).toEqual([3, 4, 5])
  })

  it('an error stops new starts, waits for the calls in flight, then is rethrown', async () => {
    const finished: number[] = []
    const run = eachBounded([1, 2, 3, 4], 2, async (n) => {
      if (n === 1) throw new Error('boom')
      await tick(10)
      finished.push(n)
    })
    await expect(run).rejects.toThrow('boom')
    expect(finished).toEqual([2])
  })
})
