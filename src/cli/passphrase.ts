/**
 * Where a backup passphrase comes from: EDGEPOOL_PASSPHRASE, else a prompt without echo when stdin
 * is a terminal. Never a prompt otherwise (UX.md 15): a script without the variable fails with
 * exit 2 and is told which variable to set.
 */
import type { CliIo } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";

export const PASSPHRASE_ENV = "EDGEPOOL_PASSPHRASE";
export const PASSPHRASE_USAGE = `The passphrase is read from $${PASSPHRASE_ENV}, or asked for (not echoed) when stdin is a terminal.`;

/** @param confirm ask twice when prompting (a typo in a new backup's passphrase would lock it forever). */
export async function readPassphrase(io: CliIo, options: { confirm: boolean }): Promise<string> {
  const fromEnv = io.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined) {
    if (fromEnv.length === 0) throw new CliError(`${PASSPHRASE_ENV} is set but empty; set it to the backup's passphrase`, ExitCode.usage);
    return fromEnv;
  }
  if (!io.stdinIsTty) {
    throw new CliError(`no passphrase: set ${PASSPHRASE_ENV} (stdin is not a terminal, so it cannot be asked for)`, ExitCode.usage);
  }
  const passphrase = await promptHidden("Backup passphrase: ");
  if (passphrase.length === 0) throw new CliError("the passphrase must not be empty", ExitCode.usage);
  if (options.confirm && (await promptHidden("Repeat the passphrase: ")) !== passphrase) {
    throw new CliError("the two passphrases differ; nothing was written", ExitCode.usage);
  }
  return passphrase;
}

/**
 * Reads one line from the terminal in raw mode, echoing nothing. Ctrl+C exits 130. Raw mode is on
 * before the prompt shows, or an answer typed right after it would be echoed by the terminal.
 */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (outcome: () => void) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      outcome();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish(() => resolve(value));
        if (ch === "\u0003") return finish(() => reject(new CliError("interrupted", ExitCode.interrupted)));
        value = ch === "\u007f" || ch === "\b" ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on("data", onData);
  });
}
