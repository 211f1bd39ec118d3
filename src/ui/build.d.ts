/** The app's version and build label, set by vite.config.ts at build time. */
declare const __APP_BUILD__: string;
