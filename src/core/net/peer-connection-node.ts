/**
 * Node's RTCPeerConnection: libdatachannel through node-datachannel's standards-shaped polyfill
 * (TOOLCHAIN.md, WebRTC: @roamhq/wrtc loses large messages and never fires bufferedamountlow).
 */
import { RTCPeerConnection } from "node-datachannel/polyfill";
import type { PeerConnectionFactory, PeerConnectionLike } from "./direct-peer.ts";

export const nodePeerConnectionFactory: PeerConnectionFactory = (config) => new RTCPeerConnection(config) as unknown as PeerConnectionLike;
