import { describe, expect, it } from "vitest";
import { cbor, generateAutomergeUrl } from "@automerge/automerge-repo";
import { decodeFrame } from "../../../../src/core/net/messages.ts";

const frame = (value: unknown) => cbor.encode(value);
const DOC = generateAutomergeUrl().slice("automerge:".length);

describe("frame check", () => {
  it("accepts the messages of the WebSocket protocol", () => {
    const messages = [
      { type: "join", senderId: "a", peerMetadata: {}, supportedProtocolVersions: ["1"] },
      { type: "peer", senderId: "relay", peerMetadata: {}, selectedProtocolVersion: "1", targetId: "a" },
      { type: "sync", senderId: "a", targetId: "relay", documentId: DOC, data: new Uint8Array([1]) },
    ];
    for (const message of messages) {
      const decoded = decodeFrame(frame(message));
      expect(decoded.ok && { ...decoded.message, ...("data" in decoded.message ? { data: new Uint8Array(decoded.message.data as Uint8Array) } : {}) }).toEqual(message);
    }
    // Browsers deliver binary frames as ArrayBuffer.
    expect(decodeFrame(new Uint8Array(frame(messages[2])).buffer).ok).toBe(true);
  });

  it.each([
    ["a text frame", "{}", "non-binary"],
    ["an empty frame", new Uint8Array(0), "empty"],
    ["bytes that are not CBOR", new Uint8Array([0xff, 0xfe]), "not CBOR"],
    ["CBOR null", frame(null), "not a message object"],
    ["a CBOR array", frame([1]), "not a message object"],
    ["no sender", frame({ type: "sync" }), "without a type and sender"],
    ["a sender id of 10 kB", frame({ type: "join", senderId: "x".repeat(10_000) }), "without a type and sender"],
    ["a join with numeric versions", frame({ type: "join", senderId: "m", supportedProtocolVersions: [1] }), "malformed protocol versions"],
    ["a sync without a target", frame({ type: "sync", senderId: "m" }), "without a target"],
    ["a sync with a numeric document id", frame({ type: "sync", senderId: "m", targetId: "a", documentId: 7 }), "malformed document id"],
    ["a sync with a document id that is not one", frame({ type: "sync", senderId: "m", targetId: "a", documentId: "3Kdh2RpM7nC3wH6CTm1gX6mK1Xz5" }), "malformed document id"],
    ["a sync whose data is a string", frame({ type: "sync", senderId: "m", targetId: "a", documentId: DOC, data: "xx" }), "data is not bytes"],
  ])("refuses %s", (_what, input, problem) => {
    const decoded = decodeFrame(input);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok || decoded.problem).toContain(problem);
  });
});
