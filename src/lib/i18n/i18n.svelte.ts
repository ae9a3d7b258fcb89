/**
 * The current locale as runes state, and `t()`. Reading `t()` inside a component or `$derived` subscribes to
 * the locale, so switching language re-renders every visible string without a reload.
 */
import {
	DEFAULT_LOCALE,
	isLocale,
	loadLocale,
	onMessagesLoaded,
	translate,
	type Locale,
	type MessageKey,
	type MessageParams
} from './messages';

export const LOCALE_STORAGE_KEY = 'courtyard.locale';

function storage(): Storage | null {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		// Access throws in some privacy modes; the app still works, it just forgets the choice.
		return null;
	}
}

function readStored(): Locale {
	const value = storage()?.getItem(LOCALE_STORAGE_KEY);
	return isLocale(value) ? value : DEFAULT_LOCALE;
}

class LocaleState {
	current = $state<Locale>(readStored());
	/** Bumped when messages arrive late (an area's English after its page rendered), so `t()` reads them. */
	revision = $state(0);
}

export const i18n = new LocaleState();
onMessagesLoaded(() => i18n.revision++);

export function getLocale(): Locale {
	return i18n.current;
}

/** Switches language once its messages are loaded (English is fetched on first use). */
export async function setLocale(locale: Locale): Promise<void> {
	if (!isLocale(locale)) return;
	await loadLocale(locale);
	i18n.current = locale;
	try {
		storage()?.setItem(LOCALE_STORAGE_KEY, locale);
	} catch {
		// Full or blocked storage must not stop the switch for this session.
	}
	if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

/** The message for `key` in the current locale, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: MessageParams): string {
	void i18n.revision;
	return translate(i18n.current, key, params);
}

// Keep other open tabs in the same language.
if (typeof window !== 'undefined') {
	window.addEventListener('storage', (event) => {
		if (event.key === LOCALE_STORAGE_KEY && isLocale(event.newValue)) void setLocale(event.newValue);
	});
}
