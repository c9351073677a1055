import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class VoiceAgentJwtApi implements ICredentialType {
	name = 'voiceAgentJwtApi';

	displayName = 'Voice Agent JWT API';

	icon: Icon = { light: 'file:voiceAgent.svg', dark: 'file:voiceAgent.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent/blob/main/docs/reference.md#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.agntix.ai',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'A Bearer JWT for API calls (e.g. an Agntix Clerk token). Leave empty if you only verify inbound tokens.',
		},
		{
			displayName: 'Inbound Token Key',
			name: 'keyType',
			type: 'options',
			options: [
				{ name: 'JWKS URL', value: 'jwks' },
				{ name: 'PEM Public Key (RS/PS/ES/EdDSA)', value: 'publicKey' },
				{ name: 'Shared Secret (HS256/384/512)', value: 'secret' },
			],
			default: 'secret',
			description: 'How the trigger verifies an inbound Authorization: Bearer token',
		},
		{
			displayName: 'Shared Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { keyType: ['secret'] } },
		},
		{
			displayName: 'Public Key',
			name: 'publicKey',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			placeholder: '-----BEGIN PUBLIC KEY-----',
			displayOptions: { show: { keyType: ['publicKey'] } },
		},
		{
			displayName: 'JWKS URL',
			name: 'jwksUrl',
			type: 'string',
			default: '',
			placeholder: 'https://issuer.example.com/.well-known/jwks.json',
			displayOptions: { show: { keyType: ['jwks'] } },
		},
		{
			displayName: 'Allowed Algorithms',
			name: 'algorithms',
			type: 'multiOptions',
			options: [
				{ name: 'EdDSA', value: 'EdDSA' },
				{ name: 'ES256', value: 'ES256' },
				{ name: 'ES384', value: 'ES384' },
				{ name: 'ES512', value: 'ES512' },
				{ name: 'HS256', value: 'HS256' },
				{ name: 'HS384', value: 'HS384' },
				{ name: 'HS512', value: 'HS512' },
				{ name: 'PS256', value: 'PS256' },
				{ name: 'PS384', value: 'PS384' },
				{ name: 'PS512', value: 'PS512' },
				{ name: 'RS256', value: 'RS256' },
				{ name: 'RS384', value: 'RS384' },
				{ name: 'RS512', value: 'RS512' },
			],
			default: ['HS256', 'RS256'],
		},
		{
			displayName: 'Expected Issuer',
			name: 'issuer',
			type: 'string',
			default: '',
			description: 'If set, the token’s iss claim must equal it',
		},
		{
			displayName: 'Expected Audience',
			name: 'audience',
			type: 'string',
			default: '',
			description: 'If set, the token’s aud claim must contain it',
		},
		{
			displayName: 'Clock Leeway (Seconds)',
			name: 'leewaySeconds',
			type: 'number',
			default: 30,
		},
		{
			displayName: 'Allow Tokens Without Expiry',
			name: 'allowMissingExpiry',
			type: 'boolean',
			default: false,
			description:
				'Whether to accept inbound tokens that have no exp claim. Unsafe: such a token never expires, so anyone who captures one (from a log, a proxy or a leaked request) can call this trigger forever. Leave off unless your issuer cannot set exp.',
		},
		{
			displayName:
				'Tokens without exp are accepted: a captured token stays valid forever. Prefer an issuer that sets exp.',
			name: 'noExpiryNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { allowMissingExpiry: [true] } },
		},
	];

	// Tested by the nodes' voiceAgentJwtApiTest (testJwtCredential in inboundJwt.ts), offline: the
	// inbound key material (secret length, PEM parses and fits an algorithm, JWKS URL https) and
	// the API Base URL the access token would go to, which a declarative test request cannot check.
	// The JWKS is downloaded on publishing, the access token first sent on an API call.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{ $credentials.accessToken }}' },
		},
	};
}
