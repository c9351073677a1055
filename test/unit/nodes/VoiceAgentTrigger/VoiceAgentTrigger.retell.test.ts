// webhook() for Retell deliveries, with a mocked IWebhookFunctions as n8n hands it over: a
// delivery signed by retell-sdk starts the workflow with the common item; forged, stale, tampered
// or unsigned ones are answered 401 and start nothing.
import { symmetric } from 'retell-sdk/lib/webhook_auth';

import { fixtureText } from '../../helpers/fixtures';
import { deliverToTrigger } from '../../helpers/webhookDelivery';
import { signRetell } from '../../../support/sign';
import { resetDeduplication } from '../../../../nodes/VoiceAgentTrigger/deduplication';

const API_KEY = 'key_3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e';
const RETELL = { platform: 'retell' };
const credential = { webhookSecret: API_KEY };

beforeEach(() => resetDeduplication());

describe('Retell through the trigger', () => {
	test('a genuine call_analyzed, signed by retell-sdk, starts the workflow with the normalised item', async () => {
		const body = fixtureText('retell/call_analyzed');
		const headers = { 'x-retell-signature': await symmetric.sign(body, API_KEY, Date.now()) };
		const { item, status } = await deliverToTrigger({ parameters: RETELL, credential, body, headers });
		expect(status).toBe(200);
		expect(item).toMatchObject({
			provider: 'retell',
			event: 'session.analyzed',
			eventType: 'call_analyzed',
			deliveryId: expect.stringMatching(/^Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:call_analyzed:[0-9a-f]{16}$/),
			sessionId: 'Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6',
			summary: expect.stringContaining('José called'),
			sentiment: 'Positive',
			resolution: 'successful',
			extracted: { new_date: '2024-05-03', appointment_booked: true, follow_up_email: 'jose@example.com' },
			variables: { customer_name: 'John Doe', taskId: 'T-7', crmContactId: '0035g00000XyZabAAB' },
			durationSeconds: 15.791,
			endedReason: 'user_hangup',
		});
		expect(item?.warnings).toBeUndefined();
		expect(JSON.stringify(item)).not.toContain(API_KEY);
	});

	test.each([
		['forged (another key)', (body: string) => signRetell(body, 'key_not_the_webhook_badge_key_000')],
		['stale (6 minutes old)', (body: string) => signRetell(body, API_KEY, Date.now() - 360_000)],
		['from the future (6 minutes ahead)', (body: string) => signRetell(body, API_KEY, Date.now() + 360_000)],
		['unsigned', () => ({})],
		['malformed', () => ({ 'x-retell-signature': 'v=1,d=zz' })],
	])('%s → 401, no execution, no secret in the answer', async (_name, sign) => {
		const body = fixtureText('retell/call_ended');
		const outcome = await deliverToTrigger({ parameters: RETELL, credential, body, headers: sign(body) });
		expect(outcome.status).toBe(401);
		expect(outcome.item).toBeUndefined();
		expect(JSON.stringify(outcome.answer ?? {})).not.toContain(API_KEY);
	});

	test('tampered after signing → 401, no execution', async () => {
		const body = fixtureText('retell/call_ended');
		const headers = signRetell(body, API_KEY);
		const outcome = await deliverToTrigger({ parameters: RETELL, credential, body: body.replace('user_hangup', 'agent_hangup'), headers });
		expect(outcome).toMatchObject({ status: 401, item: undefined });
	});

	test('only the events chosen start the workflow; the others are answered 200', async () => {
		const parameters = { ...RETELL, events: ['session.analyzed'] };
		const started = fixtureText('retell/call_started');
		const skipped = await deliverToTrigger({ parameters, credential, body: started, headers: signRetell(started, API_KEY) });
		expect(skipped).toMatchObject({ status: 200, item: undefined });
		const analyzed = fixtureText('retell/call_analyzed');
		const ran = await deliverToTrigger({ parameters, credential, body: analyzed, headers: signRetell(analyzed, API_KEY) });
		expect(ran.item).toMatchObject({ event: 'session.analyzed' });
	});
});
