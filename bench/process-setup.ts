// Loaded into every bench process by bench/run.ts: a bench tears pools down while sync may still
// wait for a document, and automerge-repo lets that wait time out unhandled (see the guard).
import { surviveSyncWaitTimeouts } from "../src/core/net/sync-wait-guard-node.ts";

surviveSyncWaitTimeouts((line) => process.stderr.write(line + "\n"));
