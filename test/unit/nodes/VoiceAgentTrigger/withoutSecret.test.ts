import type { IDataObject } from 'n8n-workflow';

import { withoutSecret } from '../../../../nodes/VoiceAgentTrigger/withoutSecret';

const SECRET = 'vapi-token-9f8e7d6c5b4a3921';
const clean = (payload: IDataObject) => withoutSecret(payload, JSON.stringify(payload), SECRET);

describe('withoutSecret: the webhook secret never reaches execution data', () => {
	test('every occurrence, at any depth, in values and keys, is replaced; the rest is kept', () => {
		const payload = {
			message: {
				type: 'end-of-call-report',
				assistant: { server: { url: 'https://n8n.example/webhook/x', headers: { authorization: `Bearer ${SECRET}` } } },
				list: [SECRET, 'keep', { [SECRET]: 1 }],
				count: 3,
				nothing: null,
			},
		};
		expect(clean(payload)).toEqual({
			message: {
				type: 'end-of-call-report',
				assistant: { server: { url: 'https://n8n.example/webhook/x', headers: { authorization: 'Bearer [redacted]' } } },
				list: ['[redacted]', 'keep', { '[redacted]': 1 }],
				count: 3,
				nothing: null,
			},
		});
		expect(JSON.stringify(clean(payload))).not.toContain(SECRET);
	});

	test('a payload without the secret is returned as it is (one scan of the body, no copy)', () => {
		const payload = { type: 'x', data: { a: [1, 'two'] } };
		expect(clean(payload)).toBe(payload);
		expect(withoutSecret(payload, JSON.stringify(payload), '')).toBe(payload);
	});

	test('a secret with characters JSON escapes is found in the body as sent', () => {
		const secret = 'quote"and\\backslash-secret';
		const payload = JSON.parse(JSON.stringify({ header: `Bearer ${secret}` })) as IDataObject;
		expect(withoutSecret(payload, JSON.stringify(payload), secret)).toEqual({ header: 'Bearer [redacted]' });
	});

	test('a sent `__proto__` key stays an ordinary key', () => {
		const body = `{"__proto__":{"token":"${SECRET}"}}`;
		const result = withoutSecret(JSON.parse(body) as IDataObject, body, SECRET);
		expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
		expect(Object.prototype.hasOwnProperty.call(result, '__proto__')).toBe(true);
		expect(JSON.stringify(result)).toBe('{"__proto__":{"token":"[redacted]"}}');
	});
});
