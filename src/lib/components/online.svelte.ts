/** Whether the browser believes it is online, as runes state (the API calls need the network). */
class Online {
	value = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
}

export const online = new Online();

if (typeof window !== 'undefined') {
	window.addEventListener('online', () => (online.value = true));
	window.addEventListener('offline', () => (online.value = false));
}
