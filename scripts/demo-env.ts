// What `npm run demo` and `npm run screenshots` start: a real n8n (SQLite) with this package and
// every example workflow published, an owner account, and what the examples talk to:
// - the Voice Agent credential with a fresh webhook signing secret;
// - a local stub CRM (https://crm.example.com in examples/layercode-turn.json points at it);
// - a private PostgreSQL with examples/crm-schema.sql, for the Postgres examples (skipped, with a
//   note, when PostgreSQL's server binaries are not installed);
// - for the AI Agent example, a local OpenAI-compatible stub, unless OPENAI_API_KEY is set (then
//   OpenAI itself, or OPENAI_BASE_URL for any OpenAI-compatible server);
// - placeholder HubSpot and Google Sheets credentials (those two examples import and publish, but
//   need your own accounts to run).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { startN8n, type N8n } from '../test/e2e/harness';
import { startCrmStub, type CrmStub } from '../test/support/crm-stub';
import { CRM_SCHEMA_SQL, exampleCredentials, loadExamples, type Example } from '../test/support/examples';
import { startOpenAiStub, type OpenAiStub } from '../test/support/openai-stub';
import { findPostgresBinDir, startPostgres, type Postgres } from '../test/support/postgres';

/**
 * The n8n settings docs/performance.md recommends, which the demo runs with: n8n's secure `vm`
 * expression engine, building an isolate only when an expression is evaluated (n8n 2.41+; n8n 1.x
 * ignores the variable).
 */
export const RECOMMENDED_N8N_ENV: Record<string, string> = { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' };

export interface Demo {
	n8n: N8n;
	examples: Example[];
	/** The webhook signing secret of the "Voice Agent signing secret (demo)" credential. */
	secret: string;
	crm: CrmStub;
	crmApiKey: string;
	/** undefined when PostgreSQL is not installed. */
	postgres?: Postgres;
	/** The local model stub, when OPENAI_API_KEY is not set. */
	llm?: OpenAiStub;
	/** Where the AI Agent example's chat model points. */
	modelUrl: string;
	notes: string[];
	stop(): Promise<void>;
}

const DEMO_TOKENS = ['Thanks', ' for', ' calling', '.', ' Your', ' parcel', ' is', ' on', ' its', ' way', ' and', ' arrives', ' on', ' Friday', '.'];

export async function startDemo(): Promise<Demo> {
	const secret = `whsec_${randomBytes(24).toString('base64')}`;
	const crmApiKey = `crm_demo_${randomBytes(8).toString('hex')}`;
	const notes: string[] = [];
	const realModel = process.env.OPENAI_API_KEY;
	const [crm, llm, postgres] = await Promise.all([
		startCrmStub({ apiKey: crmApiKey }),
		realModel ? Promise.resolve(undefined) : startOpenAiStub({ tokens: DEMO_TOKENS, delayMs: 80, model: 'gpt-4.1-mini' }),
		findPostgresBinDir().then((binDir) => (binDir ? startPostgres({ database: 'crm', user: 'crm', password: randomBytes(12).toString('hex') }) : undefined)),
	]);
	const stopHelpers = () => Promise.all([crm.stop(), llm?.stop(), postgres?.stop()]);
	try {
		if (postgres) await postgres.exec(readFileSync(CRM_SCHEMA_SQL, 'utf8'));
		else notes.push('PostgreSQL is not installed (apt-get install postgresql): the two Postgres examples will fail when run.');
		const modelUrl = realModel ? (process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1') : (llm as OpenAiStub).baseUrl;
		if (!realModel) notes.push('The AI Agent example talks to a local stand-in model (set OPENAI_API_KEY, and OPENAI_BASE_URL for another server, to use a real one).');
		notes.push('The HubSpot and Google Sheets examples have placeholder credentials: put your own in to run them.');
		const examples = loadExamples({ crmBaseUrl: crm.baseUrl });
		const n8n = await startN8n({
			env: RECOMMENDED_N8N_ENV,
			workflows: examples.map((example) => example.workflow),
			credentials: exampleCredentials({
				webhookSecret: secret,
				openAi: { url: modelUrl, apiKey: realModel ?? 'sk-demo-stub' },
				crmApiKey,
				postgres: postgres
					? { host: postgres.host, port: postgres.port, database: postgres.database, user: postgres.user, password: postgres.password }
					: { host: '127.0.0.1', port: 5432, database: 'crm', user: 'crm', password: 'crm' },
			}),
		});
		return {
			n8n,
			examples,
			secret,
			crm,
			crmApiKey,
			postgres,
			llm,
			modelUrl,
			notes,
			async stop() {
				await n8n.stop();
				await stopHelpers();
			},
		};
	} catch (error) {
		await stopHelpers();
		throw error;
	}
}
