/** Runs one simulation and reports it: the simulator's entry point for the CLI, the sweep and tests. */
import { AVAILABILITY, STRATEGIES } from "./behaviour.ts";
import { checkConfig, type SimConfig } from "./config.ts";
import { Simulation } from "./engine.ts";
import { buildReport, type SimReport } from "./report.ts";

export type SimOutcome = { ok: true; report: SimReport } | { ok: false; reason: "bad-config"; message: string };

export function simulate(config: SimConfig): SimOutcome {
  const checked = checkConfig(config);
  if (!checked.ok) return { ok: false, reason: "bad-config", message: checked.message };
  if (!STRATEGIES[config.strategy]) return { ok: false, reason: "bad-config", message: `unknown strategy '${config.strategy}'; choose from ${Object.keys(STRATEGIES).join(", ")}` };
  if (!AVAILABILITY[config.availabilityModel]) return { ok: false, reason: "bad-config", message: `unknown availability model '${config.availabilityModel}'; choose from ${Object.keys(AVAILABILITY).join(", ")}` };
  const started = performance.now();
  const sim = new Simulation(config);
  sim.run();
  return { ok: true, report: buildReport(sim, performance.now() - started) };
}

export { configWith, DEFAULT_CONFIG, type SimConfig } from "./config.ts";
export { renderReport, type SimReport } from "./report.ts";
