import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { hexToBytes } from "../../../../src/core/crypto/index.ts";
import { TokenBook, type TokenCid } from "../../../../src/core/ledger/tokens.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { foldEntries } from "../../../../src/core/ledger/fold.ts";
import { stateHash } from "../../../../src/core/ledger/state.ts";
import type { PoolId, SignedEntry } from "../../../../src/core/ledger/types.ts";
import { validateEntry, type ValidationContext } from "../../../../src/core/ledger/validate.ts";
import { buildVectors } from "../../../../ledger/vectors/cases.ts";
import { serialise } from "../../../../ledger/vectors/serialise.ts";
import { buildOpenPoolVectors } from "../../../../ledger/vectors/open-pool.ts";
import { buildMeritVectors } from "../../../../ledger/vectors/merit.ts";
import { meritFactors } from "../../../../src/core/ledger/open-standing.ts";
import type { Did } from "../../../../src/core/identity/did-key.ts";

const file = (name: string) => readFileSync(fileURLToPath(new URL(`../../../../ledger/${name}`, import.meta.url)), "utf8");
const valid = JSON.parse(file("vectors/valid.json"));
const stateless = JSON.parse(file("vectors/invalid-stateless.json"));
const set = JSON.parse(file("vectors/invalid-set.json"));
// What the documents' `tokens` would hold: the delegations the entries name by CID.
const tokens = new TokenBook();
for (const [cid, token] of Object.entries({ ...valid.tokens, ...stateless.tokens, ...set.tokens })) tokens.put(cid as TokenCid, token as string);
const authoriser = () => new UcanAuthoriser(undefined, tokens);
const context: ValidationContext = { pool: valid.pool as PoolId, authoriser: authoriser(), now: () => valid.now, skewMs: valid.skewMs };

async function accept(hex: string): Promise<SignedEntry> {
  const result = await validateEntry(hexToBytes(hex), context);
  if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
  return result.signed;
}

describe("ledger vectors (ledger/vectors)", () => {
  it("are what the generator writes today (run `node --import tsx ledger/vectors/generate.ts` after a protocol change)", async () => {
    const built = await buildVectors();
    expect(file("vectors/valid.json")).toBe(serialise(built.valid));
    expect(JSON.parse(file("vectors/invalid-stateless.json")).cases).toEqual(built.stateless);
    expect(JSON.parse(file("vectors/invalid-stateless.json")).tokens).toEqual(built.statelessTokens);
    expect(JSON.parse(file("vectors/invalid-set.json")).cases).toEqual(built.set);
    expect(JSON.parse(file("vectors/invalid-set.json")).tokens).toEqual(built.setTokens);
    expect(file("schema.json")).toBe(serialise(built.schema));
  });

  it("valid entries validate, keep their ids and fold to the expected state", async () => {
    const entries = await Promise.all(valid.entries.map((e: { hex: string }) => accept(e.hex)));
    expect(entries.map((s) => s.id)).toEqual(valid.entries.map((e: { id: string }) => e.id));
    const fold = foldEntries(entries.reverse(), authoriser());
    expect(fold.rejected.size).toBe(0);
    expect(stateHash(fold.state)).toBe(valid.stateHash);
  });

  const statelessRows: Array<[string, string, string]> = stateless.cases.map((c: { name: string; reason: string; hex: string }) => [c.name, c.reason, c.hex]);
  it.each(statelessRows)("refuses %s with %s", async (_name, reason, hex) => {
    const result = await validateEntry(hexToBytes(hex), context);
    expect(result.ok ? "accepted" : result.reason).toBe(reason);
  });

  const setRows: Array<[string, string[], Record<string, string>]> = set.cases.map((c: { name: string; add: string[]; reasons: Record<string, string> }) => [c.name, c.add, c.reasons]);
  it.each(setRows)("refuses %s", async (_name, add, reasons) => {
    const story = await Promise.all(valid.entries.map((e: { hex: string }) => accept(e.hex)));
    const added = await Promise.all(add.map(accept));
    const { rejected } = foldEntries([...story, ...added], authoriser());
    expect(Object.fromEntries([...rejected].map(([id, r]) => [id, r.reason]))).toEqual(reasons);
  });
});

