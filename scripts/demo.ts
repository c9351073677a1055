// `npm run demo`: a real n8n (SQLite) with this package and every example workflow published, an
// owner account, and what the examples talk to (a stub CRM, a private PostgreSQL, a stand-in
// model: see scripts/demo-env.ts). Prints the editor URL, every webhook URL and a command that
// sends a correctly signed sample event to it; keeps n8n running until Ctrl-C.
import { OWNER } from '../test/e2e/harness';
import { triggerOf, triggerPathOf } from '../test/support/examples';
import { RECOMMENDED_N8N_ENV, startDemo } from './demo-env';

const SEND_PLATFORM: Record<string, string> = { agntix: 'agntix', elevenlabs: 'elevenlabs', layercode: 'layercode', speaknode: 'speaknode', other: 'standard' };

async function main() {
	// Provisioning prints its own lines: "installing …" only when the cache lacks n8n, with how long it takes.
	console.log('Starting n8n with the package and the examples…');
	const demo = await startDemo();
	const { n8n } = demo;

	console.log(`\nn8n editor:  ${n8n.baseUrl}`);
	console.log(`  sign in as ${OWNER.email} / ${OWNER.password}`);
	console.log(`  n8n settings: ${Object.entries(RECOMMENDED_N8N_ENV).map(([name, value]) => `${name}=${value}`).join(' ')} (recommended, docs/performance.md)`);
	console.log(`  credential "Voice Agent signing secret (demo)" signs with: ${demo.secret}`);
	console.log(`  stub CRM: ${demo.crm.baseUrl} (key ${demo.crmApiKey}); AI Agent model: ${demo.modelUrl}`);
	if (demo.postgres) {
		const pg = demo.postgres;
		console.log(`  CRM database: PGPASSWORD=${pg.password} psql -h ${pg.host} -p ${pg.port} -U ${pg.user} ${pg.database} -c 'SELECT * FROM calls'`);
	}
	console.log('');
	for (const { workflow } of demo.examples) {
		const trigger = triggerOf(workflow);
		const url = n8n.webhookUrl(triggerPathOf(workflow));
		const platform = SEND_PLATFORM[trigger.parameters.platform ?? 'agntix'];
		const header = trigger.parameters.signatureHeader ? ` --header ${trigger.parameters.signatureHeader}` : '';
		console.log(`${workflow.name}\n  ${url}\n  npm run send -- --platform ${platform} --url ${url} --secret '${demo.secret}'${header}\n`);
	}
	for (const note of demo.notes) console.log(`Note: ${note}`);
	console.log('Executions appear in the editor under each workflow. Ctrl-C stops n8n.');
	await new Promise<void>((done) => {
		process.once('SIGINT', done);
		process.once('SIGTERM', done);
	});
	console.log('\nStopping n8n…');
	await demo.stop();
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
