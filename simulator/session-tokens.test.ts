import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import {
  mintAdminSessionToken,
  mintCheckoutSessionToken,
  mintCustomerAccountSessionToken,
  readSessionTokenClaims,
  type SessionTokenFaults,
} from "./session-tokens";

const API_KEY = "test-api-key";
const SECRET = "shpss_test_secret";
const SHOP = "token-shop.myshopify.com";

const shopify = shopifyApi({
  apiKey: API_KEY,
  apiSecretKey: SECRET,
  scopes: ["read_customers"],
  hostName: "localhost:3000",
  hostScheme: "http",
  apiVersion: ApiVersion.October25,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error, log: async () => {} },
});

const base = { shop: SHOP, apiKey: API_KEY, secret: SECRET };

describe("admin session tokens", () => {
  it("carries App Bridge's claims and is accepted by the library's decoder", async () => {
    const now = Date.now();
    const token = mintAdminSessionToken({
      ...base,
      userId: "42",
      now,
      jti: "jti-1",
      sid: "sid-1",
    });
    const seconds = Math.floor(now / 1000);
    const expected = {
      iss: `https://${SHOP}/admin`,
      dest: `https://${SHOP}`,
      aud: API_KEY,
      sub: "42",
      exp: seconds + 60,
      nbf: seconds,
      iat: seconds,
      jti: "jti-1",
      sid: "sid-1",
    };
    expect(readSessionTokenClaims(token)).toEqual(expected);
    expect(await shopify.session.decodeSessionToken(token)).toEqual(expected);
    expect(shopify.session.getJwtSessionId(SHOP, "42")).toBe(`${SHOP}_42`);
  });

  it("uses the HS256 header", () => {
    const [header] = mintAdminSessionToken(base).split(".");
    expect(
      JSON.parse(Buffer.from(header ?? "", "base64url").toString()),
    ).toEqual({ alg: "HS256", typ: "JWT" });
  });
});

describe("extension session tokens", () => {
  it.each([
    ["checkout", mintCheckoutSessionToken],
    ["customer account", mintCustomerAccountSessionToken],
  ])(
    "%s: carries dest, aud, sub as a customer gid, and is accepted",
    async (_surface, mint) => {
      const now = Date.now();
      const seconds = Math.floor(now / 1000);
      const token = mint({
        ...base,
        customerId: 207_119_551,
        now,
        jti: "jti-2",
      });
      const expected = {
        dest: SHOP,
        aud: API_KEY,
        sub: "gid://shopify/Customer/207119551",
        exp: seconds + 300,
        nbf: seconds,
        iat: seconds,
        jti: "jti-2",
      };
      expect(readSessionTokenClaims(token)).toEqual(expected);
      expect(await shopify.session.decodeSessionToken(token)).toEqual(expected);
      // authenticate.public.checkout / customerAccount decode without the audience check.
      expect(
        await shopify.session.decodeSessionToken(token, {
          checkAudience: false,
        }),
      ).toEqual(expected);
    },
  );

  it("leaves sub out for a guest buyer", () => {
    const claims = readSessionTokenClaims(mintCheckoutSessionToken(base));
    expect(claims).not.toHaveProperty("sub");
    expect(claims).not.toHaveProperty("iss");
    expect(claims).not.toHaveProperty("sid");
  });

  it("accepts a gid as the customer id", () => {
    const claims = readSessionTokenClaims(
      mintCheckoutSessionToken({
        ...base,
        customerId: "gid://shopify/Customer/9",
      }),
    );
    expect(claims.sub).toBe("gid://shopify/Customer/9");
  });
});

describe("bad tokens", () => {
  const faults: Array<[string, SessionTokenFaults, RegExp]> = [
    [
      "signed with another secret",
      { signingSecret: "not-the-secret" },
      /signature verification failed/,
    ],
    ["expired", { expired: true }, /"exp" claim timestamp check failed/],
    [
      "not yet valid",
      { notYetValid: true },
      /"nbf" claim timestamp check failed/,
    ],
    ["for another app", { audience: "other-api-key" }, /invalid API key/],
  ];

  it.each(faults)(
    "rejects an admin token %s",
    async (_name, fault, message) => {
      await expect(
        shopify.session.decodeSessionToken(
          mintAdminSessionToken({ ...base, ...fault }),
        ),
      ).rejects.toThrow(message);
    },
  );

  it.each(faults)(
    "rejects a checkout token %s",
    async (_name, fault, message) => {
      const token = mintCheckoutSessionToken({
        ...base,
        customerId: 1,
        ...fault,
      });
      await expect(shopify.session.decodeSessionToken(token)).rejects.toThrow(
        message,
      );
    },
  );

  it("lets a wrong audience through when the audience is not checked, as the extension authenticators do", async () => {
    const token = mintCustomerAccountSessionToken({
      ...base,
      customerId: 1,
      audience: "other-api-key",
    });
    await expect(
      shopify.session.decodeSessionToken(token, { checkAudience: false }),
    ).resolves.toMatchObject({
      aud: "other-api-key",
    });
  });

  it("stays valid within the decoder's clock tolerance", async () => {
    const token = mintCheckoutSessionToken({
      ...base,
      now: Date.now() - 305_000,
      ttlSeconds: 300,
    });
    await expect(
      shopify.session.decodeSessionToken(token),
    ).resolves.toMatchObject({ dest: SHOP });
  });
});
