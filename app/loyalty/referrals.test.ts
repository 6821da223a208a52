import { describe, expect, it } from "vitest";
import { programConfigSchema, defaultProgramConfig } from "./program";
import {
  addressIdentity,
  mailboxOf,
  referralCode,
  referralCodeSchema,
  referralVerdict,
  type ReferralFacts,
} from "./referrals";

describe("referral codes", () => {
  it("are 10 letters of the unambiguous alphabet, the same for the same bytes", () => {
    const bytes = Uint8Array.from({ length: 10 }, (_, index) => index * 25);
    const code = referralCode(bytes);
    expect(code).toMatch(
      /^REF-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{2}$/,
    );
    expect(referralCode(bytes)).toBe(code);
    expect(referralCodeSchema.parse(` ${code.toLowerCase()} `)).toBe(code);
    expect(() => referralCode(new Uint8Array(9))).toThrow(RangeError);
  });

  it("are off in a program stored before referrals existed", () => {
    const stored = JSON.parse(JSON.stringify(defaultProgramConfig("USD")));
    delete stored.growth;
    const config = programConfigSchema.parse(stored);
    expect(config.growth.referrals).toMatchObject({
      enabled: false,
      weeklyLimit: 5,
    });
    expect(config.growth.challenges).toEqual([]);
    expect(config.growth.storeCredit.enabled).toBe(false);
  });
});

describe("mailboxOf", () => {
  it.each([
    ["Ann.Lee+promo@Gmail.com", "annlee@gmail.com"],
    ["a.n.n.lee@googlemail.com", "annlee@gmail.com"],
    ["ann.lee+x@example.org", "ann.lee@example.org"],
    [" ANN@example.org ", "ann@example.org"],
    ["+tag@example.org", "+tag@example.org"],
  ])("%s → %s", (email, mailbox) => {
    expect(mailboxOf(email)).toBe(mailbox);
  });
});

describe("addressIdentity", () => {
  it("is the same however the address is written, and null with too little to compare", () => {
    const one = addressIdentity({
      address1: "12, Rue de l'Église",
      zip: "75001",
      city: "Paris",
      countryCode: "FR",
    });
    expect(
      addressIdentity({
        address1: "12 rue de l eglise ",
        zip: "75 001",
        city: "PARIS",
        countryCode: "fr",
      }),
    ).toBe(one);
    expect(
      addressIdentity({
        address1: "14 Rue de l'Église",
        zip: "75001",
        countryCode: "FR",
      }),
    ).not.toBe(one);
    expect(addressIdentity({ address1: "", zip: "75001" })).toBeNull();
    expect(addressIdentity({ address1: "12 Main St" })).toBeNull();
  });
});

describe("referralVerdict", () => {
  const fair: ReferralFacts = {
    advocate: { customerId: "1", email: "ann.lee@gmail.com" },
    friend: { customerId: "2", email: "bob@example.org" },
    sameAddressAsAdvocate: false,
    friendEarlierOrders: 0,
    advocateReferralsThisWeek: 4,
    weeklyLimit: 5,
  };

  it("lets a friend's first order through", () => {
    expect(referralVerdict(fair)).toEqual({ ok: true });
    expect(
      referralVerdict({ ...fair, friend: { customerId: null, email: null } }),
    ).toEqual({
      ok: true,
    });
  });

  it.each<[string, Partial<ReferralFacts>]>([
    [
      "SELF_REFERRAL_CUSTOMER",
      { friend: { customerId: "1", email: "bob@example.org" } },
    ],
    [
      "SELF_REFERRAL_EMAIL",
      { friend: { customerId: "2", email: " Ann.Lee@Gmail.com" } },
    ],
    [
      "SELF_REFERRAL_NORMALISED_EMAIL",
      { friend: { customerId: "2", email: "annlee+x@gmail.com" } },
    ],
    ["SELF_REFERRAL_ADDRESS", { sameAddressAsAdvocate: true }],
    ["NOT_FIRST_ORDER", { friendEarlierOrders: 1 }],
    ["WEEKLY_LIMIT", { advocateReferralsThisWeek: 5 }],
  ])("blocks with %s", (reason, change) => {
    expect(referralVerdict({ ...fair, ...change })).toEqual({
      ok: false,
      reason,
    });
  });

  it("names the self-referral before the other reasons", () => {
    expect(
      referralVerdict({
        ...fair,
        friend: { customerId: "1", email: null },
        friendEarlierOrders: 3,
        advocateReferralsThisWeek: 9,
      }),
    ).toEqual({ ok: false, reason: "SELF_REFERRAL_CUSTOMER" });
  });
});
