/**
 * Node's calls return Buffers; the core hands out plain Uint8Arrays (encoders and equality checks
 * treat a Buffer as its own type). A view over the same memory: no copy.
 */
export const bytesOfBuffer = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
