import { generateKeyPairSync, sign } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	IHookFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { VoiceAgentJwtApi } from '../../../../../credentials/VoiceAgentJwtApi.credentials';
import { jwtConfigurationProblem, jwtSettings, testJwtCredential, verifyInboundJwt } from '../../../../../nodes/shared/verification/inboundJwt';
import { resetJwksCache } from '../../../../../nodes/shared/verification/jwt';

// The n8n side of JWT verification: what the trigger asks n8n's HTTP helpers for, and what it
// does with their answers. The helpers are fakes that behave as n8n's (1.x and 2.x) do for the
// options they are given: buffered JSON by default, a stream with `encoding: 'stream'` /
// `useStream`, redirects followed unless turned off, `timeout` as an idle timer that restarts on
// every chunk (axios's), and legacy `request` errors that carry the answer's body in the message.

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const JWKS = { keys: [{ ...p256.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] };
const JWKS_URL = 'https://issuer.example.com/.well-known/jwks.json';
const KIB = 1024;

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function es256(claims: Record<string, unknown>, kid = 'k1'): string {
	const input = `${b64json({ alg: 'ES256', kid })}.${b64json(claims)}`;
	const signature = sign('sha256', Buffer.from(input), { key: p256.privateKey, dsaEncoding: 'ieee-p1363' });
	return `${input}.${signature.toString('base64url')}`;
}

const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'caller', iat: now() - 5, exp: now() + 300, ...extra });

// ---------------------------------------------------------------------------------------------
// A fake remote: what the URL answers

interface Remote {
	status: number;
	/** A body, or a body that trickles forever, or no answer at all. */
	body: Buffer | 'trickle' | 'no answer';
	/** For a 3xx: where to, and what that answers. */
	redirect?: { location: string; body: Buffer };
}

interface Served {
	/** Bytes handed to the reader (a reader that stops early leaves the rest unproduced). */
	produced: number;
	streams: Readable[];
	/** The options of every call, as the node passed them. */
	calls: Array<Record<string, unknown>>;
}

const jsonBody = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Every body made, closed after each test (a reader that never stops would keep a trickle going). */
const allStreams: Readable[] = [];
afterEach(() => allStreams.splice(0).forEach((stream) => stream.destroy()));

/** A body produced 16 KiB at a time, only as fast as it is read. */
function bodyStream(remote: Remote, served: Served): Readable {
	if (remote.body === 'trickle') {
		let sent = 0;
		const stream = new Readable({
			read() {
				const chunk = Buffer.from(sent++ === 0 ? '{"keys":[' : ' ');
				served.produced += chunk.length;
				setTimeout(() => stream.destroyed || stream.push(chunk), 50);
			},
		});
		served.streams.push(stream);
		allStreams.push(stream);
		return stream;
	}
	const bytes = remote.body as Buffer;
	let offset = 0;
	const stream = new Readable({
		read() {
			if (offset >= bytes.length) return void this.push(null);
			const chunk = bytes.subarray(offset, offset + 16 * KIB);
			offset += chunk.length;
			served.produced += chunk.length;
			this.push(chunk);
		},
	});
	served.streams.push(stream);
	allStreams.push(stream);
	return stream;
}

/** Reads a whole body as axios does without `responseType: 'stream'`: `timeout` restarts on every chunk. */
async function buffer(stream: Readable, idleMs: number | undefined, signal?: AbortSignal): Promise<string> {
	return await new Promise<string>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let timer: NodeJS.Timeout | undefined;
		const idle = () => {
			clearTimeout(timer);
			if (idleMs) timer = setTimeout(() => (stream.destroy(), reject(new Error(`timeout of ${idleMs}ms exceeded`))), idleMs);
		};
		signal?.addEventListener('abort', () => (stream.destroy(), reject(new Error('canceled'))));
		idle();
		stream.on('data', (chunk: Buffer) => (chunks.push(chunk), idle()));
		stream.on('end', () => (clearTimeout(timer), resolve(Buffer.concat(chunks).toString('utf8'))));
		stream.on('error', (error) => (clearTimeout(timer), reject(error)));
	});
}

async function neverAnswered(signal?: AbortSignal): Promise<never> {
	return await new Promise<never>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('canceled'))));
}

