/** Minimal logger: warnings and errors go to stderr (stdout carries only the startup line tests parse). */
export interface Logger {
	info(message: string): void;
	warn(message: string, error?: unknown): void;
}

export const consoleLogger: Logger = {
	info: (message) => console.error(`[relay] ${message}`),
	warn: (message, error) => console.error(`[relay] ${message}`, error instanceof Error ? error.message : (error ?? ''))
};

export const silentLogger: Logger = { info: () => {}, warn: () => {} };
