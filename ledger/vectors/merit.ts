/**
 * Reward-factor vectors (ledger/README.md 6.3, "Reward factor (MeritRank)"): hand-built graphs of
 * an open pool's current members, and the standing, reference and factors the fold's snapshot
 * records for them. Node names stand for DIDs (they are compared as strings, as DIDs are).
 */
import type { Did } from "../../src/core/identity/did-key.ts";
import { RESTART_PERMILLE } from "../../src/core/ledger/merit-rank.ts";
import { meritFactors, type MeritGraph } from "../../src/core/ledger/open-standing.ts";

type Edge = readonly [from: string, to: string, weight: number];

interface MeritCase {
  readonly name: string;
  readonly admins: readonly string[];
  readonly vouched: readonly string[];
  readonly scored: readonly string[];
  readonly invitations: readonly Edge[];
  readonly work: readonly Edge[];
}

const veterans = ["v1", "v2", "v3", "v4"];
const invited: Edge[] = veterans.map((v) => ["admin", v, 1]);
/** Every veteran has paid every other one the capped 10 results: the level a veteran holds. */
const veteransWork: Edge[] = veterans.flatMap((a) => veterans.filter((b) => b !== a).map((b): Edge => [a, b, 10]));

const CASES: readonly MeritCase[] = [
  {
    name: "a newcomer paid once each by two veterans holds the full factor; one paid by a single veteran sits behind it as a bridge",
    admins: ["admin"],
    vouched: ["admin", ...veterans],
    scored: ["newcomer", "single"],
    invitations: invited,
    work: [...veteransWork, ["v1", "newcomer", 1], ["v2", "newcomer", 1], ["v3", "single", 1]],
  },
  {
    name: "a farm of five behind an operator the veterans paid: the operator holds the full factor, the farm a small fraction",
    admins: ["admin"],
    vouched: ["admin", ...veterans],
    scored: ["operator", "f1", "f2", "f3", "f4", "f5"],
    invitations: invited,
    work: [...veteransWork, ["v1", "operator", 5], ["v2", "operator", 5], ...["f1", "f2", "f3", "f4", "f5"].map((f): Edge => ["operator", f, 10])],
  },
  {
    name: "strangers paying only each other have no standing",
    admins: ["admin"],
    vouched: ["admin", ...veterans],
    scored: ["s1", "s2"],
    invitations: invited,
    work: [...veteransWork, ["s1", "s2", 10], ["s2", "s1", 10]],
  },
  {
    name: "two admins the only payers: the reference is the larger of their two units (upper median), so one result from the other is not enough",
    admins: ["admin", "admin2"],
    vouched: ["admin", "admin2"],
    scored: ["s1", "s2"],
    invitations: [["admin", "admin2", 1]],
    work: [["admin", "s1", 3], ["admin2", "s1", 1], ["admin", "s2", 1]],
  },
  {
    name: "no vouched member paid verified work yet: the reference is 0 and so is every factor",
    admins: ["admin"],
    vouched: ["admin", ...veterans],
    scored: ["s1"],
    invitations: invited,
    work: [],
  },
];

const asEdges = (edges: readonly Edge[]) => edges.map(([from, to, weight]) => ({ from: from as Did, to: to as Did, weight }));

export function buildMeritVectors() {
  return {
    description:
      "Each case is an open pool's MeritRank graph among current members: `admins` (seeds), `vouched` (members without admission, admins included), `scored` (strangers out of probation), `invitations` and `work` edges [from, to, weight]. `expected` is every reachable node's standing (parts of 10^9, connectivity decay applied), the reference (the upper median unit of the vouched payers) and each scored stranger's factor (thousandths).",
    restartPermille: RESTART_PERMILLE,
    cases: CASES.map((c) => {
      const graph: MeritGraph = { admins: c.admins as Did[], vouched: c.vouched as Did[], scored: c.scored as Did[], invitations: asEdges(c.invitations), work: asEdges(c.work) };
      const view = meritFactors(graph);
      const scores = Object.fromEntries([...view.scores].sort(([a], [b]) => (a < b ? -1 : 1)));
      return { ...c, expected: { scores, reference: view.reference, factors: { ...view.factors } } };
    }),
  };
}
