/**
 * Anonymous job submission in the app (issue 12): an open pool that takes anonymous jobs, created
 * with the CLI through the app server's relay, lists a real token issuer and has the owner's
 * `edgepool work` process running. A person with no membership opens the pool's page, opens the
 * anonymous form (loaded lazily), submits a job; the browser fetches a token from the issuer for a
 * fresh key, the worker runs the job, and the verified output shows on the page. The pool's members
 * stay the owner alone, and the ledger names the fresh key as the submitter. The job went through a
 * repo of its own (its documents and storage id under its own IndexedDB prefix), and its key and id
 * are kept: after a reload the page shows the job and its output again. Then the person joins with
 * an admin's invite and turns anonymous jobs off from the pool's page, which the owner's CLI sees.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, sha256, utf8 } from "../../src/core/crypto/index.ts";
import { generateIssuerKey, issuerKeyFromPem } from "../../src/core/crypto/blind-rsa-issuer-node.ts";
import { startTokenIssuer, type RunningTokenIssuer } from "../../src/core/net/token-issuer-node.ts";
import { edgepoolInProcess } from "../fixtures/cli.ts";
import { cliProcessesIn } from "../fixtures/cli-processes.ts";
import { until } from "../fixtures/until.ts";
import { appDatabaseKeys, appFixture, checkScreen, joinByLink, openScreen } from "./app-page.ts";

/** The app database's keys under the anonymous jobs' repos' prefix, as "<job key> <first key part>". */
const anonymousRepoKeys = async (page: Page): Promise<string[]> =>
  (await appDatabaseKeys(page)).filter((key) => key[0] === "edgepool-anonymous-repo").map((key) => `${key[1]} ${key[2]}`);

const app = appFixture();
const { dir, start } = cliProcessesIn("edgepool-anonymous-e2e-");
let issuer: RunningTokenIssuer;

beforeAll(async () => {
  const key = issuerKeyFromPem(generateIssuerKey());
  if (!key.ok) throw new Error(key.message);
  issuer = await startTokenIssuer({ host: "127.0.0.1", port: 0, key: key.key, tokensPerWindow: 5 });
});
afterAll(async () => {
  await issuer.close();
});

describe("anonymous job submission in the app", () => {
  it("submits from a fresh key with an issuer's token and shows the verified output, without joining", async () => {
    const { server } = app;
    const owner = ["--relay", server.relayUrl, "--home", join(dir, "owner")];
    const created = await edgepoolInProcess(["pool", "create", "--name", "Hash club", "--open", "--pow-bits", "8", "--issuer", issuer.url, "--anonymous-reward", "20", "--replication", "1", "--lease-seconds", "10", ...owner]);
    expect(created.code, created.err.join("\n")).toBe(0);
    const pool = created.out[0]!.trim();
    const worker = start(["work", "--pool", pool, "--cores", "1", "--ignore-cpu-load", ...owner]);
    await until(() => worker.output.err.includes("Contributing to pool"), "the worker to start", 120_000);

    const page = (await app.person()).page;
    await page.goto(`${server.url}#/open/${pool}?relay=${encodeURIComponent(server.relayUrl)}`);
    await page.getByRole("button", { name: "Submit a job anonymously" }).click({ timeout: 60_000 });
    await page.getByLabel("Task").selectOption("sha256", { timeout: 30_000 });
    await page.getByLabel("Input text").fill("anonymous from the app");
    await page.getByRole("button", { name: "Submit job" }).click();
    const output = page.getByTestId("anonymous-output");
    await output.waitFor({ timeout: 120_000 });
    const expected = bytesToHex(sha256(utf8("anonymous from the app")));
    expect((await output.innerText()).trim()).toBe(expected);
    await checkScreen(page, "open-pool-anonymous");

    // The browser did not join; the job names a key that is no member.
    const listed = await edgepoolInProcess(["jobs", "--pool", pool, "--json", ...owner]);
    const [job] = JSON.parse(listed.out[0]!).jobs as { submitter: string; status: string }[];
    expect(job).toMatchObject({ status: "done" });
    const members = await edgepoolInProcess(["members", "--pool", pool, "--json", ...owner]);
    const dids = members.out.join("").match(/did:key:z[1-9A-HJ-NP-Za-km-z]+/g) ?? [];
    expect(new Set(dids).size).toBe(1);
    expect(dids).not.toContain(job!.submitter);

    // The job's repo kept its own storage id and its own copy of the ledger, named by the job's key.
    const own = await anonymousRepoKeys(page);
    expect(own).toContain(`${job!.submitter} storage-adapter-id`);
    expect(own.filter((key) => !key.startsWith(`${job!.submitter} `))).toEqual([]);
    expect(own.length).toBeGreaterThan(1);

    // After a reload the kept key finds the job again, through its own repo.
    await page.reload();
    await output.waitFor({ timeout: 60_000 });
    expect((await output.innerText()).trim()).toBe(expected);
    expect(await page.getByTestId("anonymous-job").innerText()).toContain(job!.submitter);

    // An admin turns anonymous jobs off from the pool's page. The owner's worker ends first: one
    // process writes as an identity in a pool at a time (a second writer is refused, exit 6).
    const ended = new Promise((resolve) => worker.child.once("exit", resolve));
    worker.child.kill("SIGTERM");
    await ended;
    const invited = await edgepoolInProcess(["invite", "--pool", pool, "--can", "pool/admin,job/submit,job/run", "--app-url", server.url, ...owner]);
    expect(invited.code, invited.err.join("\n")).toBe(0);
    await joinByLink(page, invited.out.join("").trim());
    await openScreen(page, server.url, "pools");
    await page.getByTestId("anonymous-status").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("anonymous-status").innerText()).toMatch(/^On: .* at most 20 credits/);
    await page.getByTestId("anonymous-enabled").uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Anonymous jobs off.").waitFor({ timeout: 30_000 });
    await until(async () => {
      const shown = await edgepoolInProcess(["pool", "anonymous", "--pool", pool, "--json", ...owner]);
      return shown.code === 0 && JSON.parse(shown.out[0]!).enabled === false;
    }, "the owner's node to see anonymous jobs turned off", 60_000);
  }, 300_000);
});
