/**
 * The baseline: the stock y-websocket server (`@y/websocket-server`, setupWSConnection) as a process, the way its
 * README runs it. PORT (0 = free port), YPERSISTENCE=<dir> for its y-leveldb persistence (read at import time
 * by the package), BENCH_DOCS=N to preload documents bench:proposal:p0…p(N-1): into y-leveldb when persistence
 * is on, else into memory. Prints `stock y-websocket server on http://127.0.0.1:<port>`.
 */
import http from 'node:http';
import { getPersistence, getYDoc, setupWSConnection } from '@y/websocket-server/utils';
import { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { benchDocName, benchDocUpdate } from './relay-bench-docs';

const port = Number(process.env.PORT ?? 1234);
const preload = Number(process.env.BENCH_DOCS ?? 0);
const persistence = getPersistence() as { provider: { storeUpdate(doc: string, u: Uint8Array): Promise<unknown> } } | null;

for (let i = 0; i < preload; i++) {
	if (persistence) await persistence.provider.storeUpdate(benchDocName(i), benchDocUpdate(i));
	else Y.applyUpdate(getYDoc(benchDocName(i)), benchDocUpdate(i));
}

const server = http.createServer((_req, res) => {
	res.writeHead(200);
	res.end('stock');
});
const wss = new WebSocketServer({ server });
wss.on('connection', (conn, req) => setupWSConnection(conn, req));
server.listen(port, '127.0.0.1', () => {
	const address = server.address();
	const p = typeof address === 'object' && address ? address.port : port;
	process.stdout.write(`stock y-websocket server on http://127.0.0.1:${p}\n`);
});
process.on('SIGTERM', () => process.exit(0));
