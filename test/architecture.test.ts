/**
 * The arrows of docs/architecture.md, checked on the source: an import graph of src/ and
 * adapters/ read with a regular expression over import and export lines (static and dynamic).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')

const sources = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort()

const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g

/** Every module of src/ and adapters/ with what it imports: repository paths, or bare names. */
const graph = new Map<string, string[]>(
  [...sources('src'), ...sources('adapters')].map((file) => {
    const text = readFileSync(join(root, file), 'utf8')
    const targets = [...text.matchAll(SPECIFIER)].map((m) => {
      const specifier = (m[1] ?? m[2])!
      return specifier.startsWith('.') ? relative(root, resolve(root, dirname(file), specifier)) : specifier
    })
    return [file, targets]
  }),
)

const edges = (from: (file: string) => boolean, to: (target: string) => boolean): string[] =>
  [...graph].flatMap(([file, targets]) =>
    from(file) ? targets.filter(to).map((target) => `${file} -> ${target}`) : [],
  )

/** The import cycles, each as the list of modules around it. */
const cycles = (): string[][] => {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    stack.push(file)
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue
      if (state.get(target) === 'open') found.push([...stack.slice(stack.indexOf(target)), target])
      else if (!state.has(target)) visit(target)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return found
}

describe('the layering', () => {
  it('reads a graph of the whole source tree', () => {
    expect(graph.has('src/resp/encode.ts')).toBe(true)
    expect(graph.get('src/limit/limiter.ts')).toContain('src/limit/limiter-checks.ts')
    expect(graph.size).toBeGreaterThan(100)
  })

  it('has no import cycle', () => {
    expect(cycles()).toEqual([])
  })

  it('keeps resp/ below everything: it imports only itself and errors.ts', () => {
    expect(
      edges(
        (file) => file.startsWith('src/resp/'),
        (target) => !target.startsWith('src/resp/') && target !== 'src/errors.ts',
      ),
    ).toEqual([])
  })

  it('never imports adapters/ from src/', () => {
    expect(
      edges(
        (file) => file.startsWith('src/'),
        (target) => target.startsWith('adapters/'),
      ),
    ).toEqual([])
  })

  it('uses Node built-ins only in adapters/node/, the bridge’s Node entry and the Express integration', () => {
    // floodgate/express runs only on Node (Express is node:http); test/package/edge-bundles.test.ts
    // checks that no edge entry reaches it.
    expect(
      edges(
        (file) =>
          !file.startsWith('adapters/node/') &&
          !file.startsWith('src/bridge/node/') &&
          !file.startsWith('src/express/'),
        (target) => target.startsWith('node:'),
      ),
    ).toEqual([])
  })

  it('keeps the bridge’s Web handler apart from its Node server', () => {
    expect(
      edges(
        (file) => file.startsWith('src/bridge/') && !file.startsWith('src/bridge/node/'),
        (target) => target.startsWith('src/bridge/node/'),
      ),
    ).toEqual([])
  })

  it('keeps backend details behind the Client interface: no layer above client/ imports the memory backend', () => {
    // The package entry (src/index.ts) re-exports createMemoryClient; it is no layer.
    expect(
      edges(
        (file) => file.startsWith('src/') && !file.startsWith('src/client/') && file !== 'src/index.ts',
        (target) => target.startsWith('src/client/memory/'),
      ),
    ).toEqual([])
  })

  it('has no layer above client/ ask which transport it was handed', () => {
    const asks = /\.kind\s*[!=]==?\s*['"](?:tcp|http|memory|cluster)['"]/
    const files = [...graph.keys()].filter(
      (file) => file.startsWith('src/') && !file.startsWith('src/client/'),
    )
    expect(files.filter((file) => asks.test(readFileSync(join(root, file), 'utf8')))).toEqual([])
  })
})
