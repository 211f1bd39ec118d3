/**
 * The one "Install app" entry (UX.md 12). Chromium offers `beforeinstallprompt`, which we keep and
 * replay on the user's click; Safari and Firefox have no such event, so we tell their users how to
 * install by hand. Nothing is shown once the app runs installed.
 */
interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

export type InstallState =
  | { readonly status: "installed" }
  | { readonly status: "promptable" }
  | { readonly status: "manual"; readonly instructions: string };

function manualInstructions(userAgent: string): string {
  if (/iPhone|iPad|iPod/.test(userAgent)) return "In Safari, tap Share, then “Add to Home Screen”.";
  if (/Firefox/.test(userAgent)) return "Firefox on Android: open the menu and choose “Install”. Firefox on desktop cannot install apps; use Chromium, Chrome or Edge, or keep this tab.";
  if (/Safari/.test(userAgent) && !/Chrome|Chromium/.test(userAgent)) return "In Safari on macOS: File, then “Add to Dock”.";
  return "Use your browser's menu: “Install EdgePool” or “Add to Home screen”.";
}

let deferred: InstallPromptEvent | undefined;
let current = $state<InstallState>(
  matchMedia("(display-mode: standalone)").matches ? { status: "installed" } : { status: "manual", instructions: manualInstructions(navigator.userAgent) },
);

addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault();
  deferred = event as InstallPromptEvent;
  current = { status: "promptable" };
});
addEventListener("appinstalled", () => (current = { status: "installed" }));

export const install = {
  get current(): InstallState {
    return current;
  },
  async prompt(): Promise<void> {
    if (!deferred) return;
    const event = deferred;
    deferred = undefined;
    await event.prompt();
    const { outcome } = await event.userChoice;
    current = outcome === "accepted" ? { status: "installed" } : current;
  },
};
