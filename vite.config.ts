import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { VitePWA } from "vite-plugin-pwa";
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };
/** Which build this is, shown in the footer: EDGEPOOL_BUILD names it (the update test builds two), else the build time. */
const BUILD = `${version}, build ${process.env.EDGEPOOL_BUILD ?? new Date().toISOString().slice(0, 16).replace("T", " ")}`;

/** The theme colour of the icons (src/ui/make-icons-node.ts) and the light theme's accent. */
const THEME_COLOUR = "#0b5d4b";

export default defineConfig({
  define: { __APP_BUILD__: JSON.stringify(BUILD) },
  plugins: [
    svelte(),
    VitePWA({
      // The app registers the worker itself with workbox-window (src/ui/app-update.svelte.ts), only
      // in production, and never activates an update on its own: a reload would kill running tasks.
      injectRegister: false,
      registerType: "prompt",
      strategies: "generateSW",
      manifestFilename: "manifest.webmanifest",
      includeAssets: ["icons/apple-touch-icon-180.png"],
      manifest: {
        id: "/",
        name: "EdgePool",
        short_name: "EdgePool",
        description: "A local-first compute network that runs in your browser.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        theme_color: THEME_COLOUR,
        background_color: "#ffffff",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        // The app shell, the lazy chunks, the task modules and their manifest: all offline after one visit.
        globPatterns: ["**/*.{js,css,html,wasm,json,png,svg,woff2,webmanifest}"],
        // Automerge's wasm is ~3.6 MB; below this limit it would be left out and the app would not start offline.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        navigateFallback: "/index.html",
        cleanupOutdatedCaches: true,
        // The first visit's page comes under the worker at once, so going offline mid-visit still
        // finds the lazy chunks; an update still waits for the user (no skipWaiting).
        clientsClaim: true,
        skipWaiting: false,
      },
    }),
  ],
  resolve: {
    // The core imports Automerge's default entries, which inline the wasm as base64; the app loads
    // the slim ones and fetches the wasm by URL (src/ui/pools/browser-repo.ts, TOOLCHAIN.md).
    alias: [
      { find: /^@automerge\/automerge$/, replacement: "@automerge/automerge/slim" },
      { find: /^@automerge\/automerge-repo$/, replacement: "@automerge/automerge-repo/slim" },
    ],
  },
  build: { outDir: "dist", target: "es2022" },
});
