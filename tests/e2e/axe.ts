/**
 * Accessibility checks with axe-core (WCAG 2.0-2.2 A and AA rules, UX.md "Accessibility"), run in
 * the page as it is: every screen the tests visit, in the light and the dark theme.
 */
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import type { AxeResults, Result } from "axe-core";

const AXE_SOURCE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

export interface AxeViolation {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: string[];
}

const describe = (v: Result): AxeViolation => ({
  rule: v.id,
  impact: v.impact ?? "unknown",
  help: v.help,
  targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
});

/** Every axe violation on the page now; injects axe once per document. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_SOURCE });
  const results = await page.evaluate((tags) => (window as unknown as { axe: { run(c: Document, o: object): Promise<AxeResults> } }).axe.run(document, { runOnly: { type: "tag", values: tags } }), TAGS);
  return results.violations.map(describe);
}

/** Throws, listing them, when the page has any axe violation (in either theme). */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const v of await axeViolations(page)) found.push(`${screen} (${colorScheme}): [${v.impact}] ${v.rule}: ${v.help} at ${v.targets.join(", ")}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (found.length > 0) throw new Error(`accessibility violations:\n${found.join("\n")}`);
}
