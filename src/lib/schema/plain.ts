/** A record without its undefined fields (Yjs would keep them as explicit undefined values). */
export function plain<T extends object>(record: T): T {
	return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}
