import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';

import { testWebhookSecretCredential } from '../../../../nodes/VoiceAgentTrigger/webhookSecretTest';

/** n8n's tester hands the function a context; an offline test must not need anything from it. */
const noHelpers = {} as ICredentialTestFunctions;
const test_ = (data: ICredentialsDecrypted['data']) =>
	testWebhookSecretCredential.call(noHelpers, { id: 'c1', name: 'Secret', type: 'voiceAgentWebhookSecretApi', data });

describe('the Webhook Secret credential test (offline)', () => {
	test.each([
		['a Svix/Agntix secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
		['a Layercode text secret', 'layercode-webhook-secret-for-tests'],
		['a secret pasted with spaces around it', '  layercode-webhook-secret-for-tests\n'],
		['exactly 16 bytes of text', '0123456789abcdef'],
	])('%s → OK', async (_name, webhookSecret) => {
		expect(await test_({ webhookSecret })).toEqual({ status: 'OK', message: expect.stringMatching(/well-formed/) });
	});

	test.each([
		['no data', undefined],
		['no field', {}],
		['empty', { webhookSecret: '' }],
		['blank', { webhookSecret: ' \t ' }],
		['not text', { webhookSecret: 12345 }],
	])('%s → Error: paste the secret', async (_name, data) => {
		expect(await test_(data as ICredentialsDecrypted['data'])).toEqual({
			status: 'Error',
			message: 'Paste the Webhook Signing Secret the platform shows for this webhook',
		});
	});

	test.each([
		['a cut-off whsec_ secret', 'whsec_MfKQ9r8G', /too short/],
		['a whsec_ secret with characters base64 lacks', 'whsec_not base64!', /not a Standard Webhooks secret/],
		['whsec_ and nothing else', 'whsec_', /not a Standard Webhooks secret/],
		['a text secret of 15 bytes', '0123456789abcde', /too short/],
	])('%s → Error saying why, never quoting the secret', async (_name, webhookSecret, reason) => {
		const result = await test_({ webhookSecret });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(reason);
		// The key part: the message itself names the whsec_ prefix.
		const key = webhookSecret.replace(/^whsec_/, '');
		if (key !== '') expect(result.message).not.toContain(key);
	});
});