/** `helpers.httpRequest` (IHttpRequestOptions), as n8n implements it over axios. */
function fakeHttpRequest(remote: Remote, served: Served) {
	return async (options: Record<string, unknown>): Promise<unknown> => {
		served.calls.push(options);
		const signal = options.abortSignal as AbortSignal | undefined;
		if (remote.body === 'no answer') return await neverAnswered(signal);
		let answer = remote;
		if (remote.redirect && options.disableFollowRedirect !== true) answer = { status: 200, body: remote.redirect.body };
		const stream = bodyStream(answer, served);
		const failed = (answer.status < 200 || answer.status >= 400) && options.ignoreHttpStatusErrors !== true;
		if (options.encoding === 'stream' && !failed) {
			return options.returnFullResponse ? { body: stream, statusCode: answer.status, headers: {} } : stream;
		}
		const text = await buffer(stream, options.timeout as number | undefined, signal);
		if (failed) {
			throw Object.assign(new Error(`Request failed with status code ${answer.status}`), {
				response: { status: answer.status, data: text },
			});
		}
		const body = options.json ? (JSON.parse(text) as unknown) : text;
		return options.returnFullResponse ? { body, statusCode: answer.status, headers: {} } : body;
	};
}

/** The legacy `helpers.request` (credential tests), as n8n's proxyRequestToAxios implements it. */
function fakeRequest(remote: Remote, served: Served) {
	return async (options: Record<string, unknown>): Promise<unknown> => {
		served.calls.push(options);
		if (remote.body === 'no answer') return await neverAnswered();
		let answer = remote;
		if (remote.redirect && options.followRedirect !== false) answer = { status: 200, body: remote.redirect.body };
		const stream = bodyStream(answer, served);
		const failed = (answer.status < 200 || answer.status >= 300) && options.simple !== false;
		if (options.useStream && !failed) {
			return options.resolveWithFullResponse ? { body: stream, statusCode: answer.status, headers: {} } : stream;
		}
		const text = await buffer(stream, options.timeout as number | undefined);
		if (failed) {
			// n8n: `error.message = `${response.status} - ${JSON.stringify(responseData)}``
			throw Object.assign(new Error(`${answer.status} - ${JSON.stringify(text)}`), { statusCode: answer.status });
		}
		const body = options.json ? (JSON.parse(text) as unknown) : text;
		return options.resolveWithFullResponse ? { body, statusCode: answer.status, headers: {} } : body;
	};
}

// ---------------------------------------------------------------------------------------------
// Contexts

let credentialCounter = 0;

function hookContext(credential: ICredentialDataDecryptedObject, remote: Remote, served: Served): IHookFunctions {
	return {
		getCredentials: async () => credential,
		helpers: { httpRequest: fakeHttpRequest(remote, served) },
	} as unknown as IHookFunctions;
}

function webhookContext(credential: ICredentialDataDecryptedObject, remote: Remote, served: Served): IWebhookFunctions {
	const id = `jwt-cred-${++credentialCounter}`; // the trigger caches credentials by id
	return {
		getNode: () => ({ name: 'Trigger', credentials: { voiceAgentJwtApi: { id, name: id } } }),
		getWorkflow: () => ({ id: 'wf-inbound-jwt' }),
		getCredentials: async () => credential,
		getRequestObject: () => ({}),
		helpers: { httpRequest: fakeHttpRequest(remote, served) },
	} as unknown as IWebhookFunctions;
}

async function credentialTest(credential: ICredentialDataDecryptedObject, remote: Remote, served: Served) {
	const context = { helpers: { request: fakeRequest(remote, served) } } as unknown as ICredentialTestFunctions;
	return await testJwtCredential.call(context, { id: 'c', name: 'c', type: 'voiceAgentJwtApi', data: credential });
}

