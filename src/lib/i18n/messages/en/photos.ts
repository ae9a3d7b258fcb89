/** English for the photos messages (../photos.ts), loaded only once a device uses English. */
import type { zh } from '../photos';

export const en: Record<keyof typeof zh, string> = {
	'photo.add': 'Take or add a photo',
	'photo.fromAlbum': 'Choose from album',
	'photo.adding': 'Saving the photo…',
	'photo.title': 'Photos',
	'photo.hint': 'Photos are compressed and kept on this device first, then uploaded automatically when online.',
	'photo.noteHint': 'You can photograph the paper note to check it against later.',
	'photo.max': 'At most {max} photos',
	'photo.alt': 'Photo {n}',
	'photo.open': 'Open photo {n}',
	'photo.remove': 'Remove photo {n}',
	'photo.loading': 'Loading photo…',
	'photo.saved': 'Photo saved',
	'photo.state.unattached': 'Uploads once saved',
	'photo.state.pending': 'Waiting to upload',
	'photo.state.failed': 'Upload failed',
	'photo.state.done': 'Uploaded',
	'photo.pending': 'Photos waiting to upload: {count}',
	'photo.failed': 'Photos refused by the server: {count}',
	'photo.retry': 'Upload again',
	'photo.error.not_image': 'This file is not a usable photo (JPEG, PNG or WebP).',
	'photo.error.too_large': 'The photo is too large to keep.',
	'photo.error.quota': 'This device’s storage is full, so the photo was not saved. Sync or free some space, then try again.',
	'photo.error.storage': 'The photo was not saved: the device storage failed.',
	'photo.error.not_found': 'This photo cannot be shown.',
	'photo.error.offline': 'Offline: this photo can be shown once the device is online.',
	'photo.error.unauthorized': 'The server did not accept this device, so the photo cannot be shown.'
};
