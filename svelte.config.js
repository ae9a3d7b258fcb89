import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * The app is a client-rendered PWA: a prerendered shell plus an SPA fallback, served by the relay.
 * COURTYARD_BUILD_DIR / COURTYARD_KIT_DIR let a second build run beside the default one (serve it with
 * STATIC_DIR); by default everything goes to build/ and .svelte-kit/.
 */
const out = process.env.COURTYARD_BUILD_DIR || 'build';
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ pages: out, assets: out, fallback: 'index.html', strict: false }),
		...(process.env.COURTYARD_KIT_DIR ? { outDir: process.env.COURTYARD_KIT_DIR } : {}),
		serviceWorker: { register: false }
	}
};

export default config;
