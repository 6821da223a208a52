import { expect, it } from "vitest";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

const stack = useTestStack();

it("stops once however many times it is asked to, as a Ctrl-C passed on by npm and tsx asks", async () => {
  // A checked delivery, so that the webhook check's thread runs and has to be stopped too.
  const forged = await sendWebhook(
    stack.app,
    "serve-build.myshopify.com",
    "customers/create",
    { id: 1 },
    { secret: "not-the-app-secret" },
  );
  expect(forged.status).toBe(401);

  await expect(
    Promise.all([stack.app.close(), stack.app.close(), stack.app.close()]),
  ).resolves.toHaveLength(3);
  await expect(fetch(`${stack.app.url}/`)).rejects.toThrow();
});
