// The "Ratelimiting Algorithms" page of Upstash's docs (redis/sdks/ratelimit-ts/algorithms),
// with only the import changed.
import { Ratelimit } from 'floodgate' // was: import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";

export const fixed = () => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.fixedWindow(10, "10 s"),
});
return ratelimit
}

export const sliding = () => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.slidingWindow(10, "10 s"),
});
return ratelimit
}

export const bucket = () => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.tokenBucket(5, "10 s", 10),
  analytics: true,
});
return ratelimit
}

export const cachedFixed = () => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.cachedFixedWindow(5, "5 s"),
  ephemeralCache: new Map(),
});
return ratelimit
}
