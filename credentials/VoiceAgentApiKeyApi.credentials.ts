import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class VoiceAgentApiKeyApi implements ICredentialType {
	name = 'voiceAgentApiKeyApi';

	displayName = 'Voice Agent API Key API';

	icon: Icon = { light: 'file:voiceAgent.svg', dark: 'file:voiceAgent.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.agntix.ai',
			description: 'Agntix: https://api.agntix.ai. Layercode: https://api.layercode.com.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'pk_…',
			description: 'The organisation API key. Leave empty if you only receive webhooks.',
		},
		{
			displayName: 'Send Key As',
			name: 'keyPlacement',
			type: 'options',
			options: [
				{ name: 'Authorization: Bearer (Layercode)', value: 'bearer' },
				{ name: 'Header (Agntix: X-Api-Key)', value: 'header' },
			],
			default: 'header',
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'x-api-key',
			displayOptions: { show: { keyPlacement: ['header'] } },
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'whsec_…',
			description:
				'The secret the platform signs its webhooks with (Agntix/Svix and Standard Webhooks: whsec_…; Layercode: the agent’s webhook secret; SpeakNode: the subscription secret)',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'={{ $credentials.keyPlacement === "bearer" ? "Authorization" : $credentials.headerName }}':
					'={{ $credentials.keyPlacement === "bearer" ? "Bearer " + $credentials.apiKey : $credentials.apiKey }}',
			},
		},
	};

	// A cheap authenticated read: Agntix lists one session; Layercode lists agents.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrl }}',
			url: '={{ $credentials.baseUrl.includes("layercode") ? "/v1/agents" : "/api/v1/chat/sessions?limit=1" }}',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'The platform refused this API key (401). Check the key, and that it is sent as the platform expects: Agntix takes it in the x-api-key header, Layercode as Authorization: Bearer.',
				},
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'The key is valid but lacks permission to read sessions (403).' },
			},
		],
	};
}
