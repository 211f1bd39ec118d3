/** The browser's socket for RelayClientAdapter. */
import type { SocketFactory, RelaySocket } from "./relay-client.ts";

export const browserSocketFactory: SocketFactory = (url) => new WebSocket(url) as unknown as RelaySocket;