describe("open-pool vectors (ledger/vectors/open-pool.json)", () => {
  const open = JSON.parse(file("vectors/open-pool.json"));
  const openContext: ValidationContext = { pool: open.pool as PoolId, authoriser: new UcanAuthoriser(), now: () => open.now, skewMs: open.skewMs };
  const openAccept = async (hex: string): Promise<SignedEntry> => {
    const result = await validateEntry(hexToBytes(hex), openContext);
    if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
    return result.signed;
  };
  const story = () => Promise.all(open.entries.map((e: { hex: string }) => openAccept(e.hex)));

  it("are what the generator writes today", async () => {
    expect(file("vectors/open-pool.json")).toBe(serialise(await buildOpenPoolVectors()));
  });

  it("fold to the expected state in any order: strangers admitted, the anonymous job paid by the fund", async () => {
    const fold = foldEntries((await story()).reverse(), new UcanAuthoriser());
    expect(fold.rejected.size).toBe(0);
    expect(stateHash(fold.state)).toBe(open.stateHash);
  });

  const statelessRows: Array<[string, string, string]> = open.stateless.map((c: { name: string; reason: string; hex: string }) => [c.name, c.reason, c.hex]);
  it.each(statelessRows)("refuses %s with %s", async (_name, reason, hex) => {
    const result = await validateEntry(hexToBytes(hex), openContext);
    expect(result.ok ? "accepted" : result.reason).toBe(reason);
  });

  const caseRows: Array<[string, string[], Record<string, string>, Record<string, string>]> = open.cases.map((c: { name: string; add: string[]; reasons: Record<string, string>; details: Record<string, string> }) => [c.name, c.add, c.reasons, c.details]);
  it.each(caseRows)("refuses %s", async (_name, add, reasons, details) => {
    const added = await Promise.all(add.map(openAccept));
    const { rejected } = foldEntries([...(await story()), ...added], new UcanAuthoriser());
    expect(Object.fromEntries([...rejected].map(([id, r]) => [id, r.reason]))).toEqual(reasons);
    expect(Object.fromEntries([...rejected].map(([id, r]) => [id, r.message.split(":")[0]]))).toEqual(details);
  });
});

describe("reward-factor vectors (ledger/vectors/merit.json)", () => {
  type Edge = [string, string, number];
  const merit = JSON.parse(file("vectors/merit.json")) as { cases: { name: string; admins: Did[]; vouched: Did[]; scored: Did[]; invitations: Edge[]; work: Edge[]; expected: { scores: Record<string, number>; reference: number; factors: Record<string, number> } }[] };
  const edges = (list: Edge[]) => list.map(([from, to, weight]) => ({ from: from as Did, to: to as Did, weight }));

  it("are what the generator writes today", () => {
    expect(file("vectors/merit.json")).toBe(serialise(buildMeritVectors()));
  });

  it.each(merit.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const view = meritFactors({ admins: c.admins, vouched: c.vouched, scored: c.scored, invitations: edges(c.invitations), work: edges(c.work) });
    expect(Object.fromEntries(view.scores)).toEqual(c.expected.scores);
    expect({ reference: view.reference, factors: { ...view.factors } }).toEqual({ reference: c.expected.reference, factors: c.expected.factors });
  });

  it("say what the spec says: two paid results from veterans earn in full, a bridge and a farm do not", () => {
    const [newcomer, farm, ring] = merit.cases;
    expect(newcomer!.expected.factors).toEqual({ newcomer: 1000, single: expect.any(Number) });
    expect(newcomer!.expected.factors.single).toBeLessThan(200);
    expect(farm!.expected.factors.operator).toBe(1000);
    for (const f of ["f1", "f2", "f3", "f4", "f5"]) expect(farm!.expected.factors[f]).toBeLessThan(200);
    expect(ring!.expected.factors).toEqual({ s1: 0, s2: 0 });
  });
});
