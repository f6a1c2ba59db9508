// The "Methods" page of Upstash's docs (redis/sdks/ratelimit-ts/methods), with only the import
// changed.
import { Ratelimit } from 'floodgate' // was: import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";

const doExpensiveCalculation = () => 'done'

// blockUntilReady
export const blockUntilReady = async () => {
// Create a new ratelimiter, that allows 10 requests per 10 seconds
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.slidingWindow(10, "10 s"),
  analytics: true,
});

// `blockUntilReady` returns a promise that resolves as soon as the request is allowed to be processed, or after 30 seconds
const { success } = await ratelimit.blockUntilReady("id", 30_000);

if (!success) {
  return "Unable to process, even after 30 seconds";
}
return doExpensiveCalculation();
}

// resetUsedTokens and getRemaining
export const resetAndRemaining = async () => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.slidingWindow(10, "10 s"),
});
await ratelimit.limit("identifier");
const before = await ratelimit.getRemaining("identifier");
await ratelimit.resetUsedTokens("identifier");
const { remaining, reset } = await ratelimit.getRemaining("identifier");
return { before, remaining, reset }
}
