/** The browser's own RTCPeerConnection for direct peers. */
import type { PeerConnectionFactory, PeerConnectionLike } from "./direct-peer.ts";

export const browserPeerConnectionFactory: PeerConnectionFactory = (config) => new RTCPeerConnection(config) as unknown as PeerConnectionLike;
