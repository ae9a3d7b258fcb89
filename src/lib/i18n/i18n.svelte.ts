/**
 * The current locale as runes state, and `t()`. Reading `t()` inside a component or `$derived` subscribes to
 * the locale, so switching language re-renders every visible string without a reload.
 */
import {
	DEFAULT_LOCALE,
	dynamicKeyProblem,
	isLocale,
	isMessageKey,
	loadLocale,
	lookUp,
	onMessagesLoaded,
	type Locale,
	type MessageKey,
	type MessageParams,
	type ParamsArg
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

/**
 * The message for `key` in the current locale, with `{name}` placeholders filled from `params`. The key's
 * placeholders are its parameters' types: `t('sync.pending', { count })`, and `t('sync.online')` with none.
 * A key built from a domain id types as the union of its family (`t(\`status.${proposal.status}\`)`).
 */
export function t<K extends MessageKey>(key: K, ...[params]: ParamsArg<K>): string {
	void i18n.revision;
	return lookUp(i18n.current, key, params);
}

/**
 * The escape hatch for a key computed from data the types cannot follow (an error code from the server, a
 * field name from an import file). Development builds throw on an unknown key or a missing parameter, so a gap
 * shows in tests rather than as `{name}` on screen; production shows the key. messages.spec.ts counts the
 * callers: prefer `t` with a typed union.
 */
export function tDynamic(key: string, params?: MessageParams): string {
	void i18n.revision;
	if (import.meta.env.DEV) {
		const problem = dynamicKeyProblem(key, params);
		if (problem) throw new Error(`tDynamic: ${problem}`);
	}
	return lookUp(i18n.current, key, params);
}

/**
 * The message for `key` when the catalogue has one, else undefined: for keys tried in turn before a fallback (a
 * code from a newer relay, a field of a newer app), so it never shows a raw key.
 */
export function tKnown(key: string, params?: MessageParams): string | undefined {
	return isMessageKey(key) ? tDynamic(key, params) : undefined;
}

// Keep other open tabs in the same language.
if (typeof window !== 'undefined') {
	window.addEventListener('storage', (event) => {
		if (event.key === LOCALE_STORAGE_KEY && isLocale(event.newValue)) void setLocale(event.newValue);
	});
}
