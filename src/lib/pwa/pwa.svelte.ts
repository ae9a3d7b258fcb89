/** Service-worker state for the UI (update prompt, "ready offline" note). Written only by register.ts. */
class PwaState {
	/** A new version is installed and waiting; show the update prompt. */
	updateAvailable = $state(false);
	/** The shell is precached: the app will open without a network. */
	offlineReady = $state(false);
	/** applyUpdate() is switching versions; the page reloads shortly. */
	updating = $state(false);
	/** The waiting version could not fetch this role's code (offline?): switching now would lose it offline. */
	updateBlocked = $state(false);
	/** Registration failed (unsupported browser, insecure origin…); the app still works online. */
	error = $state<string | null>(null);
}

export const pwa = new PwaState();
