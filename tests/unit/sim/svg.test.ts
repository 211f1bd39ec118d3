import { describe, expect, it } from "vitest";
import { lineChart, ticks } from "../../../src/sim/svg.ts";

describe("the SVG line-chart writer", () => {
  it("picks round ticks covering the range", () => {
    expect(ticks(0, 0.4)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(ticks(0, 8)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks(0, 130)).toEqual([0, 50, 100]);
    expect(ticks(3, 3)).toEqual([3]);
  });

  it("draws each series with its points, error bars and a legend entry, and escapes text", () => {
    const svg = lineChart({
      title: "Wrong <results>",
      x: "p",
      y: "rate",
      percent: true,
      series: [
        { name: "measured", points: [{ x: 0, y: 0 }, { x: 0.2, y: 0.1, spread: 0.02 }] },
        { name: "theory & more", dashed: true, colour: 0, points: [{ x: 0, y: 0 }, { x: 0.2, y: 0.104 }] },
      ],
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(svg).toContain("Wrong &lt;results&gt;");
    expect(svg).toContain("theory &amp; more");
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).toContain(">10%<");
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });
});
