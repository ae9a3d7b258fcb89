import { photoRecordsContract } from './photo-records.contract';
import { MemoryPhotoRecords } from './photo-records';

photoRecordsContract('memory', () => ({ records: new MemoryPhotoRecords(), close: () => {} }));
