/**
 * Sybil-resistant standing for open pools (issue 12; ledger/README.md, "MeritRank"): a personalised
 * PageRank from the pool's admins over the graph of invitations and paid, verified work, with
 * MeritRank's two decays (Nasrulin et al., "MeritRank: Sybil Tolerant Reputation for Merit-based
 * Tokenomics", 2022):
 * - transitivity decay: a walk from an admin stops at each step with probability `restart`, so
 *   standing fades with distance and a ring of identities cannot pump itself up without bound;
 * - connectivity decay: a node that every path from the admins reaches through one non-admin node
 *   (a single "bridge", the shape of a Sybil farm behind its operator) keeps only `1 - beta` of its
 *   standing. That set is exact: the node's dominators in the graph rooted at the admins.
 * The authors measured that this cuts a 50-identity farm's gain from 1.55x to 0.11x of its
 * operator's own standing; pure per-epoch decay did not help, so none is used here.
 * Integers only (the fold is deterministic across engines): scores are parts of SCALE.
 */

export const MERIT_SCALE = 1_000_000_000;
/** MeritRank's connectivity decay: the standing lost per mille by a node behind a single non-admin bridge. */
export const BRIDGE_DECAY_PERMILLE = 900;
/** MeritRank's transitivity decay: a walk stops at each step with this probability (per mille). */
export const RESTART_PERMILLE = 400;
const SHARE_SCALE = 1_000_000;

export interface TrustEdge<N extends string> {
  readonly from: N;
  readonly to: N;
  /** A positive integer: an invitation counts 1 unit, paid verified work its credits. */
  readonly weight: number;
}

export interface MeritRankOptions {
  /** Probability per mille that a walk stops at each step (transitivity decay); MeritRank uses ~0.4. */
  readonly restartPermille?: number;
  /** Standing lost per mille by a node behind a single non-admin bridge (connectivity decay). */
  readonly bridgeDecayPermille?: number;
  readonly iterations?: number;
}

/**
 * Standing of every node reachable from `admins`, in parts of MERIT_SCALE (admins included).
 * Deterministic for a given edge multiset: parallel edges add, nodes and edges are sorted first.
 */
export function meritRank<N extends string>(admins: readonly N[], edges: readonly TrustEdge<N>[], options: MeritRankOptions = {}): Map<N, number> {
  return meritStanding(admins, edges, options).scores;
}

export interface MeritStanding<N> {
  /** Standing in parts of MERIT_SCALE, connectivity decay applied. */
  readonly scores: Map<N, number>;
  /** The nodes connectivity decay applied to (every path from the admins passes one non-admin). */
  readonly bridged: ReadonlySet<N>;
}

/** meritRank, also telling which nodes sit behind a bridge (a reference level must leave them out). */
export function meritStanding<N extends string>(admins: readonly N[], edges: readonly TrustEdge<N>[], options: MeritRankOptions = {}): MeritStanding<N> {
  const restart = options.restartPermille ?? RESTART_PERMILLE;
  const bridgeKeep = 1000 - (options.bridgeDecayPermille ?? BRIDGE_DECAY_PERMILLE);
  const seeds = [...new Set(admins)].sort();
  if (seeds.length === 0) return { scores: new Map(), bridged: new Set() };
  const graph = buildGraph(edges);
  const scores = personalisedRank(seeds, graph, restart, options.iterations ?? 48);
  const bridged = nodesBehindBridges(seeds, graph);
  for (const node of bridged) scores.set(node, Math.floor(((scores.get(node) ?? 0) * bridgeKeep) / 1000));
  return { scores, bridged: new Set(bridged) };
}

interface Graph<N> {
  /** Out-edges per node, sorted by target, with each target's share of the node's out-weight (parts of SHARE_SCALE). */
  readonly out: Map<N, readonly { readonly to: N; readonly share: number }[]>;
}

