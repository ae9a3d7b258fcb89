/** Real PostgreSQL and Redis servers for tests (scripts/services.ts, shared with `npm run cluster`). */
export { type PostgresService, type Service, startPostgres, startRedis } from '../../scripts/services';
