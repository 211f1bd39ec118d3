/**
 * Import rules from DESIGN.md's picture, checked by `npm run check`: arrows point down only.
 * Layers of the core, lowest first: crypto <- identity <- capability <- ledger <-
 * jobs/scheduler/runtime/net <- node (the composition root).
 */
const LAYERS = [
  ["crypto"],
  ["identity"],
  ["capability"],
  ["ledger"],
  ["jobs", "scheduler", "runtime", "net"],
  ["node"],
];

const part = (names) => `^src/core/(${names.join("|")})(/|\\.ts$)`;

/** Each layer may import only the layers below it (and, for the fourth, its siblings). */
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `core-${layer.join("-")}-imports-down-only`,
  comment: `src/core/{${layer.join(",")}} sits below ${LAYERS.slice(i + 1).flat().join(", ")} and must not import them (DESIGN.md, Picture).`,
  severity: "error",
  from: { path: part(layer) },
  to: { path: part(LAYERS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "core-is-framework-free",
      comment: "The core runs in Chromium and Node alike: it never imports the UI, the CLI, the simulator, the service worker or Svelte.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: ["^src/(ui|cli|sim)/", "^src/sw\\.ts$", "node_modules/svelte/"] },
    },
    {
      name: "crypto-libraries-only-in-core-crypto",
      comment: "All signing, verifying and hashing goes through src/core/crypto (one signature rule for everyone).",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/core/crypto/" },
      to: { path: "node_modules/@noble/" },
    },
    {
      name: "node-builtins-only-in-node-adapters",
      comment: "Core files run in the browser too: node:* modules only in files named *-node.ts.",
      severity: "error",
      from: { path: "^src/core/", pathNot: "-node\\.m?[jt]s$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "platform-adapters-enter-through-createNode",
      comment: "A platform-neutral core file must not import a *-node.ts or *-browser.ts adapter; adapters are passed to createNode.",
      severity: "error",
      from: { path: "^src/core/", pathNot: "-(node|browser)\\.m?[jt]s$" },
      to: { path: "^src/core/.*-(node|browser)\\.m?[jt]s$" },
    },
    {
      name: "no-circular",
      comment: "A cycle makes two modules one; split out what both need.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".svelte", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
