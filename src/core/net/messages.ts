/**
 * The shape check every WebSocket frame passes before automerge-repo sees it, on the relay and on
 * a node alike. automerge-repo trusts its transport: a frame of the wrong shape can throw deep in
 * its synchroniser, and a throw from a socket's event handler ends a Node process. Anything a
 * peer sends is hostile until it has the shape of a repo message (DESIGN.md, Network).
 */
import { cbor, isValidDocumentId } from "@automerge/automerge-repo";

/** Longer peer and document ids are not made by automerge-repo; refusing them bounds memory per peer. */
const MAX_ID_LENGTH = 256;

export type FrameMessage = Record<string, unknown> & { readonly type: string; readonly senderId: string };
export type DecodedFrame = { ok: true; message: FrameMessage } | { ok: false; problem: string };

const isId = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH;

/** Decodes a binary frame into a message object with a type and sender, or says what is wrong with it. */
export function decodeFrame(frame: unknown): DecodedFrame {
  if (!(frame instanceof Uint8Array) && !(frame instanceof ArrayBuffer)) return { ok: false, problem: "a fragmented or non-binary frame" };
  if (frame.byteLength === 0) return { ok: false, problem: "an empty frame" };
  let message: unknown;
  try {
    message = cbor.decode(frame instanceof ArrayBuffer ? new Uint8Array(frame) : frame);
  } catch {
    return { ok: false, problem: "a frame that is not CBOR" };
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) return { ok: false, problem: "a frame that is not a message object" };
  const m = message as Record<string, unknown>;
  if (typeof m.type !== "string" || !isId(m.senderId)) return { ok: false, problem: "a message without a type and sender" };
  const problem = fieldProblem(m);
  return problem ? { ok: false, problem } : { ok: true, message: m as FrameMessage };
}

function fieldProblem(m: Record<string, unknown>): string | undefined {
  if (m.type === "join") {
    const versions = m.supportedProtocolVersions;
    const ok = versions === undefined || (Array.isArray(versions) && versions.every((v) => typeof v === "string"));
    return ok ? undefined : "a join message with malformed protocol versions";
  }
  if (m.type === "peer" || m.type === "error") return undefined;
  if (!isId(m.targetId)) return "a message without a target";
  // The repo throws deep in its synchroniser on a document id it cannot parse.
  if ("documentId" in m && !(isId(m.documentId) && isValidDocumentId(m.documentId))) return "a message with a malformed document id";
  if ("data" in m && !(m.data instanceof Uint8Array)) return "a message whose data is not bytes";
  return undefined;
}
