import { describe, expect, it } from "vitest";
import { isLoopback, parseRelayUrl } from "../../../../src/core/net/relay-url.ts";

describe("relay addresses", () => {
  it.each(["localhost", "127.0.0.1", "127.3.4.5", "[::1]", "relay.localhost"])("treats %s as this machine", (host) => {
    expect(isLoopback(host)).toBe(true);
  });

  it.each(["10.0.0.1", "192.168.1.20", "relay.example.org", "127.0.0.1.example.org", "[::ffff:8.8.8.8]", "localhost.example.org"])("treats %s as another machine", (host) => {
    expect(isLoopback(host)).toBe(false);
  });

  it("accepts wss anywhere and plain ws on loopback", () => {
    expect(parseRelayUrl("wss://relay.example.org/")).toEqual({ ok: true, url: "wss://relay.example.org/" });
    expect(parseRelayUrl("ws://127.0.0.1:8787")).toEqual({ ok: true, url: "ws://127.0.0.1:8787/" });
    expect(parseRelayUrl("ws://[::1]:8787/")).toEqual({ ok: true, url: "ws://[::1]:8787/" });
  });

  it("refuses plain ws to another host, and says what to do", () => {
    const refused = parseRelayUrl("ws://relay.example.org:8787/");
    expect(refused).toMatchObject({ ok: false, reason: "insecure-relay" });
    expect(refused.ok || refused.message).toMatch(/wss:\/\//);
  });

  it("allows plain ws to another host only when told to", () => {
    expect(parseRelayUrl("ws://192.168.1.20:8787/", true)).toEqual({ ok: true, url: "ws://192.168.1.20:8787/" });
  });

  it.each(["relay.example.org", "http://relay.example.org/", "", "ws//x"])("refuses %j as not a relay address", (input) => {
    expect(parseRelayUrl(input)).toMatchObject({ ok: false, reason: "bad-relay-url" });
  });
});
