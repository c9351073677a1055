// The example workflows in examples/ and the credentials they name, for the end-to-end suite,
// `npm run demo` and `npm run screenshots`.
//
// The examples are importable as they are: each references its credentials by a fixed id and
// name (below), and the CRM lookup calls https://crm.example.com. Loading them here can point that
// URL at a local stub CRM instead. (Not through `$env`: n8n 2.x blocks `$env` in expressions by
// default, N8N_BLOCK_ENV_ACCESS_IN_NODE unset counts as true, and the expression then fails with
// "access to env vars denied" even with a `||` default; n8n Variables (`$vars`) need a licence.)
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

function repoRoot(): string {
	for (let dir = __dirname; dir !== resolve(dir, '..'); dir = resolve(dir, '..')) {
		try {
			if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'n8n-nodes-voice-agent') return dir;
		} catch {
			// keep walking up
		}
	}
	throw new Error(`not inside the n8n-nodes-voice-agent checkout: ${__dirname}`);
}

export const REPO_ROOT = repoRoot();
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
/** The CRM base URL written in examples/layercode-turn.json. */
export const CRM_PLACEHOLDER_URL = 'https://crm.example.com';
export const CRM_SCHEMA_SQL = join(EXAMPLES_DIR, 'crm-schema.sql');

/** The credential ids and names the examples reference (import credentials with these to run them). */
export const EXAMPLE_CREDENTIALS = {
	voiceAgentSecret: { id: 'demoVoiceAgentSecret', name: 'Voice Agent signing secret (demo)', type: 'voiceAgentWebhookSecretApi' },
	openAi: { id: 'demoOpenAiApi', name: 'OpenAI (demo)', type: 'openAiApi' },
	crmApiKey: { id: 'demoCrmApiKey', name: 'CRM API key (demo)', type: 'httpHeaderAuth' },
	postgres: { id: 'demoCrmPostgres', name: 'CRM database (demo)', type: 'postgres' },
	hubspot: { id: 'demoHubspotToken', name: 'HubSpot (demo)', type: 'hubspotAppToken' },
	googleSheets: { id: 'demoGoogleSheets', name: 'Google Sheets (demo)', type: 'googleSheetsOAuth2Api' },
} as const;

export interface ExampleNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	webhookId?: string;
	parameters: Record<string, unknown> & { platform?: string; signatureHeader?: string };
	credentials?: Record<string, { id: string; name: string }>;
}

export interface ExampleWorkflow {
	id: string;
	name: string;
	nodes: ExampleNode[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface Example {
	/** The file name without `.json`, e.g. `layercode-turn`: also the screenshot's name. */
	slug: string;
	file: string;
	workflow: ExampleWorkflow;
}

export interface LoadOptions {
	/** Replaces https://crm.example.com (e.g. a local stub CRM). */
	crmBaseUrl?: string;
}

/** Every examples/*.json, sorted by file name, as n8n will import it (after the optional URL replacement). */
export function loadExamples(options: LoadOptions = {}): Example[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => {
			const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as ExampleWorkflow;
			const crmBaseUrl = options.crmBaseUrl?.replace(/\/+$/, '');
			if (crmBaseUrl) {
				// In the nodes' parameters only: the sticky notes keep telling the reader what to replace.
				workflow.nodes = workflow.nodes.map((node) =>
					node.type === 'n8n-nodes-base.stickyNote'
						? node
						: { ...node, parameters: JSON.parse(JSON.stringify(node.parameters).split(CRM_PLACEHOLDER_URL).join(crmBaseUrl)) as ExampleNode['parameters'] },
				);
			}
			return { slug: file.replace(/\.json$/, ''), file, workflow };
		});
}

export function exampleBySlug(examples: Example[], slug: string): Example {
	const example = examples.find((candidate) => candidate.slug === slug);
	if (!example) throw new Error(`no example ${slug} (have: ${examples.map((e) => e.slug).join(', ')})`);
	return example;
}

/** The Voice Agent Trigger of a workflow. */
export function triggerOf(workflow: ExampleWorkflow): ExampleNode {
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-voice-agent.voiceAgentTrigger');
	if (!trigger) throw new Error(`workflow ${workflow.id} has no Voice Agent Trigger`);
	return trigger;
}

/** The production webhook path of the workflow's trigger: n8n puts the webhookId first. */
export function triggerPathOf(workflow: ExampleWorkflow): string {
	return `${triggerOf(workflow).webhookId}/webhook`;
}

export interface CredentialSettings {
	/** The webhook signing secret every trigger verifies with. */
	webhookSecret: string;
	/** OpenAI-compatible server: base URL (…/v1) and key. */
	openAi: { url: string; apiKey: string };
	/** The CRM's API key, sent as `Authorization: Bearer <key>`. */
	crmApiKey: string;
	/** The PostgreSQL the Postgres examples write to. */
	postgres: { host: string; port: number; database: string; user: string; password: string };
}

/** Unencrypted credentials for `n8n import:credentials`, with the ids and names the examples reference. */
export function exampleCredentials(settings: CredentialSettings): object[] {
	const C = EXAMPLE_CREDENTIALS;
	return [
		{ ...C.voiceAgentSecret, data: { webhookSecret: settings.webhookSecret } },
		{ ...C.openAi, data: { apiKey: settings.openAi.apiKey, organizationId: '', url: settings.openAi.url, header: false } },
		{ ...C.crmApiKey, data: { name: 'Authorization', value: `Bearer ${settings.crmApiKey}` } },
		{
			...C.postgres,
			data: { ...settings.postgres, ssl: 'disable', allowUnauthorizedCerts: false, maxConnections: 10, sshTunnel: false },
		},
		// Placeholders: the HubSpot and Google Sheets examples import and publish with them, but
		// they cannot reach the real services.
		{ ...C.hubspot, data: { appToken: 'pat-na1-00000000-0000-0000-0000-000000000000' } },
		{
			...C.googleSheets,
			data: { clientId: 'replace-me.apps.googleusercontent.com', clientSecret: 'replace-me' },
		},
	];
}
