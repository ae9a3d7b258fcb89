import 'fake-indexeddb/auto';
import { openDatabase } from './db';
import { idbPhotoRecords } from './photo-records';
import { photoRecordsContract } from './photo-records.contract';

let n = 0;
photoRecordsContract('IndexedDB (Dexie)', () => {
	const db = openDatabase(`photo-records-${++n}`);
	return { records: idbPhotoRecords(db), close: () => db.close() };
});
