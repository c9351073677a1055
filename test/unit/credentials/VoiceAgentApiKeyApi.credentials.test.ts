import type { IAuthenticateRuleResponseCode } from 'n8n-workflow';

import { VoiceAgentApiKeyApi } from '../../../credentials/VoiceAgentApiKeyApi.credentials';

const credential = new VoiceAgentApiKeyApi();

/** An n8n expression (`={{ … }}`) evaluated as the plain JavaScript it is, with `$credentials` in scope. */
function evaluate(expression: string | undefined, credentials: Record<string, unknown>): unknown {
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(expression ?? '')?.[1];
	if (body === undefined) throw new Error(`not an expression: ${expression}`);
	return new Function('$credentials', `return (${body});`)(credentials) as unknown;
}

describe('audit #12: the credential test sends the key to the https API Base URL only', () => {
	test('audit #12: redirects are not followed', () => {
		expect(credential.test.request.disableFollowRedirect).toBe(true);
	});

	test.each([
		'https://api.agntix.ai',
		'https://api.layercode.com/',
		' https://api.agntix.ai ',
		'http://127.0.0.1:4010',
		'http://localhost:4010',
		'http://localhost',
		'http://[::1]:4010/',
	])('%p is tested where it points', (baseUrl) => {
		expect(evaluate(credential.test.request.baseURL, { baseUrl })).toBe(baseUrl.trim());
	});

	test.each(['http://api.agntix.ai', 'http://10.0.0.5:8080', 'http://localhost.example.com', 'http://127.0.0.1.nip.io', 'http://localhost:1@evil.example.com', 'http://localhost:80\\@evil.example.com', 'ftp://x'])(
		'audit #12: %p (plain http to another machine) is never sent the key',
		(baseUrl) => {
			expect(evaluate(credential.test.request.baseURL, { baseUrl })).toBe('https://api-base-url-must-start-with-https.invalid');
		},
	);

	test('the test URL still picks the platform', () => {
		expect(evaluate(credential.test.request.url, { baseUrl: 'https://api.layercode.com' })).toBe('/v1/agents');
		expect(evaluate(credential.test.request.url, { baseUrl: 'https://api.agntix.ai' })).toBe('/api/v1/chat/sessions?limit=1');
	});
});

describe("audit #13: the credential test never echoes another server's words", () => {
	const rules = (credential.test.rules ?? []) as IAuthenticateRuleResponseCode[];

	test('audit #13: every answer from 300 to 599 has a message of our own (n8n would show the server’s status text)', () => {
		const codes = rules.filter((rule) => rule.type === 'responseCode').map((rule) => rule.properties.value);
		expect(codes).toEqual(Array.from({ length: 300 }, (_, index) => 300 + index));
		for (const rule of rules) expect(rule.properties.message.length).toBeLessThan(250);
	});

	test('401, 403 and redirects say what to do', () => {
		const message = (code: number) => rules.find((rule) => rule.properties.value === code)?.properties.message;
		expect(message(401)).toMatch(/^The platform refused this API key \(401\)/);
		expect(message(403)).toMatch(/lacks permission/);
		expect(message(302)).toMatch(/redirect \(HTTP 302\)\. Redirects are not followed/);
		expect(message(500)).toBe(
			'The platform answered HTTP 500, so the key could not be checked. Check the API Base URL (Agntix: https://api.agntix.ai, Layercode: https://api.layercode.com).',
		);
	});
});
