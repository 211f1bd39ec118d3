/**
 * Node's socket for RelayClientAdapter: `ws`, whose `maxPayload` refuses an oversized frame before
 * it is buffered (the browser's WebSocket has no such limit; the adapter checks sizes after receipt).
 */
import { WebSocket } from "ws";
import type { SocketFactory, RelaySocket } from "./relay-client.ts";

export const nodeSocketFactory: SocketFactory = (url, maxMessageBytes) => new WebSocket(url, { maxPayload: maxMessageBytes }) as unknown as RelaySocket;
