// The "Traffic Protection" page of Upstash's docs (redis/sdks/ratelimit-ts/traffic-protection),
// with the import changed. NOTE: the page's snippet does not compile as printed (a comma missing
// after `enableProtection: true`, `limit` not awaited); those two typos are fixed here.
import { Ratelimit } from 'floodgate' // was: import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";

export const protection = async (ip: string) => {
const ratelimit = new Ratelimit({
  redis: Redis.fromEnv(),
  limiter: Ratelimit.slidingWindow(10, "10 s"),
  enableProtection: true,
  analytics: true,
});

const { success, pending, reason, deniedValue } = await ratelimit.limit("userId", {
  ip: ip,
  userAgent: "user-agent",
  country: "country",
});

await pending; // await pending if you have analytics enabled

console.log(success, reason, deniedValue);
// prints: false, "denyList", "ip-address"
return { success, reason, deniedValue }
}
