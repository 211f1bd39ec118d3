import { mount } from "svelte";
import "./theme.css";
import App from "./App.svelte";
import { registerServiceWorker } from "./app-update.svelte.ts";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
mount(App, { target });
// Development serves modules straight from Vite; a service worker there would serve stale code.
if (import.meta.env.PROD) void registerServiceWorker();
