/** Runs once before any test file: fails the whole run with one line when Valkey is missing. */
import { assertValkeyInstalled } from './valkey.ts'

export default function setup(): void {
  assertValkeyInstalled()
}
