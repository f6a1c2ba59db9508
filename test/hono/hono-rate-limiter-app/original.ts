// An app on hono-rate-limiter (options from its README and types). ported.ts is this file with
// only the import changed.
import { Hono } from "hono";
import { rateLimiter } from "hono-rate-limiter";

const byApiKey = (c: { req: { header(name: string): string | undefined } }) => c.req.header("x-api-key") ?? "anonymous";

export const app = new Hono();

app.use(
  "/api/*",
  rateLimiter({
    windowMs: 15 * 60 * 1000, // 15 minutes
    limit: 3, // Limit each key to 3 requests per `window`
    standardHeaders: "draft-6", // draft-6: `RateLimit-*` headers; draft-7: combined `RateLimit` header
    keyGenerator: byApiKey, // Method to generate custom identifiers for clients.
  }),
);
app.get("/api/data", (c) => {
  const info = (c.get as (key: string) => { limit: number; remaining: number; used: number })("rateLimit");
  return c.json({ limit: info.limit, remaining: info.remaining, used: info.used });
});

app.use(
  "/v7/*",
  rateLimiter({
    windowMs: 60 * 1000,
    limit: 2,
    standardHeaders: "draft-7",
    keyGenerator: byApiKey,
    message: { error: "Slow down" },
    statusCode: 503,
  }),
);
app.get("/v7/data", (c) => c.text("ok"));

app.use(
  "/login",
  rateLimiter({
    windowMs: 60 * 1000,
    limit: 2,
    keyGenerator: byApiKey,
    skipSuccessfulRequests: true, // only failed logins count
  }),
);
app.post("/login", (c) => (c.req.header("x-password") === "right" ? c.text("welcome") : c.text("no", 401)));

app.use(
  "/custom/*",
  rateLimiter({
    windowMs: 60 * 1000,
    limit: (c) => (c.req.header("x-plan") === "pro" ? 3 : 1),
    keyGenerator: byApiKey,
    standardHeaders: false,
    handler: (c) => c.text("custom refusal", 429),
  }),
);
app.get("/custom/data", (c) => c.text("ok"));
