// Live turns, queue mode: Redis and PostgreSQL, `n8n start` holds the caller's connection, one
// `n8n worker` runs the nodes and relays each chunk back (see turn.suite.ts and the harness).
import { describeTurns } from './turn.suite';

describeTurns('queue');
