/**
 * Writes the ledger's test vectors and schema: `node --import tsx ledger/vectors/generate.ts`.
 * Output is deterministic (fixed keys, fixed times, deterministic Ed25519), so re-running it
 * changes nothing unless the protocol changed; the tests fail when the files are out of date.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildVectors } from "./cases.ts";
import { buildMeritVectors } from "./merit.ts";
import { buildOpenPoolVectors } from "./open-pool.ts";
import { serialise } from "./serialise.ts";

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

const { valid, stateless, statelessTokens, set, setTokens, schema } = await buildVectors();
writeFileSync(here("valid.json"), serialise(valid));
writeFileSync(here("invalid-stateless.json"), serialise({ description: "Each entry alone, validated in pool `pool` at clock `now` with valid.json's `tokens` and these `tokens` at hand (CID -> token), is refused with `reason`.", pool: valid.pool, now: valid.now, skewMs: valid.skewMs, tokens: statelessTokens, cases: stateless }));
writeFileSync(here("invalid-set.json"), serialise({ description: "Each case adds entries to valid.json's entries; the fold refuses exactly the entries in `reasons`, with those reasons (empty: every entry is valid). `tokens` (CID -> token) are the delegations the added entries name beyond valid.json's.", pool: valid.pool, now: valid.now, tokens: setTokens, cases: set }));
writeFileSync(here("../schema.json"), serialise(schema));
const open = await buildOpenPoolVectors();
writeFileSync(here("open-pool.json"), serialise(open));
const merit = buildMeritVectors();
writeFileSync(here("merit.json"), serialise(merit));
process.stdout.write(`wrote ${valid.entries.length} valid entries, ${stateless.length} stateless and ${set.length} set-level invalid cases, ${open.entries.length} open-pool entries with ${open.cases.length} cases, ${merit.cases.length} reward-factor cases, and ledger/schema.json\n`);
