// The "Features" page of Upstash's docs (redis/sdks/ratelimit-ts/features), with only the import
// changed; `// ...` elisions of the page filled with the page's own options.
import { Ratelimit } from 'floodgate' // was: import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";

// Caching
const cache = new Map(); // must be outside of your serverless function handler

export const caching = () => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.slidingWindow(2, "10 s"),
  ephemeralCache: cache,
});
return ratelimit
}

// Timeout
export const timeout = () => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.slidingWindow(10, "10 s"),
  timeout: 1000, // 1 second
  analytics: true,
});
return ratelimit
}

// Analytics
export const analytics = () => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.slidingWindow(10, "10 s"),
  analytics: true,
});
return ratelimit
}

// Using Multiple Limits
export const multipleLimits = () => {
const redis = Redis.fromEnv();

const ratelimit = {
  free: new Ratelimit({
    redis,
    analytics: true,
    prefix: "ratelimit:free",
    limiter: Ratelimit.slidingWindow(10, "10s"),
  }),
  paid: new Ratelimit({
    redis,
    analytics: true,
    prefix: "ratelimit:paid",
    limiter: Ratelimit.slidingWindow(60, "10s"),
  }),
};

return ratelimit
}

// Custom Rates
export const customRates = async (batchSize: number) => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.slidingWindow(10, "10 s"),
});

// pass rate as 5 to subtract 5 from the number of
// allowed requests in the window:
const identifier = "api";
const { success } = await ratelimit.limit(identifier, { rate: batchSize });
return success
}

// Dynamic Limits
export const dynamic = async () => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.slidingWindow(10, "10s"),
  dynamicLimits: true, // enable dynamic limits
});

// set a global dynamic limit
await ratelimit.setDynamicLimit({ limit: 5 });

const first = await ratelimit.getDynamicLimit();

// remove the dynamic limit, back to 10
await ratelimit.setDynamicLimit({ limit: false });

return { first, ratelimit }
}
