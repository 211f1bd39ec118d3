/** The crypto boundary: nothing outside src/core/crypto imports a crypto library directly. */
export * from "./bytes.ts";
export * from "./hash.ts";
export * from "./ed25519.ts";
export * from "./x25519.ts";
export * from "./aead.ts";
export * from "./scrypt.ts";
export * from "./hkdf.ts";
export * from "./hpke.ts";
export * from "./aes-gcm.ts";
export * from "./rsa-pss.ts";
