/**
 * The few Deno APIs the Deno-side test files use, typed once. These files run under
 * `deno test --no-check` and sit outside the Node type-check, so no Deno type package is needed.
 */
export interface DenoTestDefinition {
  name: string
  fn: () => Promise<void>
  sanitizeOps?: boolean
  sanitizeResources?: boolean
}

export interface DenoLike {
  env: { get(name: string): string | undefined }
  test(definition: DenoTestDefinition): void
  test(name: string, fn: () => Promise<void>): void
}

export const Deno: DenoLike = (globalThis as unknown as { Deno: DenoLike }).Deno
