/**
 * The app's screens, addressed by the URL fragment (`#/contribute`). Fragments keep every screen
 * inside the one precached page, and invite links (`#/join/<payload>`, src/core/capability/invite.ts)
 * never send their secret to a server.
 */
export const SCREENS = [
  { name: "try", label: "Try it" },
  { name: "jobs", label: "Jobs" },
  { name: "contribute", label: "Contribute" },
  { name: "pools", label: "Pools" },
  { name: "ledger", label: "Ledger" },
  { name: "identity", label: "Identity" },
] as const;

export type ScreenName = (typeof SCREENS)[number]["name"];

export type Route =
  | { readonly screen: ScreenName }
  | { readonly screen: "join"; readonly link: string }
  /** An open pool's page (`#/open/<pool>?relay=<url>`): its description and a one-click join. */
  | { readonly screen: "open"; readonly pool: string; readonly relay: string | undefined };

/** The link to an open pool's page in this app. */
export const openPoolLink = (appUrl: string, pool: string, relay: string | undefined): string =>
  `${appUrl}#/open/${pool}${relay ? `?relay=${encodeURIComponent(relay)}` : ""}`;

export function parseRoute(url: string): Route {
  const hash = new URL(url).hash;
  if (hash.startsWith("#/join/")) return { screen: "join", link: url };
  if (hash.startsWith("#/open/")) {
    const [pool = "", query = ""] = hash.slice("#/open/".length).split("?");
    return { screen: "open", pool, relay: new URLSearchParams(query).get("relay") ?? undefined };
  }
  const name = hash.slice(2);
  const screen = SCREENS.find((s) => s.name === name);
  return { screen: screen?.name ?? "try" };
}

export function createRouteState(): { readonly current: Route } {
  let current = $state<Route>(parseRoute(location.href));
  addEventListener("hashchange", () => (current = parseRoute(location.href)));
  return {
    get current() {
      return current;
    },
  };
}
