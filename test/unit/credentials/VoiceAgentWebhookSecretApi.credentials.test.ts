import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { VoiceAgentApiKeyApi } from '../../../credentials/VoiceAgentApiKeyApi.credentials';
import { VoiceAgentWebhookSecretApi } from '../../../credentials/VoiceAgentWebhookSecretApi.credentials';

const credential = new VoiceAgentWebhookSecretApi();

describe('Voice Agent Webhook Secret API: a secret-only credential', () => {
	test('one required password field, webhookSecret, with the whsec_ placeholder', () => {
		expect(credential.properties).toHaveLength(1);
		expect(credential.properties[0]).toMatchObject({
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'whsec_…',
		});
		expect(credential.properties[0].description).toMatch(/Agntix\/Svix.*Layercode.*SpeakNode/);
	});

	test('named as n8n lists it, with the package icon and the docs anchor', () => {
		expect(credential.name).toBe('voiceAgentWebhookSecretApi');
		expect(credential.displayName).toBe('Voice Agent Webhook Secret API');
		expect(credential.icon).toEqual({ light: 'file:voiceAgent.svg', dark: 'file:voiceAgent.dark.svg' });
		expect(credential.documentationUrl).toBe(
			'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent/blob/main/docs/reference.md#credentials',
		);
	});

	test('no request test and no authentication: nothing is sent anywhere when it is saved (the trigger tests it offline)', () => {
		expect('test' in credential).toBe(false);
		expect('authenticate' in credential).toBe(false);
	});

	test('the API-key credential no longer carries a signing secret', () => {
		expect(new VoiceAgentApiKeyApi().properties.map((property) => property.name)).not.toContain('webhookSecret');
	});

	test('package.json registers it for n8n', () => {
		const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { n8n: { credentials: string[] } };
		expect(pkg.n8n.credentials).toContain('dist/credentials/VoiceAgentWebhookSecretApi.credentials.js');
	});
});
