/**
 * Test factories: actors and grants, registers, meetings, proposals, polls and ballots, visits, talents and
 * points, each with sensible defaults and per-test overrides, deterministic (no clock, no unseeded randomness).
 * For specs and integration tests only; the app never imports them. Projects (./projects), report facts
 * (./reports) and the Yjs replica helper (./ydocs) are imported by path: their short names would clash here, and
 * Yjs stays out of specs that do not need it.
 */
export * from './actors';
export * from './households';
export * from './meetings';
export * from './points';
export * from './polls';
export * from './proposals';
export * from './talents';
export * from './visits';