const jwksCredential = (extra: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject => ({
	keyType: 'jwks',
	jwksUrl: JWKS_URL,
	algorithms: ['ES256'],
	leewaySeconds: 30,
	...extra,
});

const served = (): Served => ({ produced: 0, streams: [], calls: [] });
const ok = (body: Buffer = jsonBody(JWKS)): Remote => ({ status: 200, body });

/** A genuine JWKS padded to `size` bytes (a real key, then a long unknown member). */
const paddedJwks = (size: number) => {
	const base = JSON.stringify(JWKS);
	return Buffer.from(`${base.slice(0, -1)},"padding":"${'x'.repeat(size - base.length - 14)}"}`);
};

beforeEach(() => resetJwksCache());

/** Resolves with the promise's value, or with 'still waiting' after `ms`. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | 'still waiting'> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)));
	try {
		return await Promise.race([promise, late]);
	} finally {
		clearTimeout(timer);
	}
}

// ---------------------------------------------------------------------------------------------

describe('fetching the JWKS through n8n', () => {
	test('a genuine JWKS verifies, fetched as a stream without credentials, redirects or a parsed body', async () => {
		const seen = served();
		const context = webhookContext(jwksCredential(), ok(), seen);
		const result = await verifyInboundJwt(context, { authorization: `Bearer ${es256(claims())}` });
		expect(result).toMatchObject({ valid: true });
		expect(seen.calls).toHaveLength(1);
		expect(seen.calls[0]).toMatchObject({ method: 'GET', url: JWKS_URL, encoding: 'stream', disableFollowRedirect: true });
		expect(seen.calls[0].abortSignal).toBeInstanceOf(AbortSignal);
		expect(seen.calls[0]).not.toHaveProperty('headers');
		expect(seen.calls[0]).not.toHaveProperty('auth');
	});

	test('a JWKS just under 256 KiB, or with a byte order mark, is read', async () => {
		expect(await jwtConfigurationProblem(hookContext(jwksCredential(), ok(paddedJwks(256 * KIB)), served()))).toBeUndefined();
		const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), jsonBody(JWKS)]);
		expect(await jwtConfigurationProblem(hookContext(jwksCredential(), ok(bom), served()))).toBeUndefined();
	});

	test('audit #13: a JWKS over 256 KiB is refused at publish time and per request', async () => {
		const big = ok(paddedJwks(300 * KIB));
		expect(await jwtConfigurationProblem(hookContext(jwksCredential(), big, served()))).toBe(
			'could not fetch the JWKS: the answer is larger than 256 KiB',
		);
		const result = await verifyInboundJwt(webhookContext(jwksCredential(), big, served()), {
			authorization: `Bearer ${es256(claims())}`,
		});
		expect(result).toEqual({ valid: false, reason: 'could not fetch signing keys' });
	});

	test('audit #13: a 10 MiB JWKS is not read past the limit, and its stream is closed', async () => {
		const seen = served();
		const huge = ok(paddedJwks(10 * KIB * KIB));
		expect(await jwtConfigurationProblem(hookContext(jwksCredential(), huge, seen))).toMatch(/larger than 256 KiB/);
		expect(seen.produced).toBeLessThan(512 * KIB);
		expect(seen.streams.every((stream) => stream.destroyed)).toBe(true);
	});

	test('audit #13: a slow JWKS (a body that trickles, or no answer at all) is given up after 5 s', async () => {
		const trickling = served();
		const silent = served();
		const started = Date.now();
		const [trickle, none] = await Promise.all([
			within(9_000, jwtConfigurationProblem(hookContext(jwksCredential(), { status: 200, body: 'trickle' }, trickling))),
			within(9_000, jwtConfigurationProblem(hookContext(jwksCredential(), { status: 200, body: 'no answer' }, silent))),
		]);
		const elapsed = Date.now() - started;
		expect(trickle).toBe('could not fetch the JWKS: no complete answer within 5 s');
		expect(none).toBe('could not fetch the JWKS: no complete answer within 5 s');
		expect(elapsed).toBeGreaterThanOrEqual(4_900);
		expect(elapsed).toBeLessThan(7_000);
		expect(trickling.streams.every((stream) => stream.destroyed)).toBe(true);
		// The request itself is cancelled too (n8n passes the signal to axios).
		expect((silent.calls[0].abortSignal as AbortSignal).aborted).toBe(true);
	}, 15_000);

	test('audit #13: an internal server’s error page does not reach the editor', async () => {
		const page = Buffer.from('<html>Internal: db=postgres://admin:hunter2@10.0.0.7/prod stack at Foo.bar</html>');
		const remote: Remote = { status: 500, body: page };
		expect(await jwtConfigurationProblem(hookContext(jwksCredential(), remote, served()))).toBe(
			'could not fetch the JWKS: HTTP 500',
		);
	});

	test('a network failure is described by its code only', async () => {
		const failing = {
			getCredentials: async () => jwksCredential(),
			helpers: {
				httpRequest: async () => {
					throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:8443 (internal detail)'), { code: 'ECONNREFUSED' });
				},
			},
		} as unknown as IHookFunctions;
		expect(await jwtConfigurationProblem(failing)).toBe('could not fetch the JWKS: ECONNREFUSED');
		const odd = {
			getCredentials: async () => jwksCredential(),
			helpers: {
				httpRequest: async () => {
					throw new Error('something with <html> in it');
				},
			},
		} as unknown as IHookFunctions;
		expect(await jwtConfigurationProblem(odd)).toBe('could not fetch the JWKS: the request failed');
	});

	test('audit #8: a redirect is not followed, so an https JWKS URL cannot lead to http', async () => {
		const remote: Remote = {
			status: 302,
			body: Buffer.alloc(0),
			redirect: { location: 'http://attacker.example.com/jwks.json', body: jsonBody(JWKS) },
		};
		const message = 'could not fetch the JWKS: HTTP 302 (redirects are not followed: use the final URL)';
		expect(await jwtConfigurationProblem(hookContext(jwksCredential(), remote, served()))).toBe(message);
		const result = await verifyInboundJwt(webhookContext(jwksCredential(), remote, served()), {
			authorization: `Bearer ${es256(claims())}`,
		});
		expect(result).toEqual({ valid: false, reason: 'could not fetch signing keys' });
	});

	test('audit #8: an http JWKS URL is refused at publish time, in the credential test and per request, never fetched', async () => {
		const credential = jwksCredential({ jwksUrl: 'http://issuer.example.com/.well-known/jwks.json' });
		const seen = served();
		expect(await jwtConfigurationProblem(hookContext(credential, ok(), seen))).toMatch(/must start with https:\/\//);
		expect(await credentialTest(credential, ok(), seen)).toMatchObject({ status: 'Error', message: expect.stringMatching(/https:\/\//) });
		const result = await verifyInboundJwt(webhookContext(credential, ok(), seen), { authorization: `Bearer ${es256(claims())}` });
		expect(result).toEqual({ valid: false, reason: 'JWKS URL must use https' });
		expect(seen.calls).toHaveLength(0);
	});
});

describe('the credential test downloads nothing (n8n gives it only the deprecated helpers.request)', () => {
	const answers: Array<[string, Remote]> = [
		['a JWKS over 256 KiB', ok(paddedJwks(300 * KIB))],
		['a body that trickles', { status: 200, body: 'trickle' }],
		['no answer', { status: 200, body: 'no answer' }],
		['an error page', { status: 500, body: Buffer.from('<html>Internal: db=postgres://admin:hunter2@10.0.0.7/prod</html>') }],
		['a redirect', { status: 302, body: Buffer.alloc(0), redirect: { location: 'http://attacker.example.com/jwks.json', body: jsonBody(JWKS) } }],
	];
	// Publishing downloads it and refuses each of these (the tests above).
	test.each(answers)('a JWKS URL answering with %s: the URL is checked, not fetched', async (_name, remote) => {
		const seen = served();
		expect(await credentialTest(jwksCredential(), remote, seen)).toEqual({ status: 'OK', message: 'Connection tested successfully' });
		expect(seen.calls).toEqual([]);
	});

	test('a public key that does not parse, or fits no allowed algorithm, is refused', async () => {
		const bad = await credentialTest({ keyType: 'publicKey', publicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----', algorithms: ['ES256'] }, ok(), served());
		expect(bad).toMatchObject({ status: 'Error', message: expect.stringMatching(/^Inbound token key: /) });
		const pem = p256.publicKey.export({ format: 'pem', type: 'spki' }).toString();
		expect(await credentialTest({ keyType: 'publicKey', publicKey: pem, algorithms: ['ES256'] }, ok(), served())).toMatchObject({ status: 'OK' });
		expect(await credentialTest({ keyType: 'publicKey', publicKey: pem, algorithms: ['RS256'] }, ok(), served())).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/^Inbound token key: the key .* does not fit any allowed algorithm/),
		});
	});

	test('nothing set is refused', async () => {
		expect(await credentialTest({ keyType: 'secret', secret: '' }, ok(), served())).toEqual({
			status: 'Error',
			message: 'Set an access token, an inbound token key, or both',
		});
	});
});

describe('the credential', () => {
	const property = (name: string) => new VoiceAgentJwtApi().properties.find((candidate) => candidate.name === name);

	test('audit #8: "Allow Tokens Without Expiry" exists, is off by default, and says what it risks', () => {
		const option = property('allowMissingExpiry');
		expect(option).toMatchObject({ displayName: 'Allow Tokens Without Expiry', type: 'boolean', default: false });
		expect(option?.description).toMatch(/never expires/);
		expect(option?.description).toMatch(/Unsafe/);
		expect(property('noExpiryNotice')).toMatchObject({
			type: 'notice',
			displayOptions: { show: { allowMissingExpiry: [true] } },
		});
	});

	test('audit #8: a token without exp is refused unless the credential allows it', async () => {
		const token = `Bearer ${es256({ sub: 'caller', iat: now() - 5 })}`;
		const refused = await verifyInboundJwt(webhookContext(jwksCredential(), ok(), served()), { authorization: token });
		expect(refused).toEqual({ valid: false, reason: 'token has no expiry' });
		const allowed = await verifyInboundJwt(webhookContext(jwksCredential({ allowMissingExpiry: true }), ok(), served()), {
			authorization: token,
		});
		expect(allowed).toMatchObject({ valid: true });
	});

	test('only a stored true allows tokens without exp', () => {
		expect(jwtSettings({}).allowMissingExpiry).toBe(false);
		expect(jwtSettings({ allowMissingExpiry: 'true' }).allowMissingExpiry).toBe(false);
		expect(jwtSettings({ allowMissingExpiry: true }).allowMissingExpiry).toBe(true);
	});

	test('audit #7: a shared secret under 16 bytes is refused at publish time and in the credential test', async () => {
		const credential = { keyType: 'secret', secret: 'short-secret', algorithms: ['HS256'] };
		const message = 'the shared secret is shorter than 16 bytes: use a random secret of at least 32 characters';
		expect(await jwtConfigurationProblem(hookContext(credential, ok(), served()))).toBe(message);
		expect(await credentialTest(credential, ok(), served())).toEqual({ status: 'Error', message: `Inbound token key: ${message}` });
		const long = { ...credential, secret: 'a-shared-secret-of-32-characters' };
		expect(await jwtConfigurationProblem(hookContext(long, ok(), served()))).toBeUndefined();
	});
});

describe('audit #12: the JWT credential test refuses an access token with a base URL it must not go to, and sends it nowhere', () => {
	const TOKEN = 'access-token-0123456789abcdef';
	const tokenCredential = (baseUrl: string): ICredentialDataDecryptedObject => ({ accessToken: TOKEN, baseUrl });

	test.each(['http://api.agntix.ai', 'http://10.0.0.5:8080', 'ftp://api.agntix.ai', 'https://user:pw@api.agntix.ai', 'not a url'])(
		'base URL %s: refused, the token is never sent',
		async (baseUrl) => {
			const seen = served();
			const result = await credentialTest(tokenCredential(baseUrl), ok(jsonBody({ data: [] })), seen);
			expect(result.status).toBe('Error');
			expect(seen.calls).toEqual([]);
		},
	);

	test.each(['https://api.agntix.ai', 'http://127.0.0.1:8080'])('base URL %s: accepted without sending the token', async (baseUrl) => {
		const seen = served();
		expect(await credentialTest(tokenCredential(baseUrl), ok(jsonBody({ data: [] })), seen)).toEqual({
			status: 'OK',
			message: 'Connection tested successfully',
		});
		expect(seen.calls).toEqual([]);
	});
});

describe('activation on n8n start does not depend on the identity provider answering', () => {
	const withMode = (mode: string, remote: Remote, seen: Served): IHookFunctions =>
		({ ...hookContext(jwksCredential(), remote, seen), getActivationMode: () => mode }) as unknown as IHookFunctions;

	test.each(['init', 'leadershipChange'])('mode %s: the JWKS URL is checked, not downloaded (a 503 does not refuse)', async (mode) => {
		const seen = served();
		expect(await jwtConfigurationProblem(withMode(mode, { status: 503, body: Buffer.from('down') }, seen))).toBeUndefined();
		expect(seen.calls).toEqual([]);
		const http = { ...hookContext(jwksCredential({ jwksUrl: 'http://issuer.example.com/jwks.json' }), ok(), seen), getActivationMode: () => mode };
		expect(await jwtConfigurationProblem(http as unknown as IHookFunctions)).toMatch(/must start with https:\/\//);
	});

	test.each(['activate', 'manual'])('mode %s (a user publishing): the JWKS is downloaded and a 503 refuses', async (mode) => {
		const seen = served();
		expect(await jwtConfigurationProblem(withMode(mode, { status: 503, body: Buffer.from('down') }, seen))).toMatch(/503/);
		expect(seen.calls).toHaveLength(1);
	});
});
