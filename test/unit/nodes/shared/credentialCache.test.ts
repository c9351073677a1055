import type { IWebhookFunctions } from 'n8n-workflow';

import { cachedCredentials } from '../../../../nodes/shared/credentialCache';

/** A webhook context whose credential store counts reads. */
function contextWith(workflowId: string, secret: () => string) {
	let reads = 0;
	const context = {
		getNode: () => ({ credentials: { voiceAgentWebhookSecretApi: { id: 'cred-1', name: 'Key' } } }),
		getWorkflow: () => ({ id: workflowId }),
		getCredentials: async () => {
			reads++;
			return { webhookSecret: secret() };
		},
	} as unknown as IWebhookFunctions;
	return { context, reads: () => reads };
}

const T0 = 1_800_000_000_000;

test('reads the credential once per 30 s, then again', async () => {
	let secret = 'old';
	const { context, reads } = contextWith('wf-a', () => secret);
	expect(await cachedCredentials(context, 'voiceAgentWebhookSecretApi', T0)).toEqual({ webhookSecret: 'old' });
	secret = 'new';
	expect(await cachedCredentials(context, 'voiceAgentWebhookSecretApi', T0 + 29_999)).toEqual({ webhookSecret: 'old' });
	expect(reads()).toBe(1);
	expect(await cachedCredentials(context, 'voiceAgentWebhookSecretApi', T0 + 30_000)).toEqual({ webhookSecret: 'new' });
	expect(reads()).toBe(2);
});

test('workflows do not share entries', async () => {
	const a = contextWith('wf-b', () => 'secret-b');
	const b = contextWith('wf-c', () => 'secret-c');
	expect(await cachedCredentials(a.context, 'voiceAgentWebhookSecretApi', T0)).toEqual({ webhookSecret: 'secret-b' });
	expect(await cachedCredentials(b.context, 'voiceAgentWebhookSecretApi', T0)).toEqual({ webhookSecret: 'secret-c' });
});

test('a node without that credential gets nothing, and nothing is read', async () => {
	const { context, reads } = contextWith('wf-d', () => 'x');
	expect(await cachedCredentials(context, 'voiceAgentJwtApi', T0)).toBeUndefined();
	expect(reads()).toBe(0);
});

test('a failed read is not cached', async () => {
	let fail = true;
	let reads = 0;
	const context = {
		getNode: () => ({ credentials: { voiceAgentWebhookSecretApi: { id: 'cred-2', name: 'Key' } } }),
		getWorkflow: () => ({ id: 'wf-e' }),
		getCredentials: async () => {
			reads++;
			if (fail) throw new Error('not found');
			return { webhookSecret: 's' };
		},
	} as unknown as IWebhookFunctions;
	expect(await cachedCredentials(context, 'voiceAgentWebhookSecretApi', T0)).toBeUndefined();
	fail = false;
	expect(await cachedCredentials(context, 'voiceAgentWebhookSecretApi', T0 + 1)).toEqual({ webhookSecret: 's' });
	expect(reads).toBe(2);
});
