/**
 * The floor: a server that only forwards. It answers a client's sync step 1 with an empty step 2 and writes every
 * other message, untouched, to the room's other sockets through the relay's own write path (framed once, one
 * write per socket). No Yjs, no credentials, no storage: no relay can deliver an update for less CPU than this
 * without writing to fewer sockets or less often. PORT (0 = free port). Prints `forwarding floor on http://…`.
 */
import http from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { wsBinaryFrame, writeFrame } from '../server/transport/ws-frame';

const port = Number(process.env.PORT ?? 1234);
const rooms = new Map<string, Set<WebSocket>>();
/** messageSync, syncStep2, an empty update (no structs, an empty delete set). */
const EMPTY_STEP2 = Uint8Array.of(0, 1, 2, 0, 0);

const server = http.createServer((_req, res) => {
	res.writeHead(200);
	res.end('forwarding floor');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (conn, req) => {
	const name = req.url ?? '/';
	const room = rooms.get(name) ?? new Set<WebSocket>();
	rooms.set(name, room);
	room.add(conn);
	conn.on('message', (data: Buffer) => {
		// Sync step 1 (0, 0, …) is answered; everything else is forwarded as it came.
		if (data[0] === 0 && data[1] === 0) {
			conn.send(EMPTY_STEP2);
			return;
		}
		const frame = wsBinaryFrame(data);
		for (const other of room) if (other !== conn && !writeFrame(other, frame)) other.send(data);
	});
	conn.on('close', () => room.delete(conn));
});
server.listen(port, '127.0.0.1', () => {
	const address = server.address();
	const p = typeof address === 'object' && address ? address.port : port;
	process.stdout.write(`forwarding floor on http://127.0.0.1:${p}\n`);
});
process.on('SIGTERM', () => process.exit(0));
