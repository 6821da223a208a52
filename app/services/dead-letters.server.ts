import type { Database } from "~/db/client.server";
import { topicHandlers } from "./topic-handlers.server";
import { runTopicHandler } from "./webhook-runner.server";

export interface ReplayReport {
  replayed: number;
  stillFailing: number;
}

/**
 * Runs stored deliveries through today's handlers, under their original webhook id, so a delivery
 * that was in fact applied meanwhile (Shopify retried it after a fix) is recognised as a duplicate.
 * Their signature was verified when they arrived.
 */
export async function replayDeadLetters(
  { prisma, sql }: Database,
  filter: { shop?: string; id?: bigint } = {},
): Promise<ReplayReport> {
  const letters = await prisma.deadLetter.findMany({
    where: {
      replayedAt: null,
      ...(filter.shop ? { shop: filter.shop } : {}),
      ...(filter.id ? { id: filter.id } : {}),
    },
    orderBy: { id: "asc" },
  });
  const report: ReplayReport = { replayed: 0, stillFailing: 0 };
  for (const letter of letters) {
    const handler = topicHandlers[letter.topic];
    const answer = handler
      ? await runTopicHandler(
          sql,
          {
            shop: letter.shop,
            topic: letter.topic,
            webhookId: letter.webhookId,
            eventId: letter.eventId,
            triggeredAt: letter.receivedAt,
            apiVersion: letter.apiVersion ?? "",
          },
          letter.rawBody,
          handler,
        )
      : null;
    if (answer && answer.status >= 200 && answer.status < 300) {
      await prisma.deadLetter.update({
        where: { id: letter.id },
        data: { replayedAt: new Date() },
      });
      report.replayed += 1;
    } else {
      report.stillFailing += 1;
    }
  }
  return report;
}
