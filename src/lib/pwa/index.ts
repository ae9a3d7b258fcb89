/** `import { pwa, registerServiceWorker, applyUpdate, requestPersistence } from '$lib/pwa'`. */
export { pwa } from './pwa.svelte';
export { applyUpdate, checkForUpdate, registerServiceWorker, tellDeviceRole } from './register';
export {
	classifyStorageError,
	requestPersistence,
	requestPersistentStorage,
	storageErrorMessageKeys,
	storageEstimate,
	type StorageErrorKind,
	type StorageEstimateResult
} from './storage';
