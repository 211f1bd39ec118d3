// Worker threads do not inherit the TypeScript loader the CLI or test runner registered, so this
// plain-JS entry registers tsx in the worker, then loads the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./task-worker-node.ts");
