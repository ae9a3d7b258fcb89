/** Settings-table key prefix of a resident's ballots waiting to be sent: small, so the shell can look without loading the poll code. */
export const BALLOT_OUTBOX_PREFIX = 'outbox.ballot:';
