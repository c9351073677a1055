// `npm run demo`: a real n8n (SQLite) with this package and the example workflows published,
// an owner account, and one credential holding a fresh signing secret. Prints the editor URL,
// every webhook URL and a command that sends a correctly signed sample event to it; keeps n8n
// running until Ctrl-C.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { OWNER, startN8n } from '../test/e2e/harness';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

interface ExampleNode {
	type: string;
	webhookId?: string;
	parameters: { platform?: string; signatureHeader?: string };
}

const SEND_PLATFORM: Record<string, string> = { agntix: 'agntix', layercode: 'layercode', speaknode: 'speaknode', other: 'standard' };

async function main() {
	const secret = `whsec_${randomBytes(24).toString('base64')}`;
	const workflows = readdirSync(EXAMPLES)
		.filter((file) => file.endsWith('.json'))
		.map((file) => JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as { id: string; name: string; nodes: ExampleNode[] });
	const credential = {
		id: 'demoVoiceAgentKey',
		name: 'Voice Agent (demo)',
		type: 'voiceAgentApiKeyApi',
		data: { baseUrl: 'https://api.agntix.ai', apiKey: '', keyPlacement: 'header', headerName: 'x-api-key', webhookSecret: secret },
	};

	console.log('Starting n8n with the package and the examples (the first run installs n8n: about 6 minutes)…');
	const n8n = await startN8n({ workflows, credentials: [credential] });

	console.log(`\nn8n editor:  ${n8n.baseUrl}`);
	console.log(`  sign in as ${OWNER.email} / ${OWNER.password}`);
	console.log(`  credential "Voice Agent (demo)" signs with: ${secret}\n`);
	for (const workflow of workflows) {
		for (const node of workflow.nodes.filter((candidate) => candidate.type.endsWith('.voiceAgentTrigger'))) {
			const url = n8n.webhookUrl(`${node.webhookId}/webhook`);
			const platform = SEND_PLATFORM[node.parameters.platform ?? 'agntix'];
			const header = node.parameters.signatureHeader ? ` --header ${node.parameters.signatureHeader}` : '';
			console.log(`${workflow.name}\n  ${url}\n  npm run send -- --platform ${platform} --url ${url} --secret '${secret}'${header}\n`);
		}
	}
	console.log('Executions appear in the editor under each workflow. Ctrl-C stops n8n.');
	await new Promise<void>((done) => {
		process.once('SIGINT', done);
		process.once('SIGTERM', done);
	});
	console.log('\nStopping n8n…');
	await n8n.stop();
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
