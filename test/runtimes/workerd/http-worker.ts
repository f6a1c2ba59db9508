/** A Worker that runs the client suite over HTTP (see ../support/http-suite.ts). */
import { runHttpSuite } from '../support/http-suite.ts'

export default { fetch: runHttpSuite }
