/**
 * A request as the node server hands it to a direct route: the body read whole, the headers looked
 * up by lower-case name. A webhook reads no more than that; a route built on the library's
 * fetch-based helpers asks for `fetchRequest()`, which is only made then (a fetch Request and
 * its Headers cost a webhook more than its HMAC does).
 */
export interface DirectRequest {
  method: string;
  /** Absolute. */
  url: string;
  header(name: string): string | undefined;
  body: Buffer | undefined;
  fetchRequest(): Request;
  /**
   * Runs `work` in one of the server's few places for hot-path work (server/admission.ts), waiting
   * its turn when they are taken. A route puts there what holds the database or the event loop
   * for long, and keeps outside what answers at once. Webhooks do not take places: their
   * transactions wait in the database's lane (app/db/transaction-lane.server.ts).
   */
  admit<T>(work: () => Promise<T>): Promise<T>;
  /** Counts a wait for a turn outside the places (a webhook's transaction in the lane) as queued. */
  waited(ms: number): void;
}

/** A small answer, which the server writes head and body in one go. */
export interface DirectAnswer {
  status: number;
  headers: [name: string, value: string][];
  body: string;
}

export type DirectRoute = (request: DirectRequest) => Promise<DirectAnswer>;

export const jsonAnswer = (
  status: number,
  body: Record<string, unknown>,
): DirectAnswer => ({
  status,
  headers: [["content-type", "application/json"]],
  body: JSON.stringify(body),
});
