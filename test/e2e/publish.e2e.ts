// Publishing a Voice Agent Trigger that cannot verify its deliveries is refused by a real n8n,
// with the trigger's reason (audit #6; #5 for a platform this version does not know).
//
// n8n runs the trigger's create() on activation only when checkExists() answers false
// (WebhookService.createWebhookIfNotExists in 2.41.1 and 1.123.81); an error thrown there fails
// the activation. n8n 2.x reports it per trigger in the publication status the editor shows
// (GET /rest/workflows/:id/publication-status, status "failed", errorMessage); 1.x keeps it as the
// workflow's activation error (GET /rest/active-workflows/error/:id). The harness turns either
// into startN8n's error: "workflow <id> failed to activate … <reason>" on its first line.
import { printLogOnFailure, startN8n, type N8n, type StartOptions } from './harness';
import { secretCredential, triggerOnly, triggerPath } from './workflows';
import { signStandardWebhook } from '../support/sign';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** startN8n's error line for a workflow n8n refused to activate, naming the trigger's reason. */
const refused = (workflowId: string, reason: string) => new RegExp(`^workflow ${workflowId} failed to activate.*${reason}`);

/** The first line of startN8n's error, or "activated" (after stopping that n8n) if it started. */
async function activationOutcome(options: StartOptions): Promise<string> {
	let started: N8n;
	try {
		started = await startN8n(options);
	} catch (error) {
		const line = (error as Error).message.split('\n')[0];
		console.log(`[publish.e2e] ${line}`);
		return line;
	}
	await started.stop();
	return 'activated';
}

const agntixEnded = JSON.stringify({ id: 'sess-publish-1', eventType: 'session.ended', type: 'VOICE' });

async function post(n8n: N8n, name: string, headers: Record<string, string> = {}) {
	const response = await fetch(n8n.webhookUrl(triggerPath(name)), {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: agntixEnded,
	});
	return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('audit #6: n8n refuses to publish a trigger that cannot verify', () => {
	test('audit #6: a signing method whose credential has no secret: not activated, and n8n says why', async () => {
		const workflow = triggerOnly('wfPublishNoSec1', 'publish-no-secret', { platform: 'agntix' });
		expect(await activationOutcome({ workflows: [workflow], credentials: [secretCredential('')] })).toMatch(
			refused(workflow.id, 'no Voice Agent Webhook Secret API credential with a Webhook Signing Secret is selected'),
		);
	});

	test('audit #5: a platform this version does not know: not activated (never run unverified)', async () => {
		// As an import or a later version saves it: n8n drops the Verification its display rules hide.
		const workflow = triggerOnly('wfPublishUnkn01', 'publish-unknown', { platform: 'vapi-next', verification: 'standardWebhooks' });
		expect(await activationOutcome({ workflows: [workflow], credentials: [secretCredential(SECRET)] })).toMatch(
			refused(workflow.id, 'is not one this version of the Voice Agent Trigger knows'),
		);
	});

	describe('with a signing secret (and with Verification: None chosen explicitly)', () => {
		const signed = triggerOnly('wfPublishSecre1', 'publish-secret', { platform: 'agntix' });
		const unverified = triggerOnly('wfPublishNone01', 'publish-none', { platform: 'agntix', verification: 'none' });
		let n8n: N8n;

		beforeAll(async () => {
			n8n = await startN8n({ workflows: [signed, unverified], credentials: [secretCredential(SECRET)] });
		});
		afterAll(async () => {
			await n8n?.stop();
		});

		test('both activate; a signed delivery runs, an unsigned one is refused', async () => {
			await printLogOnFailure(n8n, async () => {
				expect(await post(n8n, 'publish-secret')).toMatchObject({ status: 401 });
				const headers = signStandardWebhook(agntixEnded, SECRET, { id: 'msg_publish_1' });
				expect(await post(n8n, 'publish-secret', headers)).toMatchObject({ status: 200, json: { status: 'accepted' } });
				expect(await n8n.waitForExecutions(signed.id, 1)).toHaveLength(1);
			});
		});

		test('Verification: None stays a choice: published, and it runs unsigned deliveries', async () => {
			await printLogOnFailure(n8n, async () => {
				expect(await post(n8n, 'publish-none')).toMatchObject({ status: 200, json: { status: 'accepted' } });
				expect(await n8n.waitForExecutions(unverified.id, 1)).toHaveLength(1);
			});
		});
	});
});
