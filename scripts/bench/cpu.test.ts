import { describe, expect, it } from "vitest";
import { databaseTicks, type ProcessTicks } from "./cpu";

const postgres = (
  pid: string,
  parent: string,
  ticks: number,
  exitedChildTicks = 0,
): ProcessTicks => ({ pid, parent, name: "postgres", ticks, exitedChildTicks });

describe("the database's CPU between two snapshots", () => {
  it("keeps the CPU of a backend that exits in between", () => {
    const before = [postgres("10", "1", 5, 100), postgres("11", "10", 40)];
    // The backend used 30 more ticks, then exited, and the postmaster waited for it.
    const after = [postgres("10", "1", 6, 170)];

    expect(databaseTicks(after) - databaseTicks(before)).toBe(31);
  });

  it("counts a backend born in between from its start", () => {
    const before = [postgres("10", "1", 5, 100)];
    const after = [postgres("10", "1", 5, 100), postgres("12", "10", 25)];

    expect(databaseTicks(after) - databaseTicks(before)).toBe(25);
  });

  it("leaves out other programs, and the exited children of PostgreSQL's own children", () => {
    const processes = [
      postgres("10", "1", 5, 100),
      postgres("11", "10", 40, 7),
      {
        pid: "20",
        parent: "1",
        name: "node",
        ticks: 900,
        exitedChildTicks: 50,
      },
    ];

    expect(databaseTicks(processes)).toBe(145);
  });
});
