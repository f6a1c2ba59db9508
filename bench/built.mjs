/**
 * `--import` this (bench/run.ts puts it in NODE_OPTIONS, so forked contenders and the bridge get
 * it too) and every import of the project's `src/**.ts` or `adapters/**.ts` loads the built
 * `dist/**.js` instead: the benches measure the JavaScript the package ships. Run from the
 * sources, tsx compiles with esbuild's keepNames, which wraps every function expression in a
 * `__name()` call made each time the expression runs: about 1-2 µs of client CPU per limiter
 * decision through the bridge, a cost the peers (plain JavaScript from node_modules) never pay.
 */
import { register } from 'node:module'

register('./built-resolve.mjs', import.meta.url)
