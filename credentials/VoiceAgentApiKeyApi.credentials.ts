import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseCode,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/** Base URLs the key may be sent to: https, or http on this machine (tests); as the node's API client. */
const SAFE_BASE_URL_PREFIXES = [
	'https://',
	'http://localhost:',
	'http://localhost/',
	'http://127.0.0.1:',
	'http://127.0.0.1/',
	'http://[::1]:',
	'http://[::1]/',
];
const BASE_URL = 'String($credentials.baseUrl).trim()';
// "@" would turn what precedes it into a user name ("http://localhost:1@elsewhere"); "\\" acts as "/".
const isSafeBaseUrl = [
	`!${BASE_URL}.includes("@")`,
	`!${BASE_URL}.includes("\\\\")`,
	`(${SAFE_BASE_URL_PREFIXES.map((prefix) => `(${BASE_URL} + "/").toLowerCase().startsWith("${prefix}")`).join(' || ')})`,
].join(' && ');
// Any other base URL is swapped for a host that never resolves (RFC 6761), so the test sends the key nowhere.
const UNSAFE_BASE_URL = 'https://api-base-url-must-start-with-https.invalid';

/**
 * Our words for every answer but 2xx: n8n's tester would otherwise show the server's own status
 * text, which an internal server behind a mistyped base URL can fill with anything.
 */
const statusRules: IAuthenticateRuleResponseCode[] = Array.from({ length: 300 }, (_, index) => 300 + index).map((code) => ({
	type: 'responseCode',
	properties: {
		value: code,
		message:
			code === 401
				? 'The platform refused this API key (401). Check the key, and that it is sent as the platform expects: Agntix takes it in the x-api-key header, Layercode as Authorization: Bearer.'
				: code === 403
					? 'The key is valid but lacks permission to read sessions (403).'
					: code < 400
						? `The API Base URL answered with a redirect (HTTP ${code}). Redirects are not followed, so the key only goes to the API Base URL: set it to the platform's API address.`
						: `The platform answered HTTP ${code}, so the key could not be checked. Check the API Base URL (Agntix: https://api.agntix.ai, Layercode: https://api.layercode.com).`,
	},
}));

export class VoiceAgentApiKeyApi implements ICredentialType {
	name = 'voiceAgentApiKeyApi';

	displayName = 'Voice Agent API Key API';

	icon: Icon = { light: 'file:voiceAgent.svg', dark: 'file:voiceAgent.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent/blob/main/docs/reference.md#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.agntix.ai',
			description:
				'Agntix: https://api.agntix.ai. Layercode: https://api.layercode.com. Must start with https:// (http:// only for localhost): the key is never sent in clear text.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'pk_…',
			description: 'The organisation API key, for the Voice Agent node’s Session resource and the trigger’s Include Full Transcript. Webhook signing secrets go in a Voice Agent Webhook Secret API credential.',
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

	// A cheap authenticated read: Agntix lists one session; Layercode lists agents. No redirects:
	// the key would go wherever they point.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ ${isSafeBaseUrl} ? ${BASE_URL} : "${UNSAFE_BASE_URL}" }}`,
			url: '={{ $credentials.baseUrl.includes("layercode") ? "/v1/agents" : "/api/v1/chat/sessions?limit=1" }}',
			disableFollowRedirect: true,
		},
		rules: statusRules,
	};
}
