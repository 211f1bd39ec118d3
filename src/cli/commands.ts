import type { Command } from "./command.ts";

/** A subcommand as the dispatcher sees it: loaded only when it runs, so `edgepool id` never pays for the relay. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

/** Every subcommand, one file each; `main.ts` dispatches on this table. */
export const commands: readonly CommandEntry[] = [
  { name: "serve", summary: "serve the app and a local relay on this machine", load: async () => (await import("./serve.ts")).serve },
  { name: "relay", summary: "run a relay that a pool's nodes sync through (stores what they send; trusted with nothing)", load: async () => (await import("./relay.ts")).relay },
  { name: "issuer", summary: "run a Privacy Pass issuer that admits strangers to open pools without learning who they are", load: async () => (await import("./issuer.ts")).issuer },
  { name: "demo", summary: "run a whole pool on this machine: a relay, three workers (one dishonest), Mandelbrot tiles to a PNG", load: async () => (await import("./demo.ts")).demo },
  { name: "id", summary: "print this node's DID (creating its identity on first use)", load: async () => (await import("./id.ts")).id },
  { name: "id export", summary: "write a passphrase-encrypted backup of this node's identity", load: async () => (await import("./id-export.ts")).idExport },
  { name: "id import", summary: "restore this node's identity from an encrypted backup", load: async () => (await import("./id-import.ts")).idImport },
  { name: "did resolve", summary: "print the DID document of a did:key as JSON", load: async () => (await import("./did-resolve.ts")).didResolve },
  { name: "run", summary: "run one WebAssembly task locally in a sandboxed worker", load: async () => (await import("./run.ts")).runCommand },
  { name: "ledger show", summary: "show a pool's members, jobs, balances, reputation and refused entries", load: async () => (await import("./ledger-show.ts")).ledgerShow },
  { name: "ledger checkpoint", summary: "make a pool's history up to a moment ago final (closes expired invites)", load: async () => (await import("./ledger-checkpoint.ts")).ledgerCheckpoint },
  { name: "ledger compact", summary: "checkpoint a pool and start its next epoch document (start-up stops growing with history)", load: async () => (await import("./ledger-checkpoint.ts")).ledgerCompact },
  { name: "ledger verify", summary: "re-validate a pool's whole ledger from genesis and check its checkpoints", load: async () => (await import("./ledger-verify.ts")).ledgerVerify },
  { name: "pool create", summary: "create a pool with this node as its root", load: async () => (await import("./pool-create.ts")).poolCreate },
  { name: "pool network", summary: "show or set the pool's STUN/TURN servers and whether members may connect directly", load: async () => (await import("./pool-network.ts")).poolNetwork },
  { name: "pool anonymous", summary: "show or set whether an open pool takes anonymous jobs and the most one may offer", load: async () => (await import("./pool-anonymous.ts")).poolAnonymous },
  { name: "invite", summary: "print an invite link to a pool", load: async () => (await import("./invite.ts")).invite },
  { name: "join", summary: "join a pool with an invite link", load: async () => (await import("./join.ts")).join },
  { name: "members", summary: "list a pool's members, their abilities and revocations", load: async () => (await import("./members.ts")).members },
  { name: "peers", summary: "list the pool's members online now and how this node reaches each (direct or relay)", load: async () => (await import("./peers.ts")).peers },
  { name: "revoke", summary: "revoke a member, an invite link or a delegation", load: async () => (await import("./revoke.ts")).revoke },
  { name: "rotate", summary: "start a new key epoch of a private pool (revoke does it by itself)", load: async () => (await import("./rotate.ts")).rotate },
  { name: "sim", summary: "simulate a pool of many members and adversaries on the real ledger rules", load: async () => (await import("./sim.ts")).sim },
  { name: "submit", summary: "submit a job (task and input) to a pool; --wait prints its verified output", load: async () => (await import("./submit.ts")).submit },
  { name: "work", summary: "contribute this machine to a pool until stopped, one line per job", load: async () => (await import("./work.ts")).work },
  { name: "work status", summary: "whether this node contributes now and, if not, why (reason code)", load: async () => (await import("./work-control.ts")).workStatus },
  { name: "work pause", summary: "pause contributing, now or after the running tasks, optionally for a while", load: async () => (await import("./work-control.ts")).workPause },
  { name: "work resume", summary: "end a pause of contributing", load: async () => (await import("./work-control.ts")).workResume },
  { name: "jobs", summary: "list a pool's jobs and their status", load: async () => (await import("./jobs.ts")).jobs },
  { name: "result", summary: "print or save the verified output of a done job", load: async () => (await import("./result.ts")).result },
];
