import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { EventQueue } from "../../../src/sim/clock.ts";

describe("the virtual clock", () => {
  it("hands out events by time, and events of equal time in the order they were scheduled", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (times) => {
        const queue = new EventQueue<number>(0);
        times.forEach((t, i) => queue.at(t, i));
        const out: Array<[number, number]> = [];
        for (let e = queue.next(); e !== undefined; e = queue.next()) out.push([queue.now, e]);
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(out).toEqual(expected);
      }),
    );
  });

  it("keeps that order when scheduling and handing out interleave", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 30 }), { freq: 3 }), { maxLength: 300 }), (ops) => {
        const queue = new EventQueue<number>(0);
        const model: Array<[number, number]> = [];
        ops.forEach((delay, i) => {
          if (delay === null) {
            model.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
            const expected = model.shift();
            expect(queue.next()).toBe(expected?.[1]);
            if (expected) expect(queue.now).toBe(expected[0]);
            return;
          }
          queue.at(queue.now + delay, i);
          model.push([queue.now + delay, i]);
        });
      }),
    );
  });

  it("refuses to schedule an event in the past", () => {
    const queue = new EventQueue<string>(100);
    queue.at(150, "later");
    queue.next();
    expect(() => queue.at(120, "past")).toThrow(RangeError);
  });
});
