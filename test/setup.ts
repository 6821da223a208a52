import { afterEach, beforeEach, vi, type MockInstance } from "vitest";
import {
  consoleErrorAllowed,
  resetConsoleErrorAllowance,
} from "./support/console";

// An unexpected console.error fails the test; a test that provokes one says so with allowConsoleError().
let errorSpy: MockInstance<typeof console.error>;
let errors: unknown[][] = [];

beforeEach(() => {
  resetConsoleErrorAllowance();
  errors = [];
  errorSpy = vi
    .spyOn(console, "error")
    .mockImplementation((...args: unknown[]) => {
      errors.push(args);
    });
});

afterEach(() => {
  errorSpy.mockRestore();
  if (errors.length > 0 && !consoleErrorAllowed()) {
    throw new Error(
      `console.error was called unexpectedly:\n${errors.map((args) => args.join(" ")).join("\n")}`,
    );
  }
});

// Nothing leaves the machine: a request to anything but loopback is a bug in the test or the app.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(
    typeof input === "string"
      ? input
      : input instanceof URL
        ? input.href
        : input.url,
  );
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    return Promise.reject(
      new Error(`Unexpected outbound request to ${url.href}`),
    );
  }
  return realFetch(input, init);
};
