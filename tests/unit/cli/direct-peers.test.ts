import { describe, expect, it } from "vitest";
import { parseIceServers } from "../../../src/cli/direct-peers.ts";

describe("--ice-server", () => {
  it("is empty by default: nothing outside this machine is asked", () => {
    expect(parseIceServers(undefined)).toEqual([]);
  });

  it("reads STUN and TURN servers, with a TURN server's credentials", () => {
    expect(parseIceServers("stun:stun.example.org:3478,turn:1767225600:member:c2Vj/3Jl+dA==@turn.example.org:3478?transport=tcp")).toEqual([
      { urls: "stun:stun.example.org:3478" },
      { urls: "turn:turn.example.org:3478?transport=tcp", username: "1767225600:member", credential: "c2Vj/3Jl+dA==" },
    ]);
  });

  it("refuses a TURN server without credentials and anything that is not a STUN or TURN URL", () => {
    expect(() => parseIceServers("turn:turn.example.org")).toThrow(/needs user:credential/);
    expect(() => parseIceServers("https://example.org")).toThrow(/not stun:host/);
  });
});