function buildGraph<N extends string>(edges: readonly TrustEdge<N>[]): Graph<N> {
  const weights = new Map<N, Map<N, bigint>>();
  for (const { from, to, weight } of edges) {
    if (from === to || !Number.isSafeInteger(weight) || weight <= 0) continue;
    const targets = weights.get(from) ?? new Map<N, bigint>();
    targets.set(to, (targets.get(to) ?? 0n) + BigInt(weight));
    weights.set(from, targets);
  }
  const out = new Map<N, { to: N; share: number }[]>();
  for (const [from, targets] of weights) {
    const total = [...targets.values()].reduce((a, b) => a + b, 0n);
    const sorted = [...targets.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    out.set(from, sorted.map(([to, w]) => ({ to, share: Number((w * BigInt(SHARE_SCALE)) / total) })));
  }
  return { out };
}

/** r = restart * s + (1 - restart) * W^T r, by fixed-point iteration from r = s; s spreads SCALE over the seeds. */
function personalisedRank<N extends string>(seeds: readonly N[], graph: Graph<N>, restart: number, iterations: number): Map<N, number> {
  const perSeed = Math.floor(MERIT_SCALE / seeds.length);
  const start = new Map<N, number>(seeds.map((seed) => [seed, perSeed]));
  let rank = new Map(start);
  for (let round = 0; round < iterations; round++) {
    const next = new Map<N, number>();
    for (const [seed, mass] of start) next.set(seed, Math.floor((mass * restart) / 1000));
    for (const [node, mass] of rank) {
      const carried = Math.floor((mass * (1000 - restart)) / 1000);
      for (const { to, share } of graph.out.get(node) ?? []) {
        // carried <= 1e9 and share <= 1e6: the product stays below 2^53.
        next.set(to, (next.get(to) ?? 0) + Math.floor((carried * share) / SHARE_SCALE));
      }
    }
    if (sameRank(rank, next)) break;
    rank = next;
  }
  return rank;
}

const sameRank = <N>(a: Map<N, number>, b: Map<N, number>): boolean => a.size === b.size && [...a].every(([node, value]) => b.get(node) === value);

/**
 * The non-admin nodes with a non-admin strict dominator: every path from the admins to them passes
 * through one non-admin node. Dominators by Cooper, Harvey and Kennedy's iterative algorithm ("A
 * Simple, Fast Dominance Algorithm", 2001) over a virtual root whose children are the admins.
 */
function nodesBehindBridges<N extends string>(seeds: readonly N[], graph: Graph<N>): N[] {
  const ROOT = 0;
  const order: (N | undefined)[] = [undefined];
  const index = new Map<N, number>();
  const successors = (i: number): N[] => (i === ROOT ? [...seeds] : (graph.out.get(order[i]!) ?? []).map((edge) => edge.to));
  // Reverse postorder by an explicit-stack depth-first search (deep chains must not overflow).
  const postorder: number[] = [];
  const stack: { node: number; next: number }[] = [{ node: ROOT, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const children = successors(top.node);
    if (top.next < children.length) {
      const child = children[top.next++]!;
      if (!index.has(child)) {
        index.set(child, order.length);
        order.push(child);
        stack.push({ node: index.get(child)!, next: 0 });
      }
    } else {
      postorder.push(top.node);
      stack.pop();
    }
  }
  const rpo = [...postorder].reverse();
  const rpoNumber = new Map(rpo.map((node, i) => [node, i]));
  const predecessors = new Map<number, number[]>();
  for (const node of rpo) {
    for (const child of successors(node)) {
      const key = index.get(child)!;
      const list = predecessors.get(key);
      if (list) list.push(node);
      else predecessors.set(key, [node]);
    }
  }
  const idom = new Map<number, number>([[ROOT, ROOT]]);
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (rpoNumber.get(a)! > rpoNumber.get(b)!) a = idom.get(a)!;
      while (rpoNumber.get(b)! > rpoNumber.get(a)!) b = idom.get(b)!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of rpo.slice(1)) {
      const processed = (predecessors.get(node) ?? []).filter((p) => idom.has(p));
      const newIdom = processed.slice(1).reduce(intersect, processed[0]!);
      if (idom.get(node) !== newIdom) {
        idom.set(node, newIdom);
        changed = true;
      }
    }
  }
  const isSeed = new Set<N>(seeds);
  const bridged: N[] = [];
  for (const node of rpo.slice(1)) {
    const name = order[node]!;
    if (isSeed.has(name)) continue;
    for (let d = idom.get(node)!; d !== ROOT; d = idom.get(d)!) {
      if (!isSeed.has(order[d]!)) {
        bridged.push(name);
        break;
      }
    }
  }
  return bridged;
}
