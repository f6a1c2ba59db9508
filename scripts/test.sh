#!/usr/bin/env bash
# The whole test run: lint, type-check, then every suite (unit, integration on real Valkey,
# runtime suites inside workerd, edge-runtime and Deno). Test files start their own valkey-server
# processes on free loopback ports; this script only makes sure what they need is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Valkey (with Sentinel), curl, Chromium, promtool and systemd-analyze: installed as root when
# missing, else named with the command that installs them.
bash scripts/install-system.sh

echo "== lint"
npx biome check .
echo "== type-check"
npx tsc -p tsconfig.json --noEmit
echo "== type-check in Deno (its own TypeScript and lib: the Deno adapter, example and tests)"
./node_modules/.bin/deno check --quiet --config examples/deno/deno.json \
  adapters/deno/index.ts examples/deno/*.ts test/runtimes/deno/*.ts
echo "== JSR package (deno publish --dry-run: what JSR would type-check and publish, with jsr.json's compilerOptions)"
./node_modules/.bin/deno publish --dry-run --allow-dirty --quiet
echo "== tests"
mkdir -p .tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json || status=$?
if [ -f .tmp/vitest.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  '
fi
exit $status
