/** `import { t, getLocale, setLocale } from '$lib/i18n'`. */
export { i18n, getLocale, setLocale, t, tDynamic, tKnown, LOCALE_STORAGE_KEY } from './i18n.svelte';
export {
	catalogues,
	DEFAULT_LOCALE,
	interpolate,
	isLocale,
	loadLocale,
	LOCALES,
	messagesSettled,
	translate,
	zh,
	type Catalogue,
	type Locale,
	type MessageKey,
	type MessageParams,
	type PlainKey
} from './messages';
