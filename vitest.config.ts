import { defineConfig } from 'vitest/config'

export default defineConfig({
  // The examples import 'floodgate/...' as users do; tsconfig.json maps those to the sources.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/runtimes/deno/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
