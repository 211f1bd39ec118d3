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

export type Route = { readonly screen: ScreenName } | { readonly screen: "join"; readonly link: string };

export function parseRoute(url: string): Route {
  const hash = new URL(url).hash;
  if (hash.startsWith("#/join/")) return { screen: "join", link: url };
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
