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

  it("hands out fixed-delay events (lanes, by `after` or by `at` as far ahead) in the same order as events scheduled at their time", () => {
    const op = fc.oneof(fc.constant(null), fc.record({ delay: fc.integer({ min: 0, max: 30 }), lane: fc.boolean() }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.constantFrom([0, 7, 30], [5], [3, 4]), (ops, delays) => {
        const queue = new EventQueue<number>(0);
        const model: Array<[number, number]> = [];
        ops.forEach((step, i) => {
          if (step === null) {
            model.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
            const expected = model.shift();
            expect(queue.next()).toBe(expected?.[1]);
            if (expected) expect(queue.now).toBe(expected[0]);
            return;
          }
          // Lanes get a few fixed delays, as callers use them; the heap gets any delay.
          const delay = step.lane ? delays[step.delay % delays.length]! : step.delay;
          if (step.lane) queue.after(delay, i);
          else queue.at(queue.now + delay, i);
          model.push([queue.now + delay, i]);
        });
        expect(queue.size).toBe(model.length);
      }),
    );
  });

  it("refuses to schedule an event in the past", () => {
    const queue = new EventQueue<string>(100);
    queue.at(150, "later");
    queue.next();
    expect(() => queue.at(120, "past")).toThrow(RangeError);
    expect(() => queue.after(-1, "past")).toThrow(RangeError);
  });
});
