import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { wsBinaryFrame } from './ws-frame';

/** ws's frame parser (exported by ws, missing from its types). */
const { Receiver } = ws as unknown as {
	Receiver: new (options: { isServer: boolean }) => NodeJS.EventEmitter & { write(chunk: Buffer): void };
};

/** Decodes frames the way a client does (ws's own receiver, as a client: unmasked frames expected). */
function receive(frame: Buffer): Promise<{ data: Buffer; isBinary: boolean }> {
	const receiver = new Receiver({ isServer: false });
	return new Promise((resolve, reject) => {
		receiver.on('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }));
		receiver.on('error', reject);
		receiver.write(frame);
	});
}

describe('wsBinaryFrame', () => {
	for (const n of [0, 1, 125, 126, 65_535, 65_536, 200_000]) {
		it(`frames ${n} bytes as one binary message`, async () => {
			const payload = Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);
			const { data, isBinary } = await receive(wsBinaryFrame(payload));
			expect(isBinary).toBe(true);
			expect(new Uint8Array(data)).toEqual(payload);
		});
	}
});
