import { describe, expect, it } from "vitest";
import { useDemoBrowser } from "../support/browser";

// The merchant's members and data pages in a real Chromium, on the demo shop's replayed history.
const demo = useDemoBrowser();

async function someMember() {
  const member = await demo.db.prisma.member.findFirstOrThrow({
    where: { shop: demo.shop, lastName: { not: null } },
    orderBy: { lifetimeEarned: "desc" },
  });
  return member;
}

describe("members in a browser", () => {
  it("finds a member by e-mail, opens them, adjusts their points and sees the ledger grow", async () => {
    const member = await someMember();
    const page = await demo.openAdmin("/app/members");
    await page
      .getByPlaceholder("Search by name or e-mail")
      .fill(member.email ?? "");
    const row = page.getByRole("row", { name: new RegExp(member.email ?? "") });
    // The search runs once typing pauses; the list is then the search's answer.
    await page.waitForURL(/[?&]q=/);
    await page.getByText("1 members").waitFor();
    await row.first().waitFor();
    await demo.screenshot(page, "members-search");
    await row.first().click();
    await page.waitForURL(new RegExp(`/app/members/${member.id}`));

    const entriesBefore = await demo.db.prisma.ledgerEntry.count({
      where: { shop: demo.shop, memberId: member.id },
    });
    await page.getByLabel("Points", { exact: true }).fill("150");
    await page.getByLabel("Reason").fill("Goodwill for a late parcel");
    await page.getByRole("button", { name: "Record adjustment" }).click();
    await page.getByText("Goodwill for a late parcel").first().waitFor();
    await demo.screenshot(page, "member-adjusted");

    const after = await demo.db.prisma.member.findUniqueOrThrow({
      where: { id: member.id },
    });
    expect(after.available).toBe(member.available + 150);
    expect(
      await demo.db.prisma.ledgerEntry.count({
        where: { shop: demo.shop, memberId: member.id },
      }),
    ).toBe(entriesBefore + 1);
    await page.context().close();
  });

  it("imports balances from a CSV, listing the bad row and importing the others", async () => {
    const member = await someMember();
    const before = member.available;
    const bronze = await demo.db.prisma.member.findFirstOrThrow({
      where: { shop: demo.shop, tierHandle: "bronze", email: { not: null } },
    });
    const csv = [
      "email,points,tier",
      `${member.email},40,`,
      "not-an-e-mail,25,",
      `${bronze.email},10,Gold`,
    ].join("\n");
    const page = await demo.openAdmin("/app/data");
    await page.locator('input[type="file"]').setInputFiles({
      name: "other-app.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csv),
    });
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByText("2 rows ready, 1 with errors.").waitFor();
    await page.getByText("1 members move up to the tier").waitFor();
    // The bad row is listed with its number in the file (the header is row 1).
    await page.getByText(/^Row 3, email:/).waitFor();
    await demo.screenshot(page, "import-preview");
    expect(
      (
        await demo.db.prisma.member.findUniqueOrThrow({
          where: { id: member.id },
        })
      ).available,
    ).toBe(before);

    await page.getByRole("button", { name: "Import" }).click();
    await expect
      .poll(
        async () =>
          (
            await demo.db.prisma.member.findUniqueOrThrow({
              where: { id: member.id },
            })
          ).available,
        { timeout: 20_000 },
      )
      .toBe(before + 40);
    await demo.screenshot(page, "import-done");
    // The shopper's tier from the old app, for good under the demo's lifetime window.
    await expect
      .poll(
        async () =>
          (
            await demo.db.prisma.member.findUniqueOrThrow({
              where: { id: bronze.id },
            })
          ).tierHandle,
        { timeout: 20_000 },
      )
      .toBe("gold");
    await page.context().close();
    const memberPage = await demo.openAdmin(`/app/members/${bronze.id}`);
    await memberPage.getByText("Gold · imported", { exact: true }).waitFor();
    await memberPage.context().close();
  });
});
