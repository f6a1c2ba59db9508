/**
 * Waits out the last `margin` ms of the current `windowMs` window of the real clock. A test that
 * makes a few calls against a fixed window on the real clock (Valkey's, or the caller's, which is
 * the same machine's here) would otherwise, once in a few hundred runs, see its calls straddle a
 * window boundary and the count start over.
 */
export const clearOfWindowEdge = async (windowMs: number, margin = 2000): Promise<void> => {
  const left = windowMs - (Date.now() % windowMs)
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 50))
}
