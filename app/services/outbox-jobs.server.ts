// What the outbox worker and the modules that send its jobs agree on: the handler's shape and how
// a handler says a job is beyond retrying. Apart from the worker, which imports every sender, so
// that a sender never imports the worker back.
import { z } from "zod";
import type { AdminClient } from "~/shopify/admin-client.server";
import type { OutboxJob } from "./outbox.server";

/** Sends one job. Throws to fail it: AdminCallError and OutboxJobError say whether to retry. */
export type OutboxHandler = (
  admin: AdminClient,
  payload: unknown,
  job: OutboxJob,
) => Promise<void>;

export type OutboxHandlers = Readonly<Record<string, OutboxHandler>>;

/** A handler's own verdict on a job, e.g. a payload it cannot read (never worth retrying). */
export class OutboxJobError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "OutboxJobError";
  }
}

/** A job's payload read with its kind's schema; one that does not fit is never worth a retry. */
export function parseJobPayload<Schema extends z.ZodType>(
  kind: string,
  schema: Schema,
  payload: unknown,
): z.infer<Schema> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success)
    throw new OutboxJobError(
      `invalid ${kind} payload: ${z.prettifyError(parsed.error)}`,
      false,
    );
  return parsed.data;
}
