/**
 * This tab's writer role (core/identity/writer-lock-browser.ts) as runes: whether this tab writes
 * as the identity or only shows what another tab writes, and the intent to write here instead. The
 * pools state (pools.svelte.ts) says how to stop writing and reruns its node when the role moves.
 */
import type { Did } from "../core/identity/did-key.ts";
import type { TabWriterRole, TabWriterState } from "../core/identity/writer-lock-browser.ts";
import { APP_DATABASE } from "./app-storage.ts";

export interface WriterHooks {
  /** Stop writing here: another tab takes over. Returns a mark of what this tab wrote. */
  letGo(): Promise<unknown>;
  /** Wait until this tab has seen what the old writer wrote (its mark). */
  catchUp(mark: unknown): Promise<void>;
  /** The role moved: run the node again as a writer or a reader. */
  changed(): void;
}

/** Why a write was refused in a reader tab, and what to do. */
export const OTHER_TAB_WRITES = "EdgePool is running in another tab, which writes for this identity: use that tab, or press “Use this tab instead”.";

let state = $state<TabWriterState>({ status: "claiming" });
let asked = $state(false);
/** The role of the identity this tab runs as; started once per DID, even when asked twice at once. */
let role: { did: Did; started: Promise<TabWriterRole> } | undefined;

async function startRole(did: Did, hooks: WriterHooks, previous: Promise<TabWriterRole> | undefined): Promise<TabWriterRole> {
  (await previous)?.close();
  const { TabWriterRole } = await import("../core/identity/writer-lock-browser.ts");
  const next = new TabWriterRole({ did, namespace: APP_DATABASE, letGo: hooks.letGo, catchUp: hooks.catchUp, locks: navigator.locks });
  next.on((changed) => {
    state = changed;
    if (changed.status === "writer") asked = false;
    hooks.changed();
  });
  await next.start();
  state = next.state;
  return next;
}

export const writerRole = {
  get state(): TabWriterState {
    return state;
  },
  /** This tab may sign entries as the identity. */
  get writes(): boolean {
    return state.status === "writer";
  },
  /** "Use this tab instead" was pressed and the role has not come yet. */
  get asked(): boolean {
    return asked;
  },
  /** Takes the role for `did` if no other tab holds it, else waits as a reader; settles once it knows which. */
  async start(did: Did, hooks: WriterHooks): Promise<void> {
    if (role?.did !== did) role = { did, started: startRole(did, hooks, role?.started) };
    await role.started;
  },
  takeOver(): void {
    asked = true;
    void role?.started.then((started) => started.takeOver());
  },
};
