// The multi-region example of Upstash's docs (Features, "Multi Region"), with only the import
// changed; the region URLs come from the env variables the test sets.
import { MultiRegionRatelimit } from 'floodgate' // was: import { MultiRegionRatelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";

export const multiRegion = async () => {
// Create a new ratelimiter, that allows 10 requests per 10 seconds
const ratelimit = new MultiRegionRatelimit({
  redis: [
    new Redis({
      url: process.env.US1_UPSTASH_REDIS_REST_URL!,
      token: process.env.US1_UPSTASH_REDIS_REST_TOKEN!,
    }),
    new Redis({
      url: process.env.EU2_UPSTASH_REDIS_REST_URL!,
      token: process.env.EU2_UPSTASH_REDIS_REST_TOKEN!,
    }),
  ],
  limiter: MultiRegionRatelimit.slidingWindow(10, "10 s"),
  analytics: true,
});

// Use a constant string to limit all requests with a single ratelimit
// Or use a userID, apiKey or ip address for individual limits.
const identifier = "api";
const { success, pending } = await ratelimit.limit(identifier);
await pending;
return success
}
