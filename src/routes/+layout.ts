import { getLocale, loadLocale } from '$lib/i18n';

// Client-rendered PWA: the shell is prerendered, everything else renders in the browser.
export const ssr = false;
export const prerender = true;

// Nothing renders before the device's language is loaded, so an English device never flashes Chinese.
export const load = async () => {
	await loadLocale(getLocale());
};
