/** A Worker that runs the client suite over HTTP (see ../http-worker.ts). */
import { runHttpSuite } from '../http-worker.ts'

export default { fetch: runHttpSuite }
