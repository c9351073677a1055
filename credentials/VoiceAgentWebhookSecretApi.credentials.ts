import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The secret a platform signs its webhooks with, on its own: a Layercode or SpeakNode user has
 * no platform API key, and the API-key credential's test calls the platform's API. No `test`
 * here: the trigger tests it offline (testedBy, verification/webhookSecretTest.ts), since a
 * secret can only be checked against a signed delivery.
 */
export class VoiceAgentWebhookSecretApi implements ICredentialType {
	name = 'voiceAgentWebhookSecretApi';

	displayName = 'Voice Agent Webhook Secret API';

	icon: Icon = { light: 'file:voiceAgent.svg', dark: 'file:voiceAgent.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent/blob/main/docs/reference.md#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'whsec_…',
			description:
				'The secret the platform signs its webhooks with (Agntix/Svix and Standard Webhooks: whsec_…; ElevenLabs: the webhook’s HMAC secret; Layercode: the agent’s webhook secret; Retell: the API key with the webhook badge; SpeakNode: the subscription secret; Vapi: the custom credential’s token or HMAC secret)',
		},
	];
}
