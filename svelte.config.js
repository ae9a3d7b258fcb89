import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** The app is a client-rendered PWA: a prerendered shell plus an SPA fallback, served by the relay. */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
		serviceWorker: { register: false }
	}
};

export default config;
