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
	vitePlugin: {
		// Every component of the app is in runes mode, also those that use no rune (the root page, the error page, the
		// welcome): a component the compiler takes for a legacy one makes each page load Svelte's legacy runtime too.
		// Packages' components keep the mode they were written for.
		dynamicCompileOptions: ({ filename }) => (filename.includes('/node_modules/') ? undefined : { runes: true })
	},
	kit: {
		adapter: adapter({ pages: out, assets: out, fallback: 'index.html', strict: false }),
		...(process.env.COURTYARD_KIT_DIR ? { outDir: process.env.COURTYARD_KIT_DIR } : {}),
		serviceWorker: { register: false }
	}
};

export default config;
