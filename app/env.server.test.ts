import { describe, expect, it } from "vitest";
import { EnvironmentError, parseEnv } from "./env.server";

const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://loyalty.example.com",
};

describe("the environment", () => {
  it("accepts the required variables and leaves the database embedded by default", () => {
    const parsed = parseEnv(valid);
    expect(parsed.NODE_ENV).toBe("development");
    expect(parsed.DATABASE_URL).toBeUndefined();
  });

  it("names every missing secret in one clear message", () => {
    expect(() => parseEnv({ SHOPIFY_APP_URL: "https://x.example" })).toThrow(
      /SHOPIFY_API_KEY: SHOPIFY_API_KEY is required[\s\S]*SHOPIFY_API_SECRET/,
    );
  });

  it("refuses the simulator origin in production", () => {
    const simulated = {
      ...valid,
      SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:4010",
    };
    expect(
      parseEnv({ ...simulated, NODE_ENV: "development" })
        .SHOPIFY_ADMIN_API_ORIGIN,
    ).toBe("http://127.0.0.1:4010");
    expect(() => parseEnv({ ...simulated, NODE_ENV: "production" })).toThrow(
      EnvironmentError,
    );
    expect(() => parseEnv({ ...simulated, NODE_ENV: "production" })).toThrow(
      /cannot be used in production/,
    );
  });

  it("rejects a DATABASE_URL that is not PostgreSQL, and treats an empty one as unset", () => {
    expect(() => parseEnv({ ...valid, DATABASE_URL: "mysql://db" })).toThrow(
      /postgresql:\/\//,
    );
    expect(
      parseEnv({ ...valid, DATABASE_URL: "" }).DATABASE_URL,
    ).toBeUndefined();
  });
});
