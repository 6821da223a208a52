// The floor the app is compared with: a bare node:http server doing only what every webhook
// delivery must cost (read the body, verify Shopify's HMAC, answer). Run as a child process by
// the webhook bench, like the app, so both are measured under the same conditions.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

const secret = process.env.BENCH_WEBHOOK_SECRET ?? "";
if (!secret) {
  console.error("BENCH_WEBHOOK_SECRET is required");
  process.exit(1);
}

function verified(
  rawBody: Buffer,
  header: string | string[] | undefined,
): boolean {
  if (typeof header !== "string") return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const given = Buffer.from(header, "base64");
  // timingSafeEqual throws on different lengths; a wrong length is simply a wrong signature.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const ok = verified(
      Buffer.concat(chunks),
      request.headers["x-shopify-hmac-sha256"],
    );
    response.writeHead(ok ? 200 : 401, { "Content-Length": 0 });
    response.end();
  });
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening http://127.0.0.1:${port}`);
});

process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
